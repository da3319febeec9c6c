from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "trueup.audits"
    label = "audits"
