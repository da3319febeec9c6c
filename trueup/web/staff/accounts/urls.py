from django.urls import path

from trueup.web.staff.accounts import views

app_name = "accounts"
urlpatterns = [
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/verify/", views.verify, name="verify"),
    path("second-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
