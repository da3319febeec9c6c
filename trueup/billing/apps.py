from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.billing"
    verbose_name = "Results, disputes and billing"
