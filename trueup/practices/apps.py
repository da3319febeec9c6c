from django.apps import AppConfig


class PracticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.practices"
    verbose_name = "Practice notes and feedback on procedures"
