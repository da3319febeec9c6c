from django.urls import path

from trueup.web.portal import (
    audit,
    files,
    glossary,
    home,
    invitations,
    language,
    reports,
    self_audit,
)

app_name = "portal"
urlpatterns = [
    path("", home.home, name="home"),
    path("access/", invitations.access, name="access"),
    path("glossary/", glossary.glossary, name="glossary"),
    path("language/", language.language, name="language"),
    path("preferences/", language.preferences, name="preferences"),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path("audits/<int:pk>/", audit.audit_page, name="audit"),
    path("audits/<int:pk>/self-audit/", self_audit.self_audit, name="self_audit"),
    path("audits/<int:pk>/messages/", audit.message_add, name="message"),
    path("audits/<int:pk>/records/<int:item>/", files.upload, name="upload"),
    path("audits/<int:pk>/files/<int:file>/", files.file_download, name="file"),
    path("audits/<int:pk>/worksheet.pdf", audit.worksheet, name="worksheet"),
    path("audits/<int:pk>/dispute/", audit.dispute, name="dispute"),
    path("audits/<int:pk>/letters/<int:letter>.pdf", audit.letter, name="letter"),
    path("audits/<int:pk>/worksheet-request/", audit.worksheet_ask, name="worksheet_request"),
    path("payroll-reports/<int:report>/", reports.premium_report, name="premium_report"),
]
