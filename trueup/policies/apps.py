from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "trueup.policies"
    label = "policies"
