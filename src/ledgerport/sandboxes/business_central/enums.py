"""v2.0 enum wire form: member names that are not identifiers are XML-escaped (``G/L Account`` ->
``G_x002F_L_x0020_Account``, the blank member -> ``_x0020_``). Output is always escaped; input accepts both forms
(FACTS §1, VERIFY that BC takes the plain form; its own journalLine sample sends it)."""

from __future__ import annotations

import re

__all__ = ["escape", "unescape"]

_ESCAPES = {" ": "_x0020_", "/": "_x002F_", ".": "_x002E_", "-": "_x002D_", "(": "_x0028_", ")": "_x0029_"}
_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape(member: str) -> str:
    """The wire form of a member name."""
    return "".join(_ESCAPES.get(char, char) for char in member)


def unescape(value: str) -> str:
    """The plain member name of a wire (or already plain) value."""
    return _UNESCAPE.sub(lambda found: chr(int(found.group(1), 16)), value)
