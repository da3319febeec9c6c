from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.reporting"
    verbose_name = "Department metrics and reports"
