from django.apps import AppConfig


class LettersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.letters"
    verbose_name = "Letters and e-mail"
