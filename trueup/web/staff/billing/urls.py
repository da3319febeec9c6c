"""The workbench's pages from result to billing, under each audit's address."""

from django.urls import path

from trueup.web.staff.billing import views

app_name = "billing"
urlpatterns = [
    path("<int:pk>/outreach/attempts/", views.attempt_add, name="attempt"),
    path("<int:pk>/outreach/release/", views.release, name="release"),
    path("<int:pk>/disputes/", views.dispute_record, name="dispute"),
    path("<int:pk>/disputes/<int:dispute>/resolve/", views.dispute_resolve, name="resolve"),
    path("<int:pk>/payment-plan/", views.plan_agree, name="plan"),
    path("<int:pk>/payment-plan/<int:plan>/approve/", views.plan_approve, name="plan_approve"),
    path("<int:pk>/letters/<str:kind>/preview/", views.letter_preview, name="letter_preview"),
    path("<int:pk>/letters/<str:kind>/send/", views.letter_send_view, name="letter_send"),
    path("<int:pk>/letters/<int:letter>.pdf", views.letter_pdf, name="letter_pdf"),
]
