from django.contrib import admin

from trueup.policies.models import Agency, Agent, EstimatedExposure, Insured, Policy, PolicyPeriod


class EstimateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EstimatedExposure
    extra = 0


@admin.register(PolicyPeriod)
class PolicyPeriodAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("policy", "effective", "expiration", "cancellation_date")
    inlines = [EstimateInline]


admin.site.register([Agency, Agent, Insured, Policy])
