from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.renewals"
    verbose_name = "Renewal recommendations"

    def ready(self) -> None:
        # What the future policy changes letter says, for the letters app that prints and
        # sends it.
        from trueup.renewals import letter_context

        letter_context.register()
