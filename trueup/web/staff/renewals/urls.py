from django.urls import path

from trueup.web.staff.renewals import views

app_name = "renewals"
urlpatterns = [
    path("", views.recommendation_list, name="list"),
    path("audits/<int:audit>/", views.recommendation_new, name="new"),
    path("<int:pk>/", views.recommendation_page, name="recommendation"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/reject/", views.reject, name="reject"),
]
