from django.urls import path

from trueup.web.staff.practices import views

app_name = "practices"
urlpatterns = [
    path("", views.note_list, name="list"),
    path("new/", views.note_new, name="new"),
    path("review/", views.review, name="review"),
    path("<int:pk>/", views.note_page, name="note"),
    path("<int:pk>/edit/", views.note_edit, name="edit"),
    path("<int:pk>/review/", views.note_review, name="note_review"),
]
