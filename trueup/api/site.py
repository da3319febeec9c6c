"""The JSON API for other systems (policy admin, billing): Django Ninja, OpenAPI at /api/docs.

Every call is authenticated by an API token and checked against the token user's role.
Validation errors answer 422 with field paths, refused moves 409, missing rights 403.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from trueup.accounts.models import User
from trueup.accounts.services import api_token_user
from trueup.api.audits import router as audits_router
from trueup.api.billing import router as billing_router
from trueup.api.classes import router as classes_router
from trueup.api.common import NullBody, StrictParser
from trueup.api.endorsements import router as endorsements_router
from trueup.api.payroll import router as payroll_router
from trueup.api.policies import router as policies_router
from trueup.api.premium_reports import router as premium_reports_router
from trueup.api.reporting import router as reporting_router
from trueup.api.statistical import router as statistical_router
from trueup.core.errors import TrueUpError, answer


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


# The documentation page works on a network without the internet: Swagger UI's script, styles and
# icons come from this site (the "ninja" app's static files, settings.INSTALLED_APPS), and it is
# told not to send the document to swagger.io's online validator.
DOCS = Swagger(settings={"validatorUrl": None})

api = NinjaAPI(
    title="TrueUp",
    version="1",
    auth=TokenAuth(),
    urls_namespace="api",
    parser=StrictParser(),
    docs=DOCS,
)
api.add_router("/audits", audits_router)
api.add_router("/policies", policies_router)
api.add_router("", payroll_router)
api.add_router("", billing_router)
api.add_router("", reporting_router)
api.add_router("", statistical_router)
api.add_router("", premium_reports_router)
api.add_router("", endorsements_router)
api.add_router("", classes_router)


@api.exception_handler(TrueUpError)
def trueup_error(request: HttpRequest, exc: TrueUpError) -> HttpResponse:
    """Every error of TrueUp's family: 403 not allowed, 409 refused, 422 invalid input with each
    problem's path (``trueup.core.errors``)."""
    status, body = answer(exc)
    return api.create_response(request, body, status=status)


# Django Ninja's own answers (no or a bad key, an object not found, input that does not
# validate) in the same shape as ours, as every endpoint declares.


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = "send a valid API key in the Authorization header: Bearer <key>"
    return api.create_response(request, {"code": "unauthenticated", "message": message}, status=401)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = f"{request.path} does not exist, or this account may not see it"
    return api.create_response(request, {"code": "not_found", "message": message}, status=404)


def _location(loc: list[Any] | tuple[Any, ...]) -> str:
    """A problem's place as a path: ``body[1].gross``, ``query.limit``. A body's location
    begins with the name of the view's parameter, which is no part of what the caller sent."""
    parts = list(loc)
    if parts[:1] == ["body"] and len(parts) > 1:
        del parts[1]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {"path": _location(e.get("loc", ())), "reason": str(e.get("msg", "is not valid"))}
        for e in exc.errors
    ]
    message = "; ".join(f"{p['path']}: {p['reason']}" for p in problems)
    return api.create_response(
        request, {"code": "invalid", "message": message, "problems": problems}, status=422
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Django Ninja answers 400 for a body it cannot read; for the caller it is invalid input.
    if exc.status_code == 400:
        reason = str(exc.__cause__) if isinstance(exc.__cause__, NullBody) else "is not valid JSON"
        problems = [{"path": "body", "reason": reason}]
        return api.create_response(
            request,
            {"code": "invalid", "message": f"body: {reason}", "problems": problems},
            status=422,
        )
    return api.create_response(
        request, {"code": "http_error", "message": str(exc)}, status=exc.status_code
    )
