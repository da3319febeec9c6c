from django.urls import path

from trueup.web.staff.reporting import statistical, views

app_name = "reporting"
urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/<slug:key>.<str:fmt>", views.table_export, name="export"),
    path("statistical/", statistical.stat_reports_page, name="statistical"),
    path("statistical/act", statistical.stat_reports_act, name="statistical_act"),
    path("statistical/<int:pk>/file", statistical.stat_report_download, name="statistical_file"),
]
