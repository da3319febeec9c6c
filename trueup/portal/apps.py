from django.apps import AppConfig


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.portal"
    verbose_name = "Policyholder and agent portal"
