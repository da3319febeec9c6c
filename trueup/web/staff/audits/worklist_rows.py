"""The worklist's lines, each rendered once per distinct content. A line's HTML depends only on
what it shows (the row's values, whether it is overdue, the language), so that is its cache key:
an audit that changes is a new key, and no cached line can go stale. Rendering a line is most of
a worklist page's time; staff page back and forth over the same audits."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from trueup.audits.models import AuditType, Method
from trueup.audits.selectors import WorklistRow
from trueup.audits.workflow import Status


def line_html(row: WorklistRow, overdue: bool) -> SafeString:
    return _rendered(row, overdue, translation.get_language())


@lru_cache(maxsize=settings.TRUEUP_WORKLIST_LINES_KEPT)
def _rendered(row: WorklistRow, overdue: bool, language: str) -> SafeString:
    line = {
        "overdue": overdue,
        "type": dict(AuditType.choices).get(row.type, row.type),
        "method": dict(Method.choices).get(row.method, row.method),
        "status": dict(Status.choices).get(row.status, row.status),
    }
    with translation.override(language):
        html = render_to_string("audits/_worklist_row.html", {"a": row, "line": line})
    return SafeString(html.strip())
