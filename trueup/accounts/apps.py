from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trueup.accounts"
    label = "accounts"
