from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.billing"
    verbose_name = "Results, disputes and billing"

    def ready(self) -> None:
        # What billing's letters say, for the letters app that prints and sends them.
        from trueup.billing import letter_context

        letter_context.register()
