"""Each row's state and class, and the rows that cannot be rated in them left out."""

from __future__ import annotations

import polars as pl

from trueup.payroll.ingest.columns import Headers
from trueup.payroll.ingest.facts import Options
from trueup.payroll.ingest.readers import ROW
from trueup.payroll.ingest.steps import Flag, one_amount_a_row


def _without_excluded_employees(rows: pl.DataFrame, options: Options, flag: Flag) -> pl.DataFrame:
    """Rows of employees the auditor left out (their pay is not this policy's) are named with
    the auditor's reason and left out."""
    if not options.excluded_employees:
        return rows
    reasons = dict(options.excluded_employees)
    reason = pl.coalesce(
        pl.col("employee_id").replace_strict(reasons, default=None),
        pl.col("employee").replace_strict(reasons, default=None),
    )
    marked = rows.with_columns(excluded_because=reason)
    flag(
        _each_row(marked, pl.col("excluded_because").is_not_null(), pl.col("column")),
        pl.lit(True),
        "excluded_employee",
        pl.concat_str(
            [pl.col("who"), pl.lit(" left out by the auditor: "), pl.col("excluded_because")]
        ),
    )
    return marked.filter(pl.col("excluded_because").is_null()).drop("excluded_because")


def _classify(rows: pl.DataFrame, register: Headers, options: Options, flag: Flag) -> pl.DataFrame:
    """State and class from the register, else from the employee table, else the policy's only
    state; rows still without a class, in a state not on the policy, or in a class without a rate
    are exceptions, left out of the facts."""
    rows = _state_and_class(rows, register, options, flag)
    # One exception a row for its state or class, in the column it came from (none when the
    # employee table gave it).
    # Only the columns the checks read: a copy of every column would cost a large register's
    # memory. Eagerly, in one piece: a lazy filter leaves the rows in pieces, slower to group.
    checked = rows.select(ROW, "state", "class_code", "state_final", "class_final").filter(
        rows.get_column("ok")
    )
    if not one_amount_a_row(checked):
        checked = checked.unique(ROW, keep="first")
    classified = checked.get_column(ROW)
    checked = _in_policy_states(checked, register, options, flag)
    checked = _without_decimal_classes(checked, register, flag)
    checked = _rated_classes(checked, register, options, flag)
    if checked.height == classified.len():
        return rows  # every row's state and class can be rated
    bad = classified.filter(~classified.is_in(checked.get_column(ROW).implode()))
    return rows.with_columns(ok=pl.col("ok") & ~pl.col(ROW).is_in(bad.implode()))


# Where a row's state or class may come from when the register does not say, in this order
# (the first that gives one wins), and the words the preview shows for each.
GROUP_KINDS = ("location", "department", "job")
GROUP_WORDS = {"location": "work location", "department": "department", "job": "job"}


def group_key(value: str) -> str:
    """A department, job, location or code as matched: case and spacing ignored."""
    return " ".join(value.split()).lower()


def _normalised(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


# (an expression giving a state or null, the words saying where it came from)
StateSource = tuple[pl.Expr, pl.Expr]


def _answers(options: Options) -> tuple[list[StateSource], list[pl.Expr]]:
    """Where a row's state and class come from when the register leaves them out, in order: the
    employee table, the insured's answers by work location, department and job, and for the
    state, the policy's only state."""
    table = options.employee_classes
    # An employee's row may give only a state (the register has the class) or only a class.
    by_id = {key: value[0] for key, value in table.items() if value[0]}
    class_by_id = {key: value[1] for key, value in table.items() if value[1]}

    def looked_up(mapping: dict[str, str]) -> pl.Expr:
        id_hit = pl.col("employee_id").replace_strict(mapping, default=None)
        name_hit = pl.col("employee").replace_strict(mapping, default=None)
        return pl.coalesce(id_hit, name_hit)

    # Without an employee table the employee's name and id are not carried (``who`` is).
    state_sources = [(looked_up(by_id), pl.lit("the employee table"))] if by_id else []
    class_sources = [looked_up(class_by_id)] if class_by_id else []
    for kind in GROUP_KINDS:
        states = {v: s for (k, v), (s, _) in options.groups.items() if k == kind and s}
        classes = {v: c for (k, v), (_, c) in options.groups.items() if k == kind and c}
        if states:
            hit = _normalised(kind).replace_strict(states, default=None)
            words = pl.concat_str([pl.lit(f"{GROUP_WORDS[kind]} "), pl.col(kind)])
            state_sources.append((hit, words))
        if classes:
            class_sources.append(_normalised(kind).replace_strict(classes, default=None))
    if options.default_state:
        state_sources.append((pl.lit(options.default_state), pl.lit("the policy's only state")))
    return state_sources, class_sources


def _state_and_class(
    rows: pl.DataFrame, register: Headers, options: Options, flag: Flag
) -> pl.DataFrame:
    """Each row's state and class (``state_final``, ``class_final``), where its state came from
    when the register did not say (``state_from``), and whether it has both (``ok``)."""
    state_sources, class_sources = _answers(options)
    stated = pl.col("state") != ""
    state = pl.coalesce(
        pl.when(stated).then(pl.col("state").str.to_uppercase()),
        *[hit for hit, _ in state_sources],
    )
    source = pl.coalesce(
        pl.when(stated).then(pl.lit("")),
        *[pl.when(hit.is_not_null()).then(words) for hit, words in state_sources],
    )
    code = (
        pl.when(pl.col("class_code") != "")
        .then(pl.col("class_code"))
        .otherwise(pl.coalesce(class_sources) if class_sources else pl.lit(None, pl.String))
    )
    rows = rows.with_columns(state_final=state, state_from=source.fill_null(""), class_final=code)
    no_class = pl.col("class_final").is_null()
    no_state = pl.col("state_final").is_null()
    # Named at the register's class or state column (none when the register has no such
    # column), once a row: not at each of the row's amounts.
    flag(
        _each_row(rows, no_class, pl.lit(register.class_column)),
        pl.lit(True),
        "no_class",
        pl.concat_str([pl.lit("no class for "), pl.col("who"), pl.lit(": left out")]),
    )
    flag(
        _each_row(rows, no_state & ~no_class, pl.lit(register.state_column)),
        pl.lit(True),
        "no_state",
        pl.concat_str([pl.lit("no state for "), pl.col("who"), pl.lit(": left out")]),
    )
    return rows.with_columns(ok=~no_class & ~no_state)


def unresolved(rows: pl.DataFrame, in_gross: tuple[str, ...]) -> pl.DataFrame:
    """The rows without a class or a state, by what is missing, employee, department, job and
    location, with their rows and the cents of their pay: what the auditor assigns
    (``unresolved_of`` gathers the batches')."""
    missing = rows.filter(pl.col("class_final").is_null() | pl.col("state_final").is_null())
    pay = pl.when(pl.col("category").is_in(list(in_gross))).then(pl.col("cents")).otherwise(0)
    return (
        missing.with_columns(
            missing=pl.when(pl.col("class_final").is_null() & pl.col("state_final").is_null())
            .then(pl.lit("state and class"))
            .when(pl.col("class_final").is_null())
            .then(pl.lit("class"))
            .otherwise(pl.lit("state"))
        )
        .group_by(*UNRESOLVED_KEYS)
        .agg(
            rows=pl.col(ROW).n_unique(),
            first_row=pl.col(ROW).min(),
            cents=pay.sum(),
            state=pl.col("state_final").drop_nulls().first(),
        )
    )


UNRESOLVED_KEYS = ("missing", "who", "department", "job", "location")


def unresolved_of(grouped: pl.DataFrame) -> list[dict[str, object]]:
    """The batches' rows without a class or state, each group once, in the order of its first
    row; its state is the first one given, in any batch."""
    if grouped.is_empty():
        return []
    return (
        grouped.sort("first_row")
        .rename({"who": "employee"})
        .with_columns(pl.col("state").fill_null(""))
        .to_dicts()
    )


def unresolved_added(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The batches' groups added, in the batches' order (``unresolved``' partial form)."""
    return (
        pl.concat(parts)
        .group_by(*UNRESOLVED_KEYS, maintain_order=True)
        .agg(
            pl.col("rows").sum(),
            pl.col("first_row").min(),
            pl.col("cents").sum(),
            pl.col("state").drop_nulls().first(),
        )
    )


def _each_row(rows: pl.DataFrame, mask: pl.Expr, column: pl.Expr) -> pl.LazyFrame:
    """The rows where ``mask`` holds, once each, with ``column`` (the register's header) as the
    column their exception names: lazily, so only what the exception reads is filtered."""
    return rows.lazy().filter(mask).unique(ROW, keep="first").with_columns(column=column)


def _in_policy_states(
    checked: pl.DataFrame, register: Headers, options: Options, flag: Flag
) -> pl.DataFrame:
    """Rows in a state not on the policy are left out (no policy states given: not checked)."""
    if not options.states:
        return checked
    policy_states = ", ".join(options.states)
    outside = checked.filter(~pl.col("state_final").is_in(list(options.states)))
    flag(
        outside.with_columns(
            column=pl.when(pl.col("state") != "")
            .then(pl.lit(register.state_column))
            .otherwise(pl.lit(""))
        ),
        pl.lit(True),
        "bad_state",
        pl.concat_str(
            [
                pl.lit("state '"),
                pl.col("state_final"),
                pl.lit(f"' is not one of the policy's states ({policy_states}): left out"),
            ]
        ),
    )
    return checked.filter(pl.col("state_final").is_in(list(options.states)))


def _class_cell(register: Headers) -> pl.Expr:
    """The register column a row's class came from ("" when the employee table gave it)."""
    return (
        pl.when(pl.col("class_code") != "")
        .then(pl.lit(register.class_column))
        .otherwise(pl.lit(""))
    )


DECIMAL_CLASS = r"^\d+\.\d*$"


def _without_decimal_classes(checked: pl.DataFrame, register: Headers, flag: Flag) -> pl.DataFrame:
    # A class a spreadsheet wrote as a number with decimals ("8810.0") is not taken for 8810: the
    # column was formatted as numbers, and what else changed in it cannot be told.
    decimal = pl.col("class_final").str.contains(DECIMAL_CLASS)
    # A register's classes are a few values over many rows: looked at once each, first.
    classes = checked.get_column("class_final").unique()
    if not classes.str.contains(DECIMAL_CLASS).any():
        return checked
    flag(
        checked.with_columns(column=_class_cell(register)),
        decimal,
        "bad_class",
        pl.concat_str(
            [
                pl.lit("class '"),
                pl.col("class_final"),
                pl.lit("' is a number with decimals, not a class code (format the column as "),
                pl.lit("text): left out"),
            ]
        ),
    )
    return checked.filter(~decimal)


def _rated_classes(
    checked: pl.DataFrame, register: Headers, options: Options, flag: Flag
) -> pl.DataFrame:
    """Rows in a class that cannot be rated (``options.class_problem``) are left out; each
    (state, class) is asked once."""
    if options.class_problem is None or checked.is_empty():
        return checked
    pairs = checked.select("state_final", "class_final").unique()
    refused = [
        (state, class_code, reason)
        for state, class_code in pairs.iter_rows()
        if (reason := options.class_problem(state, class_code)) is not None
    ]
    if not refused:
        return checked
    reasons = pl.DataFrame(refused, schema=["state_final", "class_final", "reason"], orient="row")
    flag(
        checked.join(reasons, on=["state_final", "class_final"]).with_columns(
            column=_class_cell(register)
        ),
        pl.lit(True),
        "bad_class",
        pl.col("reason") + pl.lit(": left out"),
    )
    return checked.join(reasons, on=["state_final", "class_final"], how="anti")
