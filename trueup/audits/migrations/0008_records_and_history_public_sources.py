from django.db import migrations

# The scheduling rules first cited the team's own notes ("(WORKFLOW.md §2)"), which no user can
# open, and the records checklists and scheduling history copied them. Those copies get the
# public source (or none) the rules now give; anything else written there is kept.
SOURCES = (
    (
        "FL: on-site annual audit where construction premium is over $10,000 (RULES.md §7)",
        "FL: on-site annual audit where construction premium is over $10,000 (Florida Statutes §440.381(3) and the payroll audit rules adopted under it)",
    ),
    (
        "CA: in-person audit for C-39 roofing contractors (RULES.md §7)",
        "CA: in-person audit for C-39 roofing contractors (California Insurance Code §11665(a))",
    ),
    (
        "Larger accounts are audited in the field; under $10,000 by self-audit (ANCHORS.md)",
        "Larger accounts are audited in the field; under $10,000 by self-audit (the carrier's choice)",
    ),
    (
        "Default: online self-audit for small accounts (ANCHORS.md)",
        "Default: online self-audit for small accounts (the carrier's choice)",
    ),
    (
        "Waived audits: estimate stands, zero adjustment; insured may request an audit within the request window (WORKFLOW.md §1). Threshold is the carrier's choice (illustrative).",
        "Waived audits: estimate stands, zero adjustment; insured may request an audit within the request window. Threshold is the carrier's choice (illustrative).",
    ),
    (
        "Payroll by employee: gross, overtime separately, duties/class, tips (WORKFLOW.md §2)",
        "Payroll by employee: gross, overtime separately, duties/class, tips (NCCI Basic Manual Rule 2, payroll and overtime)",
    ),
    (
        "Verification: the quarterly 941s must reconcile to the payroll register (WORKFLOW.md §2)",
        "Verification: the quarterly 941s must reconcile to the payroll register (IRS Form 941, lines 2 and 5c)",
    ),
    (
        "Verification: state unemployment reports by quarter (WORKFLOW.md §2; DATA-FORMATS.md)",
        "Verification: the state unemployment wage reports, quarter by quarter",
    ),
    (
        "Field and virtual audits trace other labor costs through the general ledger (WORKFLOW.md §2)",
        "Field and virtual audits trace other labor costs through the general ledger",
    ),
    (
        "Cash disbursements show casual labor and subcontractors paid outside payroll (WORKFLOW.md §2)",
        "Cash disbursements show casual labor and subcontractors paid outside payroll",
    ),
    (
        "Construction: subcontractors without certificates of insurance are charged (RULES.md §3)",
        "Construction: subcontractors without certificates of insurance are charged (NCCI Basic Manual Rule 2-H-2)",
    ),
    (
        "Construction: 1099s and the 1096 list who was paid as a contractor (WORKFLOW.md §2)",
        "Construction: 1099s and the 1096 list who was paid as a contractor (IRS Forms 1099-NEC and 1096)",
    ),
    (
        "Owners' remuneration comes from Schedule C, Schedule K or the LLC's return (RULES.md §2)",
        "Owners' remuneration comes from Schedule C, Schedule K or the LLC's return (NCCI Basic Manual Rule 2, owners and officers)",
    ),
    (
        "Trucking: owner-operators' licence, registration and auto policy (WORKFLOW.md §2)",
        "Trucking: owner-operators' licence, registration and auto policy",
    ),
    (
        "Records requests ask for a reply within a set time before an estimated audit is considered (WORKFLOW.md §5)",
        "Records requests ask for a reply within a set time before an estimated audit is considered (NCCI endorsement WC 00 04 24)",
    ),
    # The schedule patterns' sources (trueup/reference), quoted in the scheduling history.
    (
        "Final audits: target 60 days after expiry, never past 90 (WORKFLOW.md §1; seed 002)",
        "Final audits: target 60 days after expiry, never past 90 (the carrier's choice)",
    ),
    ("Cancellation audits are rush (WORKFLOW.md §1)", "Cancellation audits are rush"),
    ("Preliminary audits are rush (WORKFLOW.md §1)", "Preliminary audits are rush"),
    ("Interim audits during the term (WORKFLOW.md §1)", "Interim audits during the term"),
)


def plain_sources(apps, schema_editor):
    RecordsItem = apps.get_model("audits", "RecordsItem")
    StatusChange = apps.get_model("audits", "StatusChange")
    for old, new in SOURCES:
        RecordsItem.objects.filter(why=old).update(why=new)
        for change in StatusChange.objects.filter(reason__contains=old):
            change.reason = change.reason.replace(old, new)
            change.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [("audits", "0007_subcontractor_labor_records")]
    operations = [migrations.RunPython(plain_sources, migrations.RunPython.noop)]
