"""Merge's ValidationProblem, the one shape every warning and error of a write takes.

``problem_type`` values are Merge's (``MISSING_REQUIRED_FIELD``, ``INVALID_FIELD_CHOICE``, ``PROVIDER_ERROR``…)
plus ``INVALID_REFERENCE`` for an id that names no record of the linked account (Merge folds that into ``ERROR``;
a code of its own lets a client tell a stale id from a provider refusal). ``source.pointer`` is a JSON pointer
into the request body (``/model/line_items/0/item``).
"""

from __future__ import annotations

import msgspec

__all__ = [
    "CREDENTIAL_REFRESH_FAILED",
    "ERROR",
    "INCORRECT_FIELD_TYPE",
    "INVALID_FIELD_CHOICE",
    "INVALID_REFERENCE",
    "MISSING_REQUIRED_FIELD",
    "PROVIDER_ERROR",
    "Problem",
    "Source",
    "UNRECOGNIZED_FIELD",
    "UNSUPPORTED_FIELD",
    "problem",
]

MISSING_REQUIRED_FIELD = "MISSING_REQUIRED_FIELD"
INCORRECT_FIELD_TYPE = "INCORRECT_FIELD_TYPE"
INVALID_FIELD_CHOICE = "INVALID_FIELD_CHOICE"
UNRECOGNIZED_FIELD = "UNRECOGNIZED_FIELD"
UNSUPPORTED_FIELD = "UNSUPPORTED_FIELD"
INVALID_REFERENCE = "INVALID_REFERENCE"
PROVIDER_ERROR = "PROVIDER_ERROR"
CREDENTIAL_REFRESH_FAILED = "CREDENTIAL_REFRESH_FAILED"
ERROR = "ERROR"


class Source(msgspec.Struct, frozen=True):
    """Where in the request body the problem is."""

    pointer: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One warning or error, as Merge's SDK reads it."""

    title: str
    detail: str
    problem_type: str
    source: Source | None = None
    raw_error: str | None = None
    block_merge_link: bool | None = None


def problem(problem_type: str, title: str, detail: str, pointer: str | None = None, raw: str | None = None) -> Problem:
    """A problem, with its pointer wrapped as Merge nests it."""
    return Problem(
        title=title,
        detail=detail,
        problem_type=problem_type,
        source=None if pointer is None else Source(pointer),
        raw_error=raw,
    )
