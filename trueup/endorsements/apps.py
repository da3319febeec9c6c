from django.apps import AppConfig


class EndorsementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.endorsements"
    verbose_name = "Endorsements"
