"""TrueUp's rating engine: audit facts + rule book + rate table → audited premium, and why.

Plain Python (compiled to C where built: ``native``), no Django, no I/O beyond reading the rule-book
and rate files. The public interface:

- :func:`rate_worksheet` rates a :class:`Worksheet` and returns a :class:`Result`;
- :func:`explain` turns a result into a short plain-language summary;
- :func:`worksheet_from_dict` / :func:`worksheet_from_json` read a worksheet, listing every problem;
- :func:`result_to_json` writes a result.
"""

from trueup.rating import native

# Before any other module of the engine is imported: its compiled build, where it matches.
COMPILED = native.use(__path__)

from trueup.rating.engine import ENGINE_VERSION, rate_worksheet
from trueup.rating.errors import Problem, RuleBookError, TrueUpError, WorksheetError
from trueup.rating.explain import explain, explain_lines
from trueup.rating.jsonio import (
    result_to_json,
    to_jsonable,
    worksheet_from_dict,
    worksheet_from_json,
)
from trueup.rating.rates import RateTable, demo_rates
from trueup.rating.result import Result
from trueup.rating.rulebook import RuleBook, default_rulebook
from trueup.rating.worksheet import Worksheet

__all__ = [
    "ENGINE_VERSION",
    "Problem",
    "RateTable",
    "Result",
    "RuleBook",
    "RuleBookError",
    "TrueUpError",
    "Worksheet",
    "WorksheetError",
    "default_rulebook",
    "demo_rates",
    "explain",
    "explain_lines",
    "rate_worksheet",
    "result_to_json",
    "to_jsonable",
    "worksheet_from_dict",
    "worksheet_from_json",
]
