"""Serving a stored file: the one place a download opens a file from Django's storage.

A row can outlive its file (a storage restored from an older backup, a file removed by hand):
such a download answers 404 with a page that says which file is missing and what to do, not a
server error.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render


def stored_file_response(
    request: HttpRequest,
    stored: FieldFile,
    *,
    content_type: str,
    missing: str,
    filename: str | None = None,
) -> FileResponse | HttpResponse:
    """The stored file as a download (an attachment when ``filename`` is given), or a 404 page
    with the ``missing`` message when storage no longer holds it."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):  # ValueError: the row names no file at all
        return render(request, "file_missing.html", {"message": missing}, status=404)
    if filename is None:
        response = FileResponse(handle, content_type=content_type)
    else:
        response = FileResponse(handle, as_attachment=True, filename=filename)
        response["Content-Type"] = content_type
    # The browser must not guess another type from the bytes.
    response["X-Content-Type-Options"] = "nosniff"
    return response
