from django.urls import path

from trueup.web.staff.reporting import views

app_name = "reporting"
urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/<slug:key>.<str:fmt>", views.table_export, name="export"),
]
