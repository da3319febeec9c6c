from django.urls import path

from trueup.web.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("access/", views.access, name="access"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("audits/<int:pk>/", views.audit_page, name="audit"),
    path("audits/<int:pk>/self-audit/", views.self_audit, name="self_audit"),
    path("audits/<int:pk>/messages/", views.message_add, name="message"),
    path("audits/<int:pk>/records/<int:item>/", views.upload, name="upload"),
    path("audits/<int:pk>/files/<int:file>/", views.file_download, name="file"),
    path("audits/<int:pk>/worksheet.pdf", views.worksheet, name="worksheet"),
    path("audits/<int:pk>/dispute/", views.dispute, name="dispute"),
    path("audits/<int:pk>/letters/<int:letter>.pdf", views.letter, name="letter"),
    path("audits/<int:pk>/worksheet-request/", views.worksheet_ask, name="worksheet_request"),
]
