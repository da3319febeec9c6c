"""Template filters for money and figures as the workbench shows them."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString

from trueup.core.money import as_decimal, figure, usd_of_cents
from trueup.core.money import usd as format_usd

register = template.Library()


@register.filter
def usd(value: Any) -> str:
    """$1,234.56 from a Decimal or its string; a dash for nothing."""
    amount = as_decimal(value)
    return "—" if amount is None else format_usd(amount)


@register.filter
def amount(value: Any) -> str:
    """An exposure or other figure with thousands separators, no currency sign."""
    return figure(value)


@register.filter
def label(value: str) -> str:
    return str(value).replace("_", " ")


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def as_list(value: Any) -> list[Any]:
    return [value]


@register.filter
def cents_usd(value: Any) -> str:
    """$1,234.56 from integer cents."""
    if value is None or value == "":
        return "—"
    return usd_of_cents(int(value))


# A reason's status printed beside its source: facts and derived figures need no mark.
UNMARKED = ("fact", "derived")


@register.simple_tag(takes_context=True)
def why(context: template.Context, reasons: list[dict[str, Any]], about: str = "") -> str:
    """A figure's "why?": its reasons with their sources, folded. Drawn here rather than with an
    included template: a result table has some twenty of them, and an include costs each one a
    context and a template lookup."""
    return why_html(reasons, about, context)


# What a template's context is for a value shown in it: escaped, localized, in the time zone.
PLAIN = template.Context()


def fast_html(template_text: str, *args: Any) -> SafeString:
    """What ``format_html(template_text, *args)`` gives, the same to the character, without its
    handling of lazy text for each value: a result's table draws some four hundred of these."""
    return SafeString(template_text.format(*map(_escaped, args)))


def _escaped(value: Any) -> str:
    # As ``conditional_escape``: safe HTML as it is, anything else as text, escaped.
    as_html = getattr(value, "__html__", None)
    return as_html() if as_html is not None else escape(str(value))


def shown_in(context: template.Context, value: Any) -> str:
    """A value as a template with ``context`` shows it; text, most values, escaped directly
    (what ``render_value_in_context`` does to text, without its checks of every other type)."""
    if type(value) is str and context.autoescape:
        return SafeString(escape(value))
    return render_value_in_context(value, context)


def why_html(
    reasons: list[dict[str, Any]], about: str = "", context: template.Context = PLAIN
) -> SafeString:
    """``{% why %}``'s HTML, for a page drawn in Python (``context``: the template's, else one
    that shows values as a template does)."""

    def shown(value: Any) -> str:
        return shown_in(context, value)

    def source(r: dict[str, Any]) -> SafeString:
        if not r.get("source"):
            return SafeString("")
        status = r.get("status")
        return fast_html(
            ' <small class="source">— {}{}{}{}</small>',
            shown(r["source"]),
            fast_html(", in force from {}", shown(r["effective"])) if r.get("effective") else "",
            fast_html(" [{}]", shown(status)) if status and status not in UNMARKED else "",
            fast_html(
                " [{} default: no {} figure of its own on file]",
                shown(r["inherited_from"]),
                shown(r.get("state", "")),
            )
            if r.get("inherited_from")
            else "",
        )

    if not reasons:
        return SafeString("\n")
    hidden = fast_html('<span class="visually-hidden"> ({})</span>', shown(about)) if about else ""
    items = SafeString(
        "".join(fast_html("<li>{}{}</li>", shown(r.get("text", "")), source(r)) for r in reasons)
    )
    return fast_html(
        '<details class="why"><summary>why?{}</summary><ul>\n{}\n</ul></details>\n', hidden, items
    )
