"""Text that identifies a patient: folded for matching, and refused when it hides what it says.

Folding is plain Python (no database function), so a search or a duplicate check gives the same
answer on SQLite and PostgreSQL: "Åström", "åström" and "ASTROM" all fold to "astrom".
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i", "ħ": "h"}
)

# Characters that change how the text around them is displayed without being seen themselves:
# bidirectional embeddings, overrides and isolates (Unicode UAX #9) and the direction marks.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\r\u0085\u2028\u2029")


def fold(text: str) -> str:
    """Lower case without accents, spaces collapsed: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.translate(_UNDECOMPOSED).split())


# A few characters fold into several letters (NFKD), hence the margin over the two names' 80 each.
SEARCH_KEY_LENGTH = 400


def name_search_key(given_name: str, family_name: str) -> str:
    """What a patient's name is searched and compared by."""
    return fold(f"{given_name} {family_name}")[:SEARCH_KEY_LENGTH]


def _hidden_character(text: str, *, allow_line_breaks: bool) -> str | None:
    for char in text:
        if char in _BIDI_CONTROLS:
            return "a right-to-left or other direction control character"
        if char in _LINE_BREAKS or char == "\t":
            if allow_line_breaks:
                continue
            return "a line break or tab" if char != "\t" else "a tab"
        if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            return "a control or unassigned character"
    return None


def refuse_hidden_characters(text: str) -> None:
    """For one-line values (names, record numbers): no control, direction or line-break characters."""
    found = _hidden_character(text, allow_line_breaks=False)
    if found:
        raise ValidationError(f"Remove {found}: it cannot be shown or printed reliably.", code="hidden")


def refuse_hidden_characters_in_notes(text: str) -> None:
    """For free text: line breaks and tabs are fine, other control and direction characters are not."""
    found = _hidden_character(text, allow_line_breaks=True)
    if found:
        raise ValidationError(f"Remove {found}: it cannot be shown or printed reliably.", code="hidden")
