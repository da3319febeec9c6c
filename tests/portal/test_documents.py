"""Uploads: their type told by content, and social security numbers found and masked."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile

import pypdf
import pytest
import xlsxwriter  # type: ignore[import-untyped]

from trueup.core.pdf import html_to_pdf
from trueup.core.redaction import Redaction, describe, find_ssns, redact, redact_text
from trueup.core.uploads import Sniffed, UploadRefused, sniff

ACCEPTED = "PDF, PNG, JPEG, TIFF, Excel (.xlsx), CSV or text"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
TIFF = b"II*\x00\x08\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def zipped(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def refusal(data: bytes, filename: str) -> str:
    with pytest.raises(UploadRefused) as refused:
        sniff(data, filename)
    return str(refused.value)


# Telling the type


def test_a_pdf_is_told_by_its_header():
    data = html_to_pdf("<p>SSN 123-45-6789</p>")
    assert sniff(data, "register.pdf") == Sniffed("pdf", "application/pdf", ".pdf", "register.pdf")


@pytest.mark.parametrize(
    ("data", "kind", "content_type", "extension"),
    [
        (PNG, "png", "image/png", ".png"),
        (JPEG, "jpeg", "image/jpeg", ".jpg"),
        (TIFF, "tiff", "image/tiff", ".tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "tiff", "image/tiff", ".tiff"),
    ],
)
def test_images_are_told_by_their_first_bytes(data, kind, content_type, extension):
    assert sniff(data, "scan") == Sniffed(kind, content_type, extension, "scan")


def test_a_workbook_saved_by_a_spreadsheet_program_is_xlsx():
    data = workbook({"Register": [["Name", "Gross"], ["Ann", 1200]]})
    assert sniff(data, "register.xlsx") == Sniffed("xlsx", XLSX_TYPE, ".xlsx", "register.xlsx")


def test_a_csv_is_told_by_its_name_or_by_its_delimiters():
    csv_text = b"Name,Gross\nAnn,1200\nBob,900\n"
    assert sniff(csv_text, "export.txt") == Sniffed("csv", "text/csv", ".csv", "export.txt")
    assert sniff(b"Name;Gross\nAnn;1200\n", "export").kind == "csv"
    assert sniff(b"Name\tGross\nAnn\t1200\n", "export").kind == "csv"
    assert sniff(b"one column only\n", "export.csv").kind == "csv"
    assert sniff(b"one column only\n", "export.tsv").kind == "csv"


def test_prose_is_plain_text():
    letter = b"Dear auditor,\nThe payroll for March is attached.\nThank you.\n"
    assert sniff(letter, "note.txt") == Sniffed("text", "text/plain", ".txt", "note.txt")


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "Name,Note\nAnn,café\n".encode(),
        "Name,Note\nAnn,café\n".encode("utf-16"),  # with its byte-order mark
        "Name,Note\nAnn,café – paid\n".encode("cp1252"),
    ],
)
def test_text_in_utf8_utf16_or_windows_1252_is_accepted(data):
    assert sniff(data, "register.csv").kind == "csv"


def test_the_file_name_does_not_decide_the_type():
    assert sniff(b"Name,Gross\nAnn,1200\nBob,900\n", "register.pdf").kind == "csv"
    assert sniff(html_to_pdf("<p>Hello</p>"), "register.csv").kind == "pdf"
    assert sniff(PNG, "register.xlsx").kind == "png"


def test_a_text_file_starting_with_mz_is_not_taken_for_a_program():
    assert sniff(b"MZ Trucking payroll notes\nMarch 2025\n", "notes.txt").kind == "text"


def test_a_renamed_program_called_payroll_pdf_is_refused():
    assert refusal(EXE, "payroll.pdf") == (
        f'The file "payroll.pdf" is a program, which is not a file type we accept: {ACCEPTED}.'
    )


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "payroll.csv", 'The file "payroll.csv" is empty.'),
        (b" \r\n\t ", "payroll.csv", 'The file "payroll.csv" is empty.'),
        (
            b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8,
            "run",
            f'The file "run" is a program, which is not a file type we accept: {ACCEPTED}.',
        ),
        (
            b"  \n<HTML><body>payroll</body></HTML>",
            "payroll.csv",
            'The file "payroll.csv" is a web page or script (HTML), which is not a file type we '
            f"accept: {ACCEPTED}.",
        ),
        (
            b"<!DOCTYPE html><p>hi</p>",
            "a.txt",
            'The file "a.txt" is a web page or script (HTML), which is not a file type we '
            f"accept: {ACCEPTED}.",
        ),
        (
            b"\t<Script>alert(1)</script>",
            "a.txt",
            'The file "a.txt" is a web page or script (HTML), which is not a file type we '
            f"accept: {ACCEPTED}.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56,
            "register.xls",
            'The file "register.xls" is an older Excel or Word file (.xls or .doc) or a '
            "password-protected Office file, which is not a file type we accept: "
            f"{ACCEPTED}. Save it as Excel (.xlsx) or PDF, without a password, and upload that.",
        ),
        (
            zipped(["register.csv", "w2.pdf"]),
            "records.zip",
            'The file "records.zip" is a ZIP archive, which is not a file type we accept: '
            f"{ACCEPTED}. Upload the files inside it one at a time.",
        ),
        (
            zipped(["[Content_Types].xml", "word/document.xml"]),
            "letter.docx",
            'The file "letter.docx" is a Word or PowerPoint document, which is not a file type '
            f"we accept: {ACCEPTED}. Save it as PDF and upload that.",
        ),
        (
            zipped(["[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin"]),
            "register.xlsm",
            'The file "register.xlsm" is an Excel workbook with macros (.xlsm), which is not a '
            f"file type we accept: {ACCEPTED}. Save it as an Excel workbook (.xlsx) and upload "
            "that.",
        ),
        (
            b"PK\x03\x04 not really a zip",
            "register.xlsx",
            f'The file "register.xlsx" is not a file type we accept: {ACCEPTED}.',
        ),
        (
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
            "logo.gif",
            f'The file "logo.gif" is not a file type we accept: {ACCEPTED}.',
        ),
        (
            bytes(range(256)) * 4,
            "data.bin",
            f'The file "data.bin" is not a file type we accept: {ACCEPTED}.',
        ),
    ],
)
def test_what_is_not_accepted_is_refused_with_a_message_naming_the_file(data, filename, message):
    assert refusal(data, filename) == message


def test_the_message_names_the_file_without_its_folders():
    assert refusal(b"", "C:\\Users\\ann\\payroll.csv") == 'The file "payroll.csv" is empty.'
    assert refusal(b"", "") == "The file is empty."


# Finding social security numbers


def found(text):
    return [text[start:end] for start, end in find_ssns(text)]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Employee 123-45-6789 hired", ["123-45-6789"]),
        ("Employee 123 45 6789 hired", ["123 45 6789"]),
        ("Employee 123\u201045\u20106789 hired", ["123\u201045\u20106789"]),
        ("123-45-6789,234-56-7890", ["123-45-6789", "234-56-7890"]),
        ("SSN 123-45-6789.", ["123-45-6789"]),
    ],
)
def test_a_formatted_social_security_number_is_found(text, numbers):
    assert found(text) == numbers


def test_a_fein_is_not_taken_for_a_social_security_number():
    assert found("FEIN 12-3456789") == []


@pytest.mark.parametrize(
    "text",
    [
        "Call 317-555-0142",
        "Period ending 2025-01-31",
        "Account 1234567890",
        "Account 123456789012",
        "Account 123-45-6789-01",
        "Account 9-123-45-6789",
        "Account 123-45-67890",
        "Reference 1123-45-6789",
        "Amounts 123 45 6789.50",
        "Policy WC-123-45-6789",
    ],
)
def test_phone_numbers_dates_and_longer_numbers_are_not_taken_for_ssns(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "number",
    ["000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000"],
)
def test_numbers_never_issued_as_ssns_are_not_found(number):
    assert found(f"SSN {number}") == []
    assert found(f"SSN {number.replace('-', '')}") == []


@pytest.mark.parametrize(
    "text",
    [
        "SSN 123456789",
        "ssn: 123456789",
        "SS# 123456789",
        "SS No. 123456789",
        "Soc. Sec. No.: 123456789",
        "Social Security Number 123456789",
        "Employee SSN (primary):    123456789",
    ],
)
def test_nine_digits_are_an_ssn_when_labelled(text):
    assert found(text) == ["123456789"]


@pytest.mark.parametrize(
    "text",
    [
        "Claim 123456789",
        "Class No 123456789",
        "SSN\n123456789",
        "SSN on file; the payroll batch number is 123456789",
    ],
)
def test_nine_digits_without_a_label_close_by_on_the_line_are_not_an_ssn(text):
    assert found(text) == []


def test_masking_keeps_the_last_four_digits():
    text = "Ann 123-45-6789, Bob SSN 234567890, FEIN 12-3456789"
    assert redact_text(text) == ("Ann ***-**-6789, Bob SSN ***-**-7890, FEIN 12-3456789", 2)


def test_text_without_ssns_is_unchanged():
    assert redact_text("Gross wages 123,456.78 for 2025-01-31") == (
        "Gross wages 123,456.78 for 2025-01-31",
        0,
    )


# CSV and text uploads


def cells(data: bytes | None) -> list[list[str]]:
    assert data is not None
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_a_csv_column_headed_ssn_has_its_bare_numbers_masked_and_its_structure_kept():
    data = (
        b"Acme Payroll Register,,,\n"
        b"Name,Employee SSN,Hours,Gross\n"
        b'"Smith, Ann",123456789,40,"1,200.00"\n'
        b'"Jones, ""Bo""","234567890",38,900.00\n'
        b"Lee,12345678,40,800.00\n"
        b'Total,,118,"2,900.00"\n'
    )
    redaction = redact(data, sniff(data, "register.csv"))
    assert redaction.found == 3
    assert redaction.scanned is True
    assert redaction.redacted_kind == "csv"
    assert redaction.redacted is not None
    assert redaction.redacted.decode() == data.decode().replace("123456789", "***-**-6789").replace(
        "234567890", "***-**-7890"
    ).replace("12345678", "***-**-5678")
    assert cells(redaction.redacted) == [
        ["Acme Payroll Register", "", "", ""],
        ["Name", "Employee SSN", "Hours", "Gross"],
        ["Smith, Ann", "***-**-6789", "40", "1,200.00"],
        ['Jones, "Bo"', "***-**-7890", "38", "900.00"],
        ["Lee", "***-**-5678", "40", "800.00"],
        ["Total", "", "118", "2,900.00"],
    ]


def test_bare_numbers_in_other_csv_columns_are_left_alone():
    data = b"Name,SSN,Claim\nAnn,123-45-6789,234567890\nBob,,345678901\n"
    redaction = redact(data, sniff(data, "register.csv"))
    assert redaction.found == 1
    assert cells(redaction.redacted) == [
        ["Name", "SSN", "Claim"],
        ["Ann", "***-**-6789", "234567890"],
        ["Bob", "", "345678901"],
    ]


def test_a_semicolon_csv_keeps_its_delimiter():
    data = b"Name;SSN;Gross\nAnn;123456789;1200,00\nBob;234 56 7890;900,00\n"
    redaction = redact(data, sniff(data, "register.csv"))
    assert redaction.found == 2
    assert (
        redaction.redacted == b"Name;SSN;Gross\nAnn;***-**-6789;1200,00\nBob;***-**-7890;900,00\n"
    )


def test_a_utf16_csv_is_redacted_into_utf8():
    data = "Name,SSN\r\nZoë,123-45-6789\r\n".encode("utf-16")
    redaction = redact(data, sniff(data, "register.csv"))
    assert redaction.redacted == "Name,SSN\r\nZoë,***-**-6789\r\n".encode()


def test_a_text_upload_is_redacted_as_text():
    data = b"Letter about Ann (SSN 123456789).\nHer phone is 317-555-0142.\n"
    assert redact(data, sniff(data, "letter.txt")) == Redaction(
        scanned=True,
        found=1,
        redacted=b"Letter about Ann (SSN ***-**-6789).\nHer phone is 317-555-0142.\n",
        redacted_kind="text",
    )


def test_a_csv_without_ssns_has_no_redacted_copy():
    data = b"Name,FEIN,Gross\nAcme,12-3456789,1200\n"
    assert redact(data, sniff(data, "register.csv")) == Redaction(
        scanned=True, found=0, redacted=None, redacted_kind=""
    )


# PDF uploads


def test_a_pdf_with_an_ssn_gets_a_redacted_pdf_copy_with_a_heading():
    data = html_to_pdf("<p>SSN 123-45-6789</p><p>FEIN 12-3456789</p>")
    redaction = redact(data, sniff(data, "w2.pdf"))
    assert (redaction.scanned, redaction.found, redaction.redacted_kind) == (True, 1, "pdf")
    assert redaction.redacted is not None
    assert sniff(redaction.redacted, "copy").kind == "pdf"
    text = pdf_text(redaction.redacted)
    assert "***-**-6789" in text
    assert "123-45-6789" not in text
    assert "12-3456789" in text
    assert "Redacted copy of w2.pdf — page 1 of 1." in text
    assert "Social security numbers are masked; the original is kept for the audit staff." in text


def test_each_page_of_a_redacted_pdf_has_its_own_heading():
    data = html_to_pdf('<p>Ann 123-45-6789</p><p style="break-before: page">Bob 234-56-7890</p>')
    redaction = redact(data, sniff(data, "register.pdf"))
    assert redaction.found == 2
    assert redaction.redacted is not None
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(redaction.redacted)).pages]
    assert len(pages) == 2
    assert "page 1 of 2" in pages[0] and "***-**-6789" in pages[0]
    assert "page 2 of 2" in pages[1] and "***-**-7890" in pages[1]


def test_a_pdf_without_ssns_has_no_redacted_copy():
    data = html_to_pdf("<p>FEIN 12-3456789, phone 317-555-0142</p>")
    assert redact(data, sniff(data, "letter.pdf")) == Redaction(
        scanned=True, found=0, redacted=None, redacted_kind=""
    )


def test_a_pdf_page_without_text_is_reported_as_not_scanned():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    redaction = redact(out.getvalue(), sniff(out.getvalue(), "scan.pdf"))
    assert redaction == Redaction(scanned=False, found=0, redacted=None, redacted_kind="")


def test_a_password_protected_pdf_is_refused():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UploadRefused) as refused:
        redact(out.getvalue(), sniff(out.getvalue(), "w2.pdf"))
    assert str(refused.value) == (
        'The file "w2.pdf" could not be read as a PDF: it is password-protected; '
        "upload a copy without the password."
    )


def test_a_damaged_pdf_is_refused():
    data = b"%PDF-1.7\nnot really a PDF"
    with pytest.raises(UploadRefused) as refused:
        redact(data, sniff(data, "w2.pdf"))
    message = str(refused.value)
    assert message.startswith('The file "w2.pdf" could not be read as a PDF: ')
    assert message.endswith("; if it is password-protected, upload a copy without the password.")


# Workbooks and images


def test_a_workbook_is_redacted_into_a_csv_of_its_sheets():
    data = workbook(
        {
            "Register": [
                ["Name", "SSN", "Gross"],
                ["Ann", 123456789, 1200],
                ["Bob", "234-56-7890", 900],
                ["Cy", 12345678, 800],  # the leading zero lost when typed as a number
            ],
            "Notes": [["Dee's Social Security No. 345678901"]],
            "Empty": [],
        }
    )
    redaction = redact(data, sniff(data, "register.xlsx"))
    assert (redaction.scanned, redaction.found, redaction.redacted_kind) == (True, 4, "csv")
    assert cells(redaction.redacted) == [
        ["Sheet: Register"],
        ["Name", "SSN", "Gross"],
        ["Ann", "***-**-6789", "1200"],
        ["Bob", "***-**-7890", "900"],
        ["Cy", "***-**-5678", "800"],
        [],
        ["Sheet: Notes"],
        ["Dee's Social Security No. ***-**-8901"],
    ]


def test_a_one_sheet_workbook_is_redacted_into_a_plain_csv():
    data = workbook({"Sheet1": [["Name", "SS#"], ["Ann", 123456789]]})
    redaction = redact(data, sniff(data, "register.xlsx"))
    assert cells(redaction.redacted) == [["Name", "SS#"], ["Ann", "***-**-6789"]]


def test_a_workbook_without_ssns_has_no_redacted_copy():
    data = workbook({"Register": [["Name", "Claim"], ["Ann", 123456789]]})
    assert redact(data, sniff(data, "register.xlsx")) == Redaction(
        scanned=True, found=0, redacted=None, redacted_kind=""
    )


@pytest.mark.parametrize("data", [PNG, JPEG, TIFF])
def test_images_are_not_scanned(data):
    redaction = redact(data, sniff(data, "scan"))
    assert redaction == Redaction(scanned=False, found=0, redacted=None, redacted_kind="")


@pytest.mark.parametrize(
    ("redaction", "note"),
    [
        (
            Redaction(scanned=True, found=2, redacted=b"x", redacted_kind="csv"),
            "2 social security numbers found; a redacted copy is shown instead of the original.",
        ),
        (
            Redaction(scanned=True, found=1, redacted=b"x", redacted_kind="pdf"),
            "1 social security number found; a redacted copy is shown instead of the original.",
        ),
        (
            Redaction(scanned=False, found=1, redacted=b"x", redacted_kind="pdf"),
            "1 social security number found; a redacted copy is shown instead of the original. "
            "Some pages are pictures and were not checked.",
        ),
        (
            Redaction(scanned=True, found=0, redacted=None, redacted_kind=""),
            "No social security numbers found.",
        ),
        (
            Redaction(scanned=False, found=0, redacted=None, redacted_kind=""),
            "Not checked for social security numbers: images and scanned pages cannot be read.",
        ),
    ],
)
def test_the_note_says_what_was_found_in_plain_words(redaction, note):
    assert describe(redaction) == note


# Individual taxpayer identification numbers


@pytest.mark.parametrize(
    "number",
    [
        "900-50-1234",
        "912-57-1234",
        "999-65-1234",
        "900-70-1234",
        "955-78-1234",
        "999-88-1234",
        "900-90-1234",
        "931-91-1234",
        "999-92-1234",
        "900-94-1234",
        "977-96-1234",
        "999-99-1234",
    ],
)
def test_itins_in_each_of_the_irs_ranges_are_found_as_ssns_are(number):
    assert found(f"Worker {number}") == [number]
    assert found(f"Worker {number.replace('-', ' ')}") == [number.replace("-", " ")]
    assert found(f"SSN/ITIN {number.replace('-', '')}") == [number.replace("-", "")]
    assert redact_text(f"Worker {number}") == (f"Worker ***-**-{number[-4:]}", 1)


@pytest.mark.parametrize(
    "number",
    [
        "900-49-1234",
        "912-66-1234",
        "955-69-1234",
        "999-89-1234",
        "900-93-1234",
        "912-00-1234",
        "912-10-1234",
        "912-78-0000",
    ],
)
def test_nine_hundred_numbers_outside_the_itin_ranges_are_left_alone(number):
    assert found(f"SSN {number}") == []
    assert found(f"SSN {number.replace('-', '')}") == []


def test_an_itin_in_a_csv_column_headed_ssn_is_masked():
    data = b"Name,SSN,Gross\nAnn,912781234,1200\nBo,912-93-1234,900\n"
    redaction = redact(data, sniff(data, "register.csv"))
    assert redaction.found == 1
    assert cells(redaction.redacted) == [
        ["Name", "SSN", "Gross"],
        ["Ann", "***-**-1234", "1200"],
        ["Bo", "912-93-1234", "900"],
    ]


def test_an_itin_in_a_workbook_is_masked():
    data = workbook(
        {"Register": [["Name", "ITIN / SSN"], ["Ann", 912781234], ["Bo", "955-50-4321"]]}
    )
    redaction = redact(data, sniff(data, "register.xlsx"))
    assert (redaction.found, cells(redaction.redacted)) == (
        2,
        [["Name", "ITIN / SSN"], ["Ann", "***-**-1234"], ["Bo", "***-**-4321"]],
    )


# Formulas in the redacted copies


def test_the_redacted_copy_of_a_csv_writes_formulas_as_text_and_keeps_its_numbers():
    data = (
        b"Name,SSN,Gross,Adjustment\n"
        b'"=HYPERLINK(""http://evil.example"",""Ann"")",123-45-6789,"1,200.00",-40.00\n'
        b"@SUM(A1),234-56-7890,900.00,+cmd|' /C calc'!A0\n"
    )
    redaction = redact(data, sniff(data, "register.csv"))
    assert redaction.found == 2
    assert redaction.redacted is not None
    assert redaction.redacted.decode() == (
        "Name,SSN,Gross,Adjustment\n"
        '"\'=HYPERLINK(""http://evil.example"",""Ann"")",***-**-6789,"1,200.00",-40.00\n'
        "'@SUM(A1),***-**-7890,900.00,'+cmd|' /C calc'!A0\n"
    )


def test_the_redacted_copy_of_a_workbook_writes_formulas_as_text_and_keeps_its_numbers():
    data = workbook(
        # xlsxwriter keeps text starting with "=" as a formula; these stay text cells.
        {"Register": [["Name", "SSN", "Adjustment"], ["@SUM(A1)", "123-45-6789", -40], ["-"]]}
    )
    redaction = redact(data, sniff(data, "register.xlsx"))
    assert cells(redaction.redacted) == [
        ["Name", "SSN", "Adjustment"],
        ["'@SUM(A1)", "***-**-6789", "-40"],
        ["'-"],
    ]
