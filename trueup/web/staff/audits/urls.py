from django.urls import path

from trueup.web.staff.audits import classes, endorsements, flags, interim, reporting, views

app_name = "audits"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("worklist.<str:fmt>", views.worklist_export, name="worklist_export"),
    path("<int:pk>/", views.audit_page, name="audit"),
    path("<int:pk>/facts/<str:kind>/new/", views.fact_save, name="fact_add"),
    path("<int:pk>/facts/<str:kind>/form/", views.fact_form, name="fact_new_form"),
    path("<int:pk>/facts/<str:kind>/<int:fact>/form/", views.fact_form, name="fact_form"),
    path("<int:pk>/facts/<str:kind>/<int:fact>/", views.fact_save, name="fact_save"),
    path("<int:pk>/facts/<str:kind>/<int:fact>/delete/", views.fact_delete, name="fact_delete"),
    path("<int:pk>/actions/<str:action>/", views.act, name="act"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/classes/", classes.class_lookup, name="class_lookup"),
    path("<int:pk>/interim/", interim.interim_request, name="interim"),
    path("<int:pk>/interviews/", views.interview_add, name="interview_add"),
    path("<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("<int:pk>/flags/", flags.decide, name="flag_decide"),
    path("<int:pk>/records/", views.records_checklist, name="records_checklist"),
    path("<int:pk>/records/<int:item>/", views.records_mark, name="records_mark"),
    path("<int:pk>/premium-reporting/", reporting.premium_reporting, name="premium_reporting"),
    path(
        "<int:pk>/premium-reporting/reports/<int:report>/",
        reporting.premium_report_file,
        name="premium_report_file",
    ),
    path(
        "<int:pk>/endorsements/new/",
        endorsements.request_class_change,
        name="endorsement_request",
    ),
    path(
        "<int:pk>/endorsements/<int:endorsement>/approve/",
        endorsements.approve,
        name="endorsement_approve",
    ),
]
