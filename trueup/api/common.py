"""What every endpoint of the JSON API shares: the error answer and its schema, the bounded
page, the input base that refuses what a database cannot store, and money as the models keep it.

The routers import from here and ``trueup/api.py`` installs the handlers, so that an error
answer always has the shape the OpenAPI document declares: ``code``, ``message`` and, for
invalid input, ``problems`` (each a ``path`` and a ``reason``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

# A page holds at most this many items; `limit` above it is refused (422), never trimmed
# silently, so a caller knows to page. Defined here, once, for every list endpoint.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
# Far past the end of any book, and within every database's integers.
MAX_OFFSET = 1_000_000_000

# Money as the models keep it: DecimalField(max_digits=14, decimal_places=2).
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
# Whole cents of a money amount, as the payroll models keep them (BigIntegerField).
Cents = Annotated[int, Field(ge=-(10**14) + 1, le=10**14 - 1)]


class Problem(Schema):
    path: str
    reason: str


class Error(Schema):
    """Every error answer: a stable code for programs, a message for people and, for invalid
    input, each problem by its path."""

    code: str
    message: str
    problems: list[Problem] | None = None


# Declared on every endpoint, so the OpenAPI document lists each answer it can give.
ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def answers(ok: Any, *codes: int) -> dict[int, Any]:
    """An endpoint's answers: ``ok`` for 200 (and the other success codes given), and the
    shared error answers."""
    return {200: ok, **dict.fromkeys(codes, ok), **ERRORS}


class Page(LimitOffsetPagination):
    """Limit and offset, bounded: out of range is 422 naming the parameter."""

    class Input(Schema):
        limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


NUL_REASON = "text may not hold the NUL character (\\u0000)"


def _nul_path(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in a parsed JSON value a string holds a NUL character, if anywhere."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return (*path, str(key))
            found = _nul_path(item, (*path, str(key)))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, (*path, index))
            if found is not None:
                return found
    return None


class Input(Schema):
    """The base of every request body. Django Ninja's schemas read attributes from whatever
    they are given (an ORM object, or a list or a number sent as the body, whose fields all
    come out as their defaults); a body must be a JSON object instead. Text holding a NUL
    character is refused too (PostgreSQL stores no such text), naming where it is."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        # Replaces Django Ninja's validator of the same name, which wraps the values for
        # attribute access at once: the raw body is checked first, then wrapped as it does.
        if isinstance(values, cls):
            return values
        if not isinstance(values, dict):
            raise PydanticCustomError("object_type", "must be a JSON object")
        found = _nul_path(values)
        if found is not None:
            where = ".".join(str(p) for p in found)
            raise PydanticCustomError("string_nul", f"{where}: {NUL_REASON}")
        return handler(DjangoGetter(values, cls, info.context))


class NullBody(ValueError):
    """A request body that is JSON ``null``: Django Ninja would take it for no body at all and
    run the action with its defaults."""


class StrictParser(Parser):
    """A ``null`` body, and query strings and form fields holding a NUL character, are refused
    as invalid input (422) before any view reads them: no database stores such text."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if data is None:
            raise NullBody("must be a JSON object or array, not null")
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        source = "form" if data is request.POST else "query"
        for key, values in data.lists():
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                raise ValidationError(
                    [{"loc": [source, key], "msg": NUL_REASON, "type": "string_nul"}]
                )
        return super().parse_querydict(data, list_fields, request)
