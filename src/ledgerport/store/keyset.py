"""Keyset conditions shared by every paged query: rows strictly (or inclusively) past a position."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

__all__ = ["beyond"]


def beyond(position: Any, mark: Any, *, reverse: bool, inclusive: bool) -> ColumnElement[bool]:
    """Rows past ``mark`` in the direction of travel, and the row at it when ``inclusive``."""
    if reverse:
        return position <= mark if inclusive else position < mark  # type: ignore[no-any-return]
    return position >= mark if inclusive else position > mark  # type: ignore[no-any-return]
