from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "trueup.reference"
    label = "reference"
    verbose_name = "Reference data"
