from django.urls import path

from trueup.web.staff.accounts import api_keys, views

app_name = "accounts"
urlpatterns = [
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/verify/", views.verify, name="verify"),
    path("second-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("api-keys/", api_keys.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", api_keys.api_key_revoke, name="api_key_revoke"),
]
