from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trueup.notifications"
    verbose_name = "Notifications for staff"
