"""The audit page's layout for auditors and reviewers: links to each section that work without a
script, and each class's premium with a "why?" that arrives at the figure shown."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trueup.accounts.models import User
from trueup.audits.models import Audit, Finding
from trueup.audits.services import audit_submit
from trueup.audits.workflow import Status

SECTIONS = [
    ("summary", "Summary"),
    ("worksheet", "Worksheet"),
    ("result", "Result"),
    ("records", "Records"),
    ("portal", "Portal"),
    ("outreach-and-billing", "Outreach and billing"),
    ("history", "History"),
]


def page_and_queries(user: User, audit: Audit) -> tuple[str, list[str]]:
    """The audit page as ``user`` sees it, and the SQL of each query it made."""
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/audits/{audit.pk}/")
    assert answer.status_code == 200
    return answer.content.decode(), [q["sql"] for q in queries.captured_queries]


def audit_page(user: User, audit: Audit) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/audits/{audit.pk}/").content.decode()


def test_the_audit_page_links_to_each_of_its_sections_in_page_order(
    audit: Audit, auditor: User
) -> None:
    page = audit_page(auditor, audit)
    nav = re.search(
        r'<nav class="sections" aria-label="Sections of this audit">(.*?)</nav>', page, re.S
    )
    assert nav is not None
    links = re.findall(r'<a href="#([a-z-]+)">([^<]+)</a>', nav.group(1))
    assert links == SECTIONS
    # Every target is on the page (no script needed to reach it), each after the one before.
    positions = [page.index(f'id="{target}"') for target, _ in SECTIONS]
    assert positions == sorted(positions)


def test_the_ids_other_pages_and_htmx_use_are_kept(audit: Audit, auditor: User) -> None:
    page = audit_page(auditor, audit)
    for target in (
        "status",
        "interviews",
        "findings",
        "letters",
        "estimated-premium",
        "adjustment",
    ):
        assert f'id="{target}"' in page


def test_each_class_premium_and_its_why_show_the_same_figure(audit: Audit, auditor: User) -> None:
    page = audit_page(auditor, audit)
    # Class 5645: estimated $19,340.72 and audited $23,897.20 in the cells, each "why?" going
    # from the manual premium to that figure.
    estimated_cell = (
        '<td class="num">$19,340.72<details class="why"><summary>why?<span class="visually-hidden">'
        " (IN 5645, estimated premium)</span></summary><ul>\n"
        "<li>class 5645: $350,000 × 6.298 per $100 of payroll = $22,043"
    )
    assert estimated_cell in page
    assert (
        "<li>manual premium $22,043; after experience modification and premium discount "
        "$19,340.72</li>" in page
    )
    assert '<td class="num">$23,897.20<details class="why">' in page
    assert (
        "<li>manual premium $27,490.77; after experience modification and premium discount "
        "$23,897.20</li>" in page
    )
    assert (
        "<li>manual premium $84.53; after experience modification and premium discount "
        "$73.48</li>" in page
    )


def test_the_audit_page_reads_each_kind_of_fact_it_holds_once_and_the_empty_ones_never(
    audit: Audit, auditor: User
) -> None:
    # The editor, the live rating and the flags each read the facts: from one read of them.
    Finding.objects.create(audit=audit, kind="other", text="Payroll tied to the 941s.", by=auditor)
    page, queries = page_and_queries(auditor, audit)
    tables = (
        "audits_payrollentry",
        "audits_ownerentry",
        "audits_subcontractorentry",
        "audits_glexposureentry",
        "policies_estimatedexposure",
        "audits_finding",  # the findings section and where practice notes apply
    )
    reads = {
        table: sum(sql.startswith(f'SELECT "{table}"."id"') for sql in queries) for table in tables
    }
    # The audit has payroll, an estimate and a finding; no owners, subcontractors or GL.
    assert reads == {
        "audits_payrollentry": 1,
        "audits_ownerentry": 0,
        "audits_subcontractorentry": 0,
        "audits_glexposureentry": 0,
        "policies_estimatedexposure": 1,
        "audits_finding": 1,
    }
    assert "Payroll tied to the 941s." in page
    # Whether each section's tables hold rows (facts, records, portal, billing, letters,
    # endorsements, flags) is asked once for the whole page.
    assert sum(sql.startswith("SELECT EXISTS") for sql in queries) == 1


def test_a_completed_audits_page_reads_its_pinned_result_once(
    audit: Audit, auditor: User, manager: User
) -> None:
    # The result section and the flags both read the stored result: from one read of it.
    completed = audit_submit(audit=audit, by=manager)
    assert completed.status == Status.COMPLETED
    page, queries = page_and_queries(auditor, audit)
    reads = [sql for sql in queries if 'FROM "audits_resultsnapshot"' in sql]
    assert len(reads) == 1
    assert f'WHERE "audits_resultsnapshot"."id" = {completed.final_result_id} ' in reads[0]
    assert 'id="audited-premium">$24,230<' in page


def test_an_audit_with_nothing_in_its_portal_billing_letters_or_endorsements_reads_none_of_them(
    audit: Audit, auditor: User
) -> None:
    # One query of EXISTS per section says the tables hold nothing for this audit: the page does
    # not build a query for each of them to find it out.
    page, queries = page_and_queries(auditor, audit)
    empty = (
        "portal_invitation",
        "portal_portalaccess",
        "portal_message",
        "portal_selfaudit",
        "portal_accesslog",
        "billing_outreach",
        "billing_billinginstruction",
        "billing_dispute",
        "billing_paymentplan",
        "letters_letter",
        "endorsements_endorsement",
        "anomalies_flagdecision",
        "payroll_payrollimport",
        "audits_interviewnote",
        "portal_recordupload",
    )
    read = [t for t in empty for sql in queries if f'SELECT "{t}"."id"' in sql]
    assert read == []
    assert "No portal login yet." in page
    assert "No messages." in page
    assert "No letters sent." in page
