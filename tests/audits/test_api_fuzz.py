"""A property-based fuzz of the whole JSON API: Schemathesis generates calls from the OpenAPI
document (valid and invalid input alike) for every operation, and each answer must be no server
error and must match what the document declares (status code, content type and body).

The calls go to the Django app in-process, as an admin (who may do everything), against a small
book seeded below, so that generated ids often name real objects. The number of examples per
operation is bounded and the generation derandomized, so the run is the same on every machine
and takes a minute or two.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from trueup.accounts.models import User
from trueup.accounts.services import api_token_create
from trueup.api.site import api
from trueup.audits.models import Audit
from trueup.billing.models import Outreach
from trueup.billing.services import outreach_release
from trueup.flows import results
from trueup.payroll.services import payroll_import_preview

# Every operation gets this many generated calls; 21 operations make about a thousand.
EXAMPLES_PER_OPERATION = 50

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
schema.app = get_wsgi_application()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
REGISTER = b"""employee,employee_id,state,class,check_date,earnings_code,amount,officer
Framing crew,E1,IN,5645,2025-01-10,regular,"200,000.00",
Office,E2,IN,8810,2025-03-14,regular,"61,250.00",
"""


@pytest.fixture
def book(
    db: None, audit: Audit, auditor: User, reviewer: User, admin_user: User
) -> Iterator[dict[str, Any]]:
    """The example audit in progress, a second one completed and released to billing, a payroll
    import, and an admin's API key."""
    completed = Audit.objects.create(period=audit.period, status="in_progress", assignee=auditor)
    for line in audit.payroll.all():
        line.pk = None
        line.audit = completed
        line.save()
    results.audit_approve(audit=results.audit_submit(audit=completed, by=auditor), by=reviewer)
    instruction = outreach_release(
        outreach=Outreach.objects.get(audit=completed), by=reviewer, reason="explained"
    )
    imported = payroll_import_preview(
        audit=audit, by=admin_user, data=REGISTER, filename="register.csv"
    )
    _, key = api_token_create(user=admin_user, name="fuzz")
    # The app is called as a server would call it, and a server closes its database connection
    # after each request: that would close the test's transaction. Django's test client does the
    # same as here while it calls the app.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "key": key,
        "ids": {
            "audit_id": [audit.pk, completed.pk],
            "instruction_id": [instruction.pk],
            "import_id": [imported.pk],
            "number": [audit.period.policy.number],
        },
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _aim(case: Any, ids: dict[str, list[Any]]) -> None:
    """Point three calls in four at the seeded objects; the fourth keeps its generated id (a
    missing object, or a wrong one)."""
    for name, real in ids.items():
        value = case.path_parameters.get(name) if case.path_parameters else None
        if value is None:
            continue
        pick = value if isinstance(value, int) else len(str(value))
        if pick % 4:
            case.path_parameters[name] = real[pick % len(real)]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_call_makes_a_server_error_or_breaks_the_schema(case: Any, book: dict[str, Any]) -> None:
    _aim(case, book["ids"])
    case.call_and_validate(headers={"Authorization": f"Bearer {book['key']}"}, checks=CHECKS)
