from django.apps import AppConfig


class PayrollConfig(AppConfig):
    name = "trueup.payroll"
    label = "payroll"
    verbose_name = "Payroll imports and reconciliation"
