from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "trueup.web"
    label = "web"
    verbose_name = "Staff pages"
