"""The audit's enumerations in the portal reader's language (``trueup.portal.labels``)."""

from __future__ import annotations

from django import template

from trueup.portal import labels

register = template.Library()

register.filter("access_kind", labels.access_kind)
register.filter("audit_status", labels.status)
register.filter("audit_type", labels.audit_type)
register.filter("record_kind", labels.record_kind)
register.filter("record_status", labels.record_status)
