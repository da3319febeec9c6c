from django.urls import path

from trueup.web.staff.payroll import views

app_name = "payroll"
urlpatterns = [
    path("<int:pk>/payroll/", views.payroll_home, name="home"),
    path("<int:pk>/payroll/<int:item>/", views.preview, name="preview"),
    path("<int:pk>/payroll/<int:item>/commit/", views.commit, name="commit"),
    path("<int:pk>/payroll/<int:item>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/payroll/<int:item>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/payroll/filings/", views.filing, name="filing"),
    path("<int:pk>/payroll/state-wage-reports/", views.state_wage_report, name="state_wage_report"),
    path("<int:pk>/payroll/employees/", views.employee_class, name="employee_class"),
    path(
        "<int:pk>/payroll/answers/<int:answer>/remove/", views.answer_remove, name="answer_remove"
    ),
]
