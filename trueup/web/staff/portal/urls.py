"""The workbench's portal actions, under each audit's address."""

from django.urls import path

from trueup.web.portal import files
from trueup.web.staff.portal import views as staff

app_name = "portal_staff"
urlpatterns = [
    path("<int:pk>/invitations/", staff.invitation_send, name="invite"),
    path("<int:pk>/messages/", staff.staff_message, name="message"),
    path("<int:pk>/files/<int:file>/", files.staff_file_download, name="file"),
]
