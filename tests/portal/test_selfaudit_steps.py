"""The self-audit one step at a time, as plain form posts (no JavaScript): each step keeps its
answers in the draft, Next refuses a step's mistakes naming the field, Back and the summary's
links go to earlier steps, and the last step shows every answer and the likely result before
the insured signs and submits."""

from __future__ import annotations

import html
import itertools
import re
from typing import Any

from django.test import Client
from django.test.client import Client as DjangoClient

from tests.portal.conftest import answers
from trueup.accounts.models import User
from trueup.audits.models import Audit
from trueup.audits.workflow import Status
from trueup.portal import selfaudit, words
from trueup.portal.models import SelfAudit

STEPS = ["business", "payroll", "owners", "contractors", "contact", "summary"]


def text(page: Any) -> str:  # a test client's response
    """The page's words, tags taken out and spaces run together."""
    body = re.sub(r"<(script|style|datalist)\b.*?</\1>", " ", page.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())


def step_data(step: str, given: dict[str, Any], action: str = "next") -> dict[str, str]:
    """What a step's form posts: only its own fields, with the step and the button pressed."""
    data = {"step": step, "action": action}
    for asked in selfaudit.STEP[step].asks:
        group, _, name = asked.partition(".")
        if name:
            data[asked] = given[group][name]
        else:
            for i, row in enumerate(given[group]):
                data |= {f"{group}.{i}.{k}": v for k, v in row.items()}
    return data


def signed_in(user: User) -> DjangoClient:
    client = Client()
    client.force_login(user)
    return client


def url(audit: Audit, step: str = "") -> str:
    return f"/portal/audits/{audit.pk}/self-audit/" + (f"?step={step}" if step else "")


def test_the_form_has_six_steps_each_with_its_progress_and_title(
    requested: Audit, policyholder: User
) -> None:
    client = signed_in(policyholder)
    found = []
    for step in STEPS:
        body = client.get(url(requested, step)).content.decode()
        progress = re.search(r'<p class="step-progress" id="progress">(.*?)</p>', body)
        title = re.search(r'<h2 class="step-title">(.*?)</h2>', body)
        assert progress is not None and title is not None, step
        found.append(re.sub(r"<[^>]+>", "", f"{progress.group(1)}: {title.group(1)}"))
    assert found == [
        "Step 1 of 6 · next: Payroll by class: Your business and the policy period",
        "Step 2 of 6 · next: Owners and officers: Payroll by class",
        "Step 3 of 6 · next: Subcontractors and temporary labor: Owners and officers",
        "Step 4 of 6 · next: Anything else, and who is completing this form: Subcontractors and "
        "temporary labor",
        "Step 5 of 6 · next: Check your answers and submit: Anything else, and who is completing "
        "this form",
        "Step 6 of 6: Check your answers and submit",
    ]


def test_the_first_step_is_the_business_and_the_policy_period(
    requested: Audit, policyholder: User
) -> None:
    page = signed_in(policyholder).get(url(requested))
    assert page.status_code == 200
    body = page.content.decode()
    assert (
        "Policy WC-2025-01001, from January 1, 2025 to January 1, 2026. The questions are about "
        "this period only." in text(page)
    )
    # A plain form post: the step's name travels with it, nothing needs a script.
    assert '<form method="post" action="?step=business"' in body
    assert '<input type="hidden" name="step" value="business">' in body
    assert '<a href="/portal/glossary/">glossary of audit terms</a>' in body
    assert "position: sticky" not in body


def test_walking_every_step_keeps_the_answers_and_submits_them(
    requested: Audit, policyholder: User
) -> None:
    client = signed_in(policyholder)
    given = answers()
    for step, following in itertools.pairwise(STEPS):
        answer = client.post(url(requested), step_data(step, given))
        assert (answer.status_code, answer["Location"]) == (302, url(requested, following)), step
    draft = SelfAudit.objects.get(audit=requested)
    assert draft.status == "draft"
    assert draft.answers["business"] == given["business"]
    assert draft.answers["payroll"] == given["payroll"]
    assert draft.answers["owners"] == given["owners"]
    assert draft.answers["contractors"] == given["contractors"]
    assert draft.answers["completed_by"] == given["completed_by"] | {
        "attest": "",
        "signature": "",
    }

    summary = client.get(url(requested, "summary"))
    assert summary.status_code == 200
    words_on_page = text(summary)
    assert (
        "Based on what you entered, your premium would be about $5,622 more than estimated "
        "($25,277 against $19,655 estimated), because:" in words_on_page
    )
    assert "Pre-tax deductions for health or flexible-spending plans ($8,000) count as pay" in (
        words_on_page
    )
    assert (
        "The extra half of overtime paid at time-and-a-half is not charged: $10,000 of the "
        "$30,000 overtime" in words_on_page
    )
    assert "Section 125" not in words_on_page and "rule book" not in words_on_page
    # Every answer, step by step, with a way back to each step.
    assert (
        "Your business and the policy period Change your business and the policy period What "
        "your business does Residential framing and finish carpentry" in words_on_page
    )
    assert (
        "IN 5645 Framing and carpentry on houses, Quarter 1 (Jan 1 – Mar 31, 2025) Gross payroll "
        "110,000 Overtime (total paid) 7,500 Pre-tax health or flexible-spending deductions "
        "2,000" in words_on_page
    )
    assert (
        "Dana Hoosier Name Dana Hoosier Title Managing member Position LLC member or manager "
        "What they do Runs the office Share of the business they own (%) 100 Covered by the "
        "policy? Covered by the policy State IN Class code of their work 8810 Their pay for the "
        "period 52,000" in words_on_page
    )
    assert (
        "Ace Drywall Name Ace Drywall Kind Subcontractor Work they did Drywall State IN Class "
        "code of the work 5645 Contract Labor and materials Amount paid in the period 40,000 Of "
        "which labor (if known) 25,000 Certificate of insurance? No" in words_on_page
    )
    assert (
        "Changes during the policy period (new kinds of work, places or owners) None Your name "
        "Dana Hoosier Your title Managing member Phone 317-555-0142" in words_on_page
    )
    for step in STEPS[:-1]:
        assert f'href="?step={step}"' in summary.content.decode()

    done = client.post(
        url(requested),
        step_data("summary", given, action="submit"),
    )
    assert (done.status_code, done["Location"]) == (302, f"/portal/audits/{requested.pk}/")
    requested.refresh_from_db()
    assert requested.status == Status.RECORDS_RECEIVED
    assert [(p.class_code, str(p.gross)) for p in requested.payroll.all()] == [
        ("5645", "440000.00"),
        ("8810", "60000.00"),
    ]
    assert SelfAudit.objects.get(audit=requested).status == "submitted"


def test_next_refuses_a_steps_mistake_naming_the_field_and_keeps_what_was_typed(
    requested: Audit, policyholder: User
) -> None:
    client = signed_in(policyholder)
    given = answers()
    given["payroll"][0]["gross"] = "lots"
    refused = client.post(url(requested), step_data("payroll", given))
    assert refused.status_code == 422
    page = text(refused)
    assert (
        "Step 2 of 6 · next: Owners and officers Step 2 of 6 Payroll by class Please correct 1 "
        "thing Payroll by class, row 1 (IN 5645, quarter 1): Gross payroll must be an amount in "
        "dollars, like 12,500.00" in page
    )
    body = refused.content.decode()
    assert (
        '<input id="payroll-0-gross" name="payroll.0.gross" value="lots" inputmode="decimal" '
        'aria-invalid="true" aria-describedby="payroll-0-gross-error">' in body
    )
    assert SelfAudit.objects.get().answers["payroll"][0]["gross"] == "lots"
    # Back is never refused: the mistake stays in the draft for later.
    back = client.post(url(requested), step_data("payroll", given, action="back"))
    assert (back.status_code, back["Location"]) == (302, url(requested, "business"))


def test_the_contact_step_needs_a_name_a_phone_and_an_e_mail(
    requested: Audit, policyholder: User
) -> None:
    given = answers()
    given["completed_by"] |= {"name": "", "email": "dana at hoosier"}
    refused = signed_in(policyholder).post(url(requested), step_data("contact", given))
    assert refused.status_code == 422
    assert (
        "Please correct 2 things Who is completing this form: the name of the person who "
        "completed the form is needed Who is completing this form: enter a valid e-mail address"
        in text(refused)
    )


def test_a_step_posts_only_its_own_answers_and_the_rest_of_the_draft_is_kept(
    requested: Audit, policyholder: User
) -> None:
    client = signed_in(policyholder)
    client.post(url(requested), step_data("payroll", answers()))
    given = answers()
    given["business"]["operations"] = "Framing"
    saved = client.post(url(requested), step_data("business", given, action="save"))
    assert (saved.status_code, saved["Location"]) == (302, url(requested, "business"))
    draft = SelfAudit.objects.get().answers
    assert draft["business"]["operations"] == "Framing"
    assert draft["payroll"] == answers()["payroll"]
    again = client.get(url(requested, "business"))
    assert "Your draft is saved. You can come back to it at any time." in text(again)


def test_the_summary_lists_what_earlier_steps_still_need_with_a_link_to_each(
    requested: Audit, policyholder: User
) -> None:
    client = signed_in(policyholder)
    page = client.get(url(requested, "summary"))
    assert page.status_code == 200
    assert (
        "Before you submit, please correct 4 things Who is completing this form: the name of "
        "the person who completed the form is needed Go to “Anything else, and who is "
        "completing this form” Who is completing this form: a phone number for follow-up is "
        "needed Go to “Anything else, and who is completing this form” Who is completing this "
        "form: an e-mail address for follow-up is needed Go to “Anything else, and who is "
        "completing this form” Payroll by class: enter the payroll for at least one class Go to "
        "“Payroll by class”" in text(page)
    )
    assert '<a href="?step=payroll">Go to “Payroll by class”</a>' in page.content.decode()
    assert "Your likely result" not in text(page)


def test_submitting_without_the_attestation_is_refused_and_writes_nothing(
    requested: Audit, policyholder: User
) -> None:
    client = signed_in(policyholder)
    given = answers()
    for step in STEPS[:-1]:
        client.post(url(requested), step_data(step, given))
    given["completed_by"] |= {"attest": "", "signature": "D. H."}
    refused = client.post(url(requested), step_data("summary", given, action="submit"))
    assert refused.status_code == 422
    assert (
        "Before you submit, please correct 2 things Check and submit: tick the box to confirm "
        "the information is true Check and submit: type the same name as the person who "
        "completed the form" in text(refused)
    )
    requested.refresh_from_db()
    assert requested.status == Status.RECORDS_REQUESTED
    assert requested.payroll.count() == 0
    assert SelfAudit.objects.get().answers["completed_by"]["signature"] == "D. H."


def test_the_glossary_explains_each_audit_term_in_plain_words(
    requested: Audit, policyholder: User
) -> None:
    client = signed_in(policyholder)
    page = client.get("/portal/glossary/")
    assert page.status_code == 200
    assert [t.term for t in words.glossary()] == [
        "Premium audit",
        "Payroll",
        "Overtime premium portion",
        "Classification (class code)",
        "Experience modification",
        "Certificate of insurance",
        "Additional premium",
        "Return premium",
        "Subcontractor",
        "Officer (or owner)",
    ]
    body = page.content.decode()
    assert '<a href="/portal/glossary/">Audit terms</a>' in body  # in every portal page's menu
    for term in words.glossary():
        assert f'<dt id="{term.key}">{term.term}</dt>' in body
    assert (
        "Certificate of insurance A document from another business's insurer showing that it "
        "had its own workers' compensation insurance, and for which dates." in text(page)
    )
    # The steps link to the terms they use.
    payroll_step = client.get(url(requested, "payroll")).content.decode()
    assert '<a href="/portal/glossary/#payroll">payroll</a>' in payroll_step
    assert '<a href="/portal/glossary/#overtime">overtime</a>' in payroll_step
    contractors_step = client.get(url(requested, "contractors")).content.decode()
    assert (
        '<a href="/portal/glossary/#certificate-of-insurance">certificate of insurance</a>'
        in contractors_step
    )


def test_the_engines_jargon_is_put_in_plain_words() -> None:
    assert words.plain("Section 125 salary reductions $8,000 stay in payroll") == (
        "Pre-tax deductions for health or flexible-spending plans ($8,000) count as pay"
    )
    assert words.plain(
        "Pat Doe (Partner), included (included): actual pay $40,000 (no limits in the rule book)"
    ) == (
        "Pat Doe (Partner), covered by the policy: their actual pay of $40,000 counts in full "
        "(this state sets no minimum or maximum for owners)"
    )


def test_an_agent_reads_the_glossary_too(agent_user: User) -> None:
    page = signed_in(agent_user).get("/portal/glossary/")
    assert page.status_code == 200
    assert (
        "Overtime premium portion The extra part of overtime pay above the normal hourly rate"
        in (text(page))
    )
