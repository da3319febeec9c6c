"""A figure's "why?" on the audit page: each reason with its source, when it took effect, its
status and, for a figure a state takes from the NCCI default, that it has none of its own."""

from __future__ import annotations

from django.template import Context, Template

WHY = Template("{% load trueup %}{% why reasons about %}")


def drawn(reasons: list[dict[str, str]], about: str = "") -> str:
    return WHY.render(Context({"reasons": reasons, "about": about}))


def test_a_reason_is_shown_with_its_source_date_status_and_the_default_it_takes() -> None:
    reasons = [
        {"text": "payroll 120,000.00 at rate 3.10 = 3,720.00"},
        {
            "text": "experience mod 0.93",
            "source": "NCCI Basic Manual, Rule 3-A",
            "effective": "2025-01-01",
            "status": "illustrative",
            "inherited_from": "NCCI",
            "state": "KY",
        },
        {"text": "premium discount", "source": "Table of discounts", "status": "fact"},
    ]
    assert drawn(reasons, "KY 8810, audited premium") == (
        '<details class="why"><summary>why?<span class="visually-hidden"> (KY 8810, audited '
        "premium)</span></summary><ul>\n"
        "<li>payroll 120,000.00 at rate 3.10 = 3,720.00</li>"
        '<li>experience mod 0.93 <small class="source">— NCCI Basic Manual, Rule 3-A, in force '
        "from 2025-01-01 [illustrative] [NCCI default: no KY figure of its own on file]"
        "</small></li>"
        '<li>premium discount <small class="source">— Table of discounts</small></li>'
        "\n</ul></details>\n"
    )


def test_what_a_reason_says_is_escaped() -> None:
    html = drawn([{"text": "<b>Smith & Sons</b>", "source": "O'Brien"}], "A & B")
    assert "&lt;b&gt;Smith &amp; Sons&lt;/b&gt;" in html
    assert "— O&#x27;Brien</small>" in html
    assert "(A &amp; B)" in html


def test_a_figure_without_reasons_has_no_why() -> None:
    assert drawn([]) == "\n"
    assert "visually-hidden" not in drawn([{"text": "gross pay"}])
