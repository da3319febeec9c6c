from django.urls import path

from trueup.web.staff.queues import views

app_name = "queues"
urlpatterns = [
    path("review/", views.review, name="review"),
    path("billing/", views.billing, name="billing"),
    path("billing/<int:pk>/delivered/", views.mark_delivered, name="mark_delivered"),
    path("underwriting/", views.underwriting, name="underwriting"),
    path("underwriting/<int:pk>/answer/", views.answer_referral, name="answer_referral"),
    path("mine/", views.mine, name="mine"),
]
