"""The ``trueup`` command.

``trueup rate WORKSHEET.json`` prints the rated result as JSON; ``--explain`` prints the
plain-language summary instead. A worksheet that cannot be rated exits with status 2 and lists
every problem by JSON path. Any other command is one of Django's management commands
(``trueup migrate``, ``trueup runserver``, ...).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from trueup.rating import (
    RateTable,
    RuleBook,
    TrueUpError,
    WorksheetError,
    explain,
    rate_worksheet,
    result_to_json,
    worksheet_from_json,
)

BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] not in ("rate", "-h", "--help"):
        return _django(args)
    parser = argparse.ArgumentParser(prog="trueup", description="TrueUp premium audit")
    commands = parser.add_subparsers(dest="command", required=True)
    rate = commands.add_parser("rate", help="rate a worksheet (JSON) and print the result")
    rate.add_argument("worksheet", type=Path, help="worksheet JSON file, or - for standard input")
    rate.add_argument("--explain", action="store_true", help="print the plain-language summary")
    rate.add_argument("--rates", type=Path, help="rate table CSV (default: the demo rates)")
    rate.add_argument("--rulebook", type=Path, help="rule-book folder (default: the shipped one)")
    return _rate(parser.parse_args(args))


def _django(args: list[str]) -> int:
    """Every other command is one of Django's management commands (migrate, runserver, …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trueup.settings")
    from django.core.management import execute_from_command_line

    # Django's command modules cannot have hyphens; `trueup import-payroll` reads better.
    command, *rest = args
    execute_from_command_line(["trueup", command.replace("-", "_"), *rest])
    return 0


def _rate(args: argparse.Namespace) -> int:
    try:
        if str(args.worksheet) == "-":
            text = sys.stdin.read()
        else:
            text = args.worksheet.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"trueup: cannot read {args.worksheet}: {exc}", file=sys.stderr)
        return BAD_INPUT
    try:
        rates = RateTable.from_csv(args.rates) if args.rates else None
        rulebook = RuleBook.load(args.rulebook) if args.rulebook else None
        worksheet = worksheet_from_json(text)
        result = rate_worksheet(worksheet, rulebook=rulebook, rates=rates)
    except WorksheetError as exc:
        print(f"trueup: {args.worksheet}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem.path}: {_one_line(problem.reason)}", file=sys.stderr)
        return BAD_INPUT
    except (TrueUpError, OSError) as exc:
        print(f"trueup: {exc}", file=sys.stderr)
        return BAD_INPUT
    try:
        print(explain(result) if args.explain else result_to_json(result))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``trueup rate x.json | head``): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _one_line(text: str) -> str:
    """Line breaks and other unprintable characters as escapes (\\n, \\x00): a reason may quote
    the worksheet, and each problem must stay on its own line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


if __name__ == "__main__":
    sys.exit(main())
