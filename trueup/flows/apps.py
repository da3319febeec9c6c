from django.apps import AppConfig


class FlowsConfig(AppConfig):
    """The business stories that cross domain apps; an app for its management commands only."""

    name = "trueup.flows"
    label = "flows"
    verbose_name = "Business stories"
