"""HTML → PDF with WeasyPrint: the one place documents become PDFs (worksheets, letters,
redacted copies)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string

# Added to every document's own styles, so that nothing printed runs off the page's right edge
# (a PDF page does not scroll: what is past the margin is simply not seen): a word longer than
# its line, such as a row of a payroll export with no spaces or a long address, breaks where the
# line ends; preformatted text wraps; pictures are never wider than the page. Tables are laid
# out by each document's own styles (tests/letters/test_pdf_layout.py measures every kind).
FITS_THE_PAGE = """
body { overflow-wrap: break-word; }
pre { white-space: pre-wrap; }
img, svg { max-width: 100%; }
"""


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which only PDF work needs.
    from weasyprint import CSS, HTML

    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[CSS(string=FITS_THE_PAGE)])
    return pdf


def render_pdf(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render a Django template and print it to PDF."""
    return html_to_pdf(render_to_string(template_name, dict(context)))
