"""What a pathway-plan query is about, by simple keyword rules.

A stand-in until the NLU gives the category (an intent or entity); the rules are
few and readable so that staff can see why a case got its category, and a wrong
category costs little: every case reaches the young person's PA whatever it is.

The text is lower-cased, apostrophes dropped and common text-speak spelled out
("dont", "dnt" -> "do not"; "wen" -> "when"), then the rules are tried in this
order, the first match winning:

1. ``disagree``: they disagree with the plan or a decision in it ("disagree",
   "do not agree", "not fair", "unfair", "not happy with", "complain", "object to").
   First, because it also offers advocacy and the complaints route.
2. ``copy_of_plan``: they want to see or have their plan ("copy", "never got my
   plan", "send me my plan", "see my plan", "read my plan").
3. ``change_plan``: they want something in it changed ("change", "update",
   "add", "take out", "remove", "wrong", "fix", "put in").
4. ``review_date``: when their plan is reviewed ("review", "meeting", "when is").
5. ``other``: anything else.
"""

from __future__ import annotations

import enum

from bot import linear_re


class Category(str, enum.Enum):
    """What a pathway-plan case is about (stored as its value)."""

    REVIEW_DATE = "review_date"
    COPY_OF_PLAN = "copy_of_plan"
    CHANGE_PLAN = "change_plan"
    DISAGREE = "disagree"
    OTHER = "other"


CATEGORIES: tuple[str, ...] = tuple(category.value for category in Category)
"""Every category's stored value."""

_SPELLINGS: tuple[tuple[str, str], ...] = (
    (r"\b(?:dont|dnt|don t|dont|do nt)\b", "do not"),
    (r"\b(?:didnt|didn t|did nt|dint)\b", "did not"),
    (r"\b(?:havent|havnt|haven t|aint)\b", "have not"),
    (r"\b(?:wen|wn)\b", "when"),
    (r"\b(?:ma|mi)\b", "my"),
    (r"\b(?:plz|pls|please)\b", ""),
    (r"\b(?:u|ya)\b", "you"),
    (r"\b(?:nevr|neva)\b", "never"),
    (r"\b(?:revew|reveiw|reveiw|reviw)\b", "review"),
)

_RULES: tuple[tuple[Category, str], ...] = (
    (
        Category.DISAGREE,
        (
            r"\b(?:disagree\w*|do not agree|not agree|not fair|unfair|not happy with"
            r"|complain\w*|complaint|object to|not right for me|against my wishes)\b"
        ),
    ),
    (
        Category.COPY_OF_PLAN,
        (
            r"\b(?:cop(?:y|ies)|never (?:got|had|received|seen)|not (?:got|had|received|seen)"
            r"|send me my plan|see my plan|read my plan|have my plan|get my plan"
            r"|where is my plan)\b"
        ),
    ),
    (
        Category.CHANGE_PLAN,
        (
            r"\b(?:chang\w*|updat\w*|add\w*|take out|remove\w*|wrong|fix\w*|put in"
            r"|amend\w*|correct\w*|different)\b"
        ),
    ),
    (
        Category.REVIEW_DATE,
        r"\b(?:review\w*|meeting|when is|next date|what date)\b",
    ),
)


def normalise(text: str) -> str:
    """Lower-case ``text``, drop apostrophes and punctuation, and spell out text-speak."""
    cleaned = text.lower().replace("\u2019", "'").replace("'", "")
    cleaned = linear_re.compile(r"[^a-z0-9 ]+").sub(" ", cleaned)
    for pattern, replacement in _SPELLINGS:
        cleaned = linear_re.compile(pattern).sub(replacement, cleaned)
    # Only ASCII letters, digits and spaces are left, so RE2's ASCII \s is Python's here.
    return linear_re.compile(r"\s+").sub(" ", cleaned).strip()


def categorise(text: str) -> Category:
    """The category of a pathway-plan query in the young person's own words.

    Args:
        text: What they wrote.

    Returns:
        The first category whose rule matches (see the module's notes), else ``other``.

    """
    cleaned = normalise(text)
    for category, pattern in _RULES:
        if linear_re.compile(pattern).search(cleaned):
            return category
    return Category.OTHER
