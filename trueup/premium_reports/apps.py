from django.apps import AppConfig


class PremiumReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.premium_reports"
    verbose_name = "Premium reports"
