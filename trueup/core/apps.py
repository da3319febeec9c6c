from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "trueup.core"
    label = "core"
    verbose_name = "Background work"
