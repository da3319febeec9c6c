"""The class lookup: classes suggested for a description of operations with the words matched
and the cautions; the class table shipped and loaded by carriers; the lookup in the API and
beside the worksheet."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.audits.conftest import api_key_for
from trueup.accounts.models import Role, User
from trueup.audits.models import Audit, InterviewNote
from trueup.core.errors import InvalidInput
from trueup.policies.models import EstimatedExposure
from trueup.portal import selfaudit
from trueup.rating.rates import demo_rates
from trueup.rating.rulebook import default_rulebook
from trueup.reference.classes import SYSTEMS, suggest, system_for
from trueup.reference.models import ClassCode, ClassSource
from trueup.reference.services import class_table_load, class_table_ship

ON = date(2025, 6, 1)
EVAL = Path(__file__).with_name("class_eval.csv")
pytestmark = pytest.mark.usefixtures("shipped_classes")
STANDARD_EXCEPTION_8810 = (
    "8810 is a standard exception: only for employees who do no other work for the business. "
    "Anyone who also does the business's other work goes to its governing class."
)


def codes(query: str, state: str = "IN") -> list[str]:
    return [s.code for s in suggest(query, state=state, on=ON).suggestions]


def test_drywall_and_framing_suggests_drywall_first_and_warns_of_one_governing_class(
    db: None,
) -> None:
    found = suggest("we install drywall and do some framing", state="IN", on=ON)
    first = found.suggestions[0]
    assert (first.code, first.description, first.matched) == (
        "5445",
        "Drywall installation",
        ("drywall",),
    )
    framing = next(s for s in found.suggestions if s.code == "5645")
    assert framing.matched == ("framing",)
    assert framing.rated and framing.rate_description == "Framing and carpentry on houses"
    assert any(
        w.startswith("The description also fits ")
        and "5645" in w
        and "a business takes one governing class (the one with the most payroll)" in w
        for w in first.warnings
    )
    assert found.code_system == "NCCI"
    assert not first.rated  # Indiana's demo rates have no 5445


def test_office_staff_suggests_clerical_with_its_standard_exception_warning(db: None) -> None:
    first = suggest("office staff answering phones", state="IN", on=ON).suggestions[0]
    assert first.code == "8810"
    assert first.matched == ("office", "answering", "phones")
    assert first.warnings == (STANDARD_EXCEPTION_8810,)
    assert first.standard_exception


def test_california_carpentry_names_the_dual_wage_pair_and_its_threshold(db: None) -> None:
    found = suggest("carpentry on a commercial job", state="CA", on=ON)
    assert found.code_system == "WCIRB"
    assert [s.code for s in found.suggestions[:2]] == ["5432", "5403"]
    assert found.suggestions[1].warnings == (
        "Dual-wage pair 5403/5432 (carpentry): workers paid $41 an hour or more go to 5432, the "
        "others to 5403. Without records of each worker's hourly wage, the payroll goes to 5403.",
    )


def test_typos_and_spanish_words_still_find_the_class(db: None) -> None:
    assert codes("drywal hanging")[0] == "5445"
    assert codes("limpieza de oficinas")[0] == "9014"
    assert codes("jardinería y cortar césped")[0] == "0042"
    assert codes("roofng company")[0] == "5551"


def test_each_state_is_searched_in_its_own_code_system(db: None) -> None:
    assert codes("roofing contractor", "PA")[0] == "659"
    assert codes("lawn care", "DE")[0] == "0012"
    new_york = suggest("roofing", state="NY", on=ON)
    assert new_york.code_system == "NYCIRB"
    assert new_york.suggestions[0].code == "5551"
    assert new_york.notes == (
        "New York (NYCIRB) classification codes: no class table of the bureau's own is loaded; "
        "the descriptions shown are for the NCCI-numbered classes. Check the code in the "
        "bureau's manual.",
    )
    general_liability = suggest("apartment building", state="IN", line="GL", on=ON)
    assert general_liability.suggestions[0].code == "60010"


def test_a_description_that_is_empty_or_a_state_without_rules_is_refused(db: None) -> None:
    with pytest.raises(InvalidInput) as empty:
        suggest("  ", state="IN")
    assert [(p.path, p.reason) for p in empty.value.problems] == [
        ("q", "describe the work done, e.g. 'we hang drywall'")
    ]
    for line in ("WC", "GL"):
        with pytest.raises(InvalidInput) as unknown:
            suggest("roofing", state="ZZ", line=line)
        assert [(p.path, p.reason) for p in unknown.value.problems] == [
            ("state", "'ZZ' is not a state TrueUp has rules for")
        ]


def test_the_evaluation_set_finds_the_expected_class_in_the_top_three_nine_times_in_ten(
    db: None,
) -> None:
    with EVAL.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 200
    hits = sum(
        row["expected"]
        in [s.code for s in suggest(row["description"], state=row["state"], limit=3).suggestions]
        for row in rows
    )
    assert hits / len(rows) >= 0.9


# --- The shipped table -----------------------------------------------------------------------


def test_every_class_of_the_demo_rate_table_has_a_shipped_description(db: None) -> None:
    rates = demo_rates()
    missing = []
    for state in default_rulebook().states():
        for line in ("WC", "GL"):
            rows = rates.classes(state, line, ON)
            system = system_for(state, line, ON)
            systems = [system, SYSTEMS[system].get("shipped_from", system)]
            have = set(
                ClassCode.objects.filter(code_system__in=systems).values_list("code", flat=True)
            )
            missing += [f"{state} {line} {r.class_code}" for r in rows if r.class_code not in have]
    assert missing == []
    assert ClassCode.objects.filter(code_system="NCCI").count() >= 120
    assert not ClassCode.objects.exclude(source=ClassSource.SHIPPED).exists()


def test_shipped_standard_exceptions_and_dual_wage_pairs_agree_with_the_rule_book(
    db: None,
) -> None:
    ncci = default_rulebook().rules_for("IN", ON).require("classification")
    flagged = ClassCode.objects.filter(code_system="NCCI", standard_exception=True)
    assert sorted(flagged.values_list("code", flat=True)) == sorted(
        ncci.items("standard_exceptions")
    )
    california = default_rulebook().rules_for("CA", ON).require("dual_wage")
    pairs = {(p["low"], p["high"]) for p in california.items("pairs")}
    shipped = {
        tuple(sorted((c.code, c.dual_wage_pair)))
        for c in ClassCode.objects.filter(code_system="WCIRB").exclude(dual_wage_pair="")
    }
    assert shipped == {tuple(sorted(p)) for p in pairs}


# --- Carriers' classes loaded by CSV ---------------------------------------------------------

GOOD_ROW = "NCCI,5445,Wallboard hanging and finishing (carrier wording),gypsum panels; zorblat\n"
HEADER = "code_system,code,description,keywords\n"


def test_a_carriers_csv_replaces_the_description_and_the_index_follows(db: None) -> None:
    assert codes("zorblat") == []
    loaded = class_table_load(csv_text=HEADER + GOOD_ROW, by=None)
    assert loaded == 1
    row = ClassCode.objects.get(code_system="NCCI", code="5445")
    assert (row.description, row.source) == (
        "Wallboard hanging and finishing (carrier wording)",
        ClassSource.CARRIER,
    )
    found = suggest("zorblat", state="IN", on=ON).suggestions[0]
    assert (found.code, found.source, found.matched) == ("5445", "carrier", ("zorblat",))


def test_a_csv_with_bad_rows_names_each_row_and_writes_nothing(db: None) -> None:
    text = (
        HEADER
        + GOOD_ROW
        + "NCCI,54A5,Bad code,\n"
        + "XYZ,5445,Unknown system,\n"
        + "NCCI,5551,,\n"
        + "NCCI,5445,The same code again,\n"
    )
    with pytest.raises(InvalidInput) as refused:
        class_table_load(csv_text=text, by=None)
    assert [str(p) for p in refused.value.problems] == [
        "row 3.code: 54A5: not a code of NCCI classification codes",
        "row 4.code_system: XYZ: not one of DCRB, ISO, NCCI, NJCRIB, NYCIRB, PCRB, WCIRB, WCRIBMA",
        "row 5.description: is empty",
        "row 6.code: 5445 is already on row 2",
    ]
    assert ClassCode.objects.get(code_system="NCCI", code="5445").source == ClassSource.SHIPPED
    assert not ClassCode.objects.filter(source=ClassSource.CARRIER).exists()


def test_shipping_again_keeps_a_carriers_rows_and_restores_shipped_wording(db: None) -> None:
    assert class_table_ship() == 0
    class_table_load(csv_text=HEADER + GOOD_ROW, by=None)
    ClassCode.objects.filter(code_system="NCCI", code="5551").update(description="changed")
    assert class_table_ship() == 1
    assert ClassCode.objects.get(code_system="NCCI", code="5551").description == (
        "Roof installation and repair"
    )
    assert ClassCode.objects.get(code_system="NCCI", code="5445").source == ClassSource.CARRIER


def test_a_csv_without_the_required_columns_is_refused(db: None) -> None:
    with pytest.raises(InvalidInput) as refused:
        class_table_load(csv_text="code,description\n5445,x\n", by=None)
    assert str(refused.value) == "header: missing column code_system"


@pytest.fixture
def admin_client(db: None) -> tuple[Client, User]:
    user = User.objects.create(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client, user


def test_the_admin_loads_a_carriers_csv_and_refuses_a_bad_one_whole(
    admin_client: tuple[Client, User],
) -> None:
    client, user = admin_client
    assert "Load classes from CSV" in client.get("/admin/reference/classcode/").content.decode()
    bad = SimpleUploadedFile("classes.csv", (HEADER + GOOD_ROW + "NCCI,1,Too short,\n").encode())
    page = client.post("/admin/reference/classcode/load/", {"upload": bad})
    assert page.status_code == 200
    assert "row 3.code: 1: not a code of NCCI classification codes" in page.content.decode()
    assert not ClassCode.objects.filter(source=ClassSource.CARRIER).exists()
    good = SimpleUploadedFile("classes.csv", ("\ufeff" + HEADER + GOOD_ROW).encode())
    done = client.post("/admin/reference/classcode/load/", {"upload": good})
    assert done.status_code == 302
    row = ClassCode.objects.get(code_system="NCCI", code="5445")
    assert (row.source, row.loaded_by) == (ClassSource.CARRIER, user)


def test_a_class_changed_by_hand_in_the_admin_becomes_the_carriers(
    admin_client: tuple[Client, User],
) -> None:
    client, user = admin_client
    row = ClassCode.objects.get(code_system="NCCI", code="5551")
    form = {
        "code_system": "NCCI",
        "line": "WC",
        "code": "5551",
        "description": "Roofing (carrier wording)",
        "basis": "payroll",
        "dual_wage_pair": "",
        "industry": "construction",
        "keywords": row.keywords,
    }
    assert client.post(f"/admin/reference/classcode/{row.pk}/change/", form).status_code == 302
    row.refresh_from_db()
    assert (row.description, row.source, row.loaded_by) == (
        "Roofing (carrier wording)",
        ClassSource.CARRIER,
        user,
    )


# --- The API ---------------------------------------------------------------------------------


def api(user: User | None, query: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_key_for(user)}") if user else Client()
    answer = client.get(f"/api/classes?{query}")
    return answer.status_code, answer.json()


def test_staff_look_up_classes_in_the_api(audit: Audit, auditor: User) -> None:
    status, body = api(auditor, "state=IN&q=we+pour+concrete+driveways&limit=2")
    assert status == 200
    assert (body["state"], body["code_system"], body["line"]) == ("IN", "NCCI", "WC")
    first = body["suggestions"][0]
    assert (first["code"], first["description"], first["matched"], first["rated"]) == (
        "5221",
        "Concrete slabs, walks and driveways",
        ["pour", "concrete", "driveways"],
        True,
    )
    assert len(body["suggestions"]) <= 2


def test_portal_users_and_callers_without_a_key_may_not_look_up_classes(
    audit: Audit, policyholder: User, agent_user: User
) -> None:
    # A key left on an account that became a portal login is refused as no key at all.
    assert api(policyholder, "state=IN&q=roofing")[0] == 401
    assert api(agent_user, "state=IN&q=roofing")[0] == 401
    assert api(None, "state=IN&q=roofing")[0] == 401


@pytest.mark.parametrize(
    "role", [Role.AUDITOR, Role.REVIEWER, Role.MANAGER, Role.BILLING, Role.UNDERWRITER, Role.ADMIN]
)
def test_every_staff_role_may_look_up_classes(db: None, role: str) -> None:
    user = User.objects.create(username=f"staff-{role}", role=role)
    assert api(user, "state=IN&q=roofing")[0] == 200


def test_the_api_names_the_parameter_it_cannot_use(audit: Audit, auditor: User) -> None:
    status, body = api(auditor, "state=IN")
    assert (status, [p["path"] for p in body["problems"]]) == (422, ["query.q"])
    status, body = api(auditor, "state=ZZ&q=roofing")
    assert (status, body["problems"]) == (
        422,
        [{"path": "state", "reason": "'ZZ' is not a state TrueUp has rules for"}],
    )


# --- Beside the worksheet --------------------------------------------------------------------


def test_the_worksheet_offers_the_lookup_with_labels(audit: Audit, auditor: User) -> None:
    client = Client()
    client.force_login(auditor)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert 'role="search" aria-label="Find a class"' in page
    assert '<label for="class-lookup-q">What is the work done?' in page
    assert '<label for="class-lookup-state">State' in page


def test_the_lookup_answers_a_page_without_script_and_the_suggestions_with_htmx(
    audit: Audit, auditor: User
) -> None:
    client = Client()
    client.force_login(auditor)
    url = f"/audits/{audit.pk}/classes/?state=IN&q=we+hang+drywall"
    page = client.get(url).content.decode()
    assert "<h1>Find a class</h1>" in page
    assert '<li id="class-suggestion-5445">' in page
    assert "Matched: drywall" in page
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<h1>" not in partial
    assert '<li id="class-suggestion-5445">' in partial
    assert "(no rate in the rate table in use for IN)" in partial


def test_an_interviews_operations_link_to_the_classes_that_fit_beside_the_policys(
    audit: Audit, auditor: User
) -> None:
    InterviewNote.objects.create(
        audit=audit, kind="entrance", held_on=ON, contact="Dana", operations="we frame houses"
    )
    client = Client()
    client.force_login(auditor)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    link = f'<a href="/audits/{audit.pk}/classes/?q=we%20frame%20houses">'
    assert link + "Classes that fit these operations</a>" in page
    lookup = client.get(f"/audits/{audit.pk}/classes/?q=we%20frame%20houses").content.decode()
    assert "<li>IN 5645: Framing and carpentry on houses</li>" in lookup
    assert "<li>IN 8810: Office and clerical staff</li>" in lookup
    assert '<li id="class-suggestion-5645">' in lookup


def test_the_worksheet_lookup_is_for_staff_only(audit: Audit, policyholder: User) -> None:
    client = Client()
    client.force_login(policyholder)
    assert client.get(f"/audits/{audit.pk}/classes/?state=IN&q=roofing").status_code == 403


# --- The self-audit --------------------------------------------------------------------------


def test_the_self_audit_names_a_class_the_rate_table_does_not_describe(audit: Audit) -> None:
    EstimatedExposure.objects.create(
        period=audit.period, state="IN", class_code="5445", exposure=Decimal("1000")
    )
    classes = {c["class_code"]: c["description"] for c in selfaudit.policy_classes(audit)}
    assert classes["5445"] == "Drywall installation"
    assert classes["5645"] == "Framing and carpentry on houses"
