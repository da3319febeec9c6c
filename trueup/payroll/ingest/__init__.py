"""Payroll registers → the audit's payroll facts, exactly and fast.

Pure Python and Polars: no Django. ``read_register`` reads a CSV or XLSX export into text cells;
``detect_profile`` picks the mapping profile from its headers (``profiles.toml``); ``ingest``
maps earnings to remuneration categories (``categories.toml``), filters the policy period, and
returns payroll lines for the engine, a per-employee summary, totals and an exceptions list.
Money is integer cents from the text of each cell, so totals are exact. ``read_export`` reads
the file as insureds send it (report-shaped QuickBooks Desktop exports, tables beside the payroll
table) into the frame ``ingest`` takes, with the tables read and skipped and notes.
"""

from trueup.payroll.ingest.exports import Export, read_export
from trueup.payroll.ingest.facts import Ingested, Options
from trueup.payroll.ingest.mapping import (
    Category,
    Profile,
    categories,
    custom_profile,
    detect_profile,
    profiles,
)
from trueup.payroll.ingest.pipeline import ingest, ingest_batches
from trueup.payroll.ingest.readers import RegisterError, read_register
from trueup.payroll.ingest.stream import RegisterBatches, read_register_batches

__all__ = [
    "Category",
    "Export",
    "Ingested",
    "Options",
    "Profile",
    "RegisterBatches",
    "RegisterError",
    "categories",
    "custom_profile",
    "detect_profile",
    "ingest",
    "ingest_batches",
    "profiles",
    "read_export",
    "read_register",
    "read_register_batches",
]
