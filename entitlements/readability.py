"""Reading age of a piece of text, for the "reading age about 11" rule.

Uses textstat's Flesch-Kincaid grade (a US school grade); a UK reading age is
the grade plus five years. It is a rough guide, shown as a warning, never a
reason to refuse content.
"""

from __future__ import annotations

import textstat


def reading_age(text: str) -> float:
    """The approximate reading age (in years) needed to read ``text``.

    Args:
        text: Plain English text.

    Returns:
        Reading age in years; 0 for empty text.

    """
    if not text.strip():
        return 0.0
    return float(textstat.flesch_kincaid_grade(text)) + 5.0
