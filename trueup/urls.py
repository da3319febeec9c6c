from pathlib import Path

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from trueup.api.site import api
from trueup.web.portal.language import SignIn


def home(request: HttpRequest) -> HttpResponse:
    """Policyholders and agents to the portal, staff to their worklist."""
    if getattr(request.user, "is_portal_user", False):
        return redirect("portal:home")
    return redirect("audits:worklist")


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitors: the app answers (no database read)."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon where browsers look for it first, from the static files."""
    found = finders.find("trueup/favicon.ico")
    if not isinstance(found, str):
        raise Http404("no icon")
    response = HttpResponse(Path(found).read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("", home, name="home"),
    path("login/", SignIn.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("trueup.web.staff.accounts.urls")),
    path("audits/", include("trueup.web.staff.audits.urls")),
    path("audits/", include("trueup.web.staff.payroll.urls")),
    path("audits/", include("trueup.web.staff.portal.urls")),
    path("audits/", include("trueup.web.staff.billing.urls")),
    path("portal/", include("trueup.web.portal.urls")),
    # The department's view: the dashboard, metrics and reports (dashboard/, metrics/, reports/).
    path("", include("trueup.web.staff.reporting.urls")),
    path("queues/", include("trueup.web.staff.queues.urls")),
    path("notifications/", include("trueup.web.staff.notifications.urls")),
    path("practices/", include("trueup.web.staff.practices.urls")),
    path("renewals/", include("trueup.web.staff.renewals.urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
