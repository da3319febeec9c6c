"""The class lookup in the JSON API: the classes of a state's code system that fit a description
of operations, for a policy-admin or underwriting system choosing classes."""

# No `from __future__ import annotations`: Django Ninja reads the query parameters' types.
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from trueup.accounts.models import PORTAL_ROLES, User
from trueup.api.common import answers
from trueup.core.errors import NotAllowed
from trueup.reference.classes import MAX_QUERY, suggest

router = Router(tags=["classes"])


class ClassQuery(Schema):
    state: str = Field(min_length=2, max_length=2, description="The state, e.g. IN")
    q: str = Field(min_length=1, max_length=MAX_QUERY, description="What the business does")
    line: Literal["WC", "GL"] = "WC"
    limit: int = Field(5, ge=1, le=20, description="Suggestions at most")


class SuggestionOut(Schema):
    code: str
    description: str
    code_system: str
    basis: str
    score: float
    matched: list[str]
    warnings: list[str]
    standard_exception: bool
    dual_wage_pair: str
    source: str
    rated: bool
    rate_description: str


class ClassesOut(Schema):
    state: str
    line: str
    code_system: str
    system_name: str
    query: str
    suggestions: list[SuggestionOut]
    notes: list[str]


@router.get("/classes", response=answers(ClassesOut))
def class_lookup(request: HttpRequest, filters: Query[ClassQuery]) -> ClassesOut:
    """The classes that best fit a description of operations (``q``) in the state's code
    system, best first: each with the words of the description it matched, warnings (standard
    exceptions, dual-wage pairs, a description that fits several classes) and whether the rate
    table in use rates it in the state. The department's staff only: a carrier's loaded
    phraseology is licensed to it."""
    user = request.user
    assert isinstance(user, User)
    if user.role in PORTAL_ROLES:
        raise NotAllowed("only the audit department's staff look up classes")
    found = suggest(filters.q, state=filters.state, line=filters.line, limit=filters.limit)
    return ClassesOut(
        state=found.state,
        line=found.line,
        code_system=found.code_system,
        system_name=found.system_name,
        query=found.query,
        suggestions=[
            SuggestionOut(
                code=s.code,
                description=s.description,
                code_system=s.code_system,
                basis=s.basis,
                score=s.score,
                matched=list(s.matched),
                warnings=list(s.warnings),
                standard_exception=s.standard_exception,
                dual_wage_pair=s.dual_wage_pair,
                source=s.source,
                rated=s.rated,
                rate_description=s.rate_description,
            )
            for s in found.suggestions
        ],
        notes=list(found.notes),
    )
