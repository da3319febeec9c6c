"""HTML → PDF with WeasyPrint: the one place documents become PDFs (worksheets, letters,
redacted copies)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which only PDF work needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def render_pdf(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render a Django template and print it to PDF."""
    return html_to_pdf(render_to_string(template_name, dict(context)))
