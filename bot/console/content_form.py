"""The entitlement editor's form: an entry's document to form fields and back, and previews.

No Sanic here. The form has a field (or a group of fields) for every field of a content
file; :func:`document_from_form` builds the same mapping a YAML file would give, so the
loader's own checks (:func:`entitlements.validation.parse_entry`) judge it, and
:func:`anchor` puts each problem next to the field it is about.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot import linear_re
from bot.answering import first_answer
from bot.channels.sms.formatting import encoding, segments, sms_turn, to_gsm7
from entitlements.model import CIRCUMSTANCES, PERIODS, STATUSES, Entitlement
from entitlements.readability import reading_age
from entitlements.validation import FIRST_REPLY_MAX, SUMMARY_MAX, Problem

READING_AGE_LIMIT = 11
"""Above this reading age a text gets a warning (a guide, never a refusal)."""

MAX_ROWS = 20
"""The most amounts or eligibility rules the form takes."""

TEXT_FIELDS = ("id", "title", "summary", "details", "how_to_get", "legal_basis")
LIST_FIELDS = ("sources", "examples", "synonyms")
DATE_FIELDS = ("last_reviewed", "review_due")
RULE_PARTS = ("statuses", "min_age", "below_age", "circumstances", "note")
AMOUNT_PARTS = ("label", "amount", "period", "applies_from", "source")
CHECKED_FOR_READING = ("summary", "details", "how_to_get", "eligibility_explanation")

ANSWER_BUTTONS: tuple[tuple[str, str], ...] = (
    ("Who can get it?", "/ask_who_can_get"),
    ("How do I get it?", "/ask_how_to_get"),
    ("Tell me more", "/ask_more"),
)
"""The buttons of ``utter_entitlement_answer`` in domain.yml (a test keeps them equal)."""

_ROW_FIELD = r"(amounts|eligibility\.rules)\[([0-9]+)\](?:\.(\w+))?"
_LIST_ITEM = r"(sources|examples|synonyms)\[[0-9]+\]"


@dataclasses.dataclass(frozen=True)
class FormData:
    """What the form sent, as a document, and which form row each list item came from."""

    document: dict[str, Any]
    rule_rows: tuple[int, ...]
    amount_rows: tuple[int, ...]
    note: str


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(text: str) -> int | str | None:
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 4 else text


def _rows(form: Mapping[str, Sequence[str]], name: str) -> int:
    raw = _one(form, name)
    return min(int(raw), MAX_ROWS) if raw.isdigit() else 0


def _one(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or []
    return str(values[0]) if values else ""


def _all(form: Mapping[str, Sequence[str]], name: str) -> list[str]:
    return [str(v) for v in form.get(name) or []]


def document_from_form(form: Mapping[str, Sequence[str]]) -> FormData:
    """The document the form describes, as a content file would hold it.

    Blank rows of amounts and rules are left out; a rule's statuses are the word ``any``
    when "Anyone" is ticked. Nothing is checked here: that is the loader's job.

    Args:
        form: The posted form (each name to its list of values).

    Returns:
        The document, the form rows of its rules and amounts, and the change note.

    """
    document: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        document[field] = _one(form, field)
    rules: list[dict[str, Any]] = []
    rule_rows: list[int] = []
    for row in range(1, _rows(form, "rule_rows") + 1):
        statuses = _all(form, f"rule-{row}-statuses")
        circumstances = _all(form, f"rule-{row}-circumstances")
        min_age = _number(_one(form, f"rule-{row}-min_age"))
        below_age = _number(_one(form, f"rule-{row}-below_age"))
        note = _one(form, f"rule-{row}-note").strip()
        if not (statuses or circumstances or min_age is not None or below_age is not None or note):
            continue
        rule: dict[str, Any] = {"statuses": "any" if "any" in statuses else statuses}
        if min_age is not None:
            rule["min_age"] = min_age
        if below_age is not None:
            rule["below_age"] = below_age
        if circumstances:
            rule["circumstances"] = circumstances
        if note:
            rule["note"] = note
        rules.append(rule)
        rule_rows.append(row)
    document["eligibility"] = {
        "explanation": _one(form, "eligibility_explanation"),
        "rules": rules,
    }
    amounts: list[dict[str, Any]] = []
    amount_rows: list[int] = []
    for row in range(1, _rows(form, "amount_rows") + 1):
        parts = {part: _one(form, f"amount-{row}-{part}").strip() for part in AMOUNT_PARTS}
        if not any(parts.values()):
            continue
        amounts.append(parts)
        amount_rows.append(row)
    document["amounts"] = amounts
    varies = _one(form, "varies")
    document["varies_locally"] = {
        "varies": {"yes": True, "no": False}.get(varies),
        "note": _one(form, "varies_note"),
    }
    for field in LIST_FIELDS:
        document[field] = _lines(_one(form, field))
    for field in DATE_FIELDS:
        document[field] = _one(form, field).strip()
    # In the file's order, as a content file is written.
    order = (
        "id title summary details eligibility amounts how_to_get legal_basis varies_locally "
        "sources last_reviewed review_due examples synonyms"
    ).split()
    return FormData(
        document={key: document[key] for key in order},
        rule_rows=tuple(rule_rows),
        amount_rows=tuple(amount_rows),
        note=_one(form, "note").strip(),
    )


def form_values(document: Mapping[str, Any], note: str = "") -> dict[str, Any]:
    """The form's fields for a document (an entry's, a draft's, or one sent back)."""
    eligibility = document.get("eligibility") or {}
    rules = []
    for rule in eligibility.get("rules") or []:
        statuses = rule.get("statuses")
        rules.append(
            {
                "statuses": ["any"] if statuses == "any" else list(statuses or []),
                "min_age": "" if rule.get("min_age") is None else str(rule.get("min_age")),
                "below_age": "" if rule.get("below_age") is None else str(rule.get("below_age")),
                "circumstances": list(rule.get("circumstances") or []),
                "note": rule.get("note") or "",
            }
        )
    amounts = [
        {part: str(amount.get(part) or "") for part in AMOUNT_PARTS}
        for amount in document.get("amounts") or []
    ]
    empty_rule = {"statuses": [], "min_age": "", "below_age": "", "circumstances": [], "note": ""}
    rules = [*rules[: MAX_ROWS - 1], empty_rule]
    amounts = [*amounts[: MAX_ROWS - 1], {part: "" for part in AMOUNT_PARTS}]
    varies = (document.get("varies_locally") or {}).get("varies")
    values: dict[str, Any] = {
        field: str(document.get(field) or "") for field in (*TEXT_FIELDS, *DATE_FIELDS)
    }
    values.update(
        {
            "eligibility_explanation": str(eligibility.get("explanation") or ""),
            "rules": rules,
            "amounts": amounts,
            "varies": "yes" if varies is True else "no" if varies is False else "",
            "varies_note": str((document.get("varies_locally") or {}).get("note") or ""),
            "note": note,
        }
    )
    for field in LIST_FIELDS:
        values[field] = "\n".join(str(item) for item in document.get(field) or [])
    return values


def anchor(field: str, rule_rows: Sequence[int] = (), amount_rows: Sequence[int] = ()) -> str:
    """The id of the form field a problem's field path is about (see the editor template)."""
    found = linear_re.compile(_ROW_FIELD).fullmatch(field)
    if found:
        kind, index, part = found.group(1), int(found.group(2) or 0), found.group(3)
        rows = rule_rows if kind != "amounts" else amount_rows
        row = rows[index - 1] if 0 < index <= len(rows) else 1
        if kind == "amounts":
            return f"f-amount-{row}-{part if part in AMOUNT_PARTS else 'label'}"
        return f"f-rule-{row}-{part if part in RULE_PARTS else 'statuses'}"
    if linear_re.compile(_LIST_ITEM).fullmatch(field):
        return "f-" + field.split("[")[0]
    simple = {
        "eligibility": "f-eligibility_explanation",
        "eligibility.explanation": "f-eligibility_explanation",
        "eligibility.rules": "f-rule-1-statuses",
        "amounts": "f-amount-1-label",
        "varies_locally": "f-varies",
        "varies_locally.varies": "f-varies",
        "varies_locally.note": "f-varies_note",
    }
    if field in simple:
        return simple[field]
    if field in (*TEXT_FIELDS, *LIST_FIELDS, *DATE_FIELDS):
        return f"f-{field}"
    return "f-id"


def problems_by_anchor(
    problems: Sequence[Problem], rule_rows: Sequence[int] = (), amount_rows: Sequence[int] = ()
) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    """The error summary's rows (message and link) and each field's messages."""
    summary: list[dict[str, str]] = []
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        target = anchor(problem.field, rule_rows, amount_rows)
        message = f"{problem.field}: {problem.message}"
        summary.append({"href": f"#{target}", "text": message})
        by_field.setdefault(target, []).append(message)
    return summary, by_field


# ---- previews ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SummaryCount:
    """The summary's length, and what the first reply costs as an SMS."""

    characters: int
    limit: int
    first_reply_characters: int
    first_reply_limit: int
    segments: int
    encoding: str


def summary_count(title: str, summary: str) -> SummaryCount:
    """Characters of the summary, and SMS segments of the first reply (title: summary)."""
    summary = " ".join(summary.split())
    reply = f"{' '.join(title.split())}: {summary}"
    as_sent = to_gsm7(reply)
    return SummaryCount(
        characters=len(summary),
        limit=SUMMARY_MAX,
        first_reply_characters=len(reply),
        first_reply_limit=FIRST_REPLY_MAX,
        segments=segments(as_sent),
        encoding=encoding(as_sent),
    )


def reading_ages(values: Mapping[str, Any]) -> dict[str, float]:
    """The reading age of each text young people read first, rounded to a whole year."""
    return {
        field: round(reading_age(str(values.get(field) or "")))
        for field in CHECKED_FOR_READING
        if str(values.get(field) or "").strip()
    }


@dataclasses.dataclass(frozen=True)
class SmsPart:
    """One SMS of the first reply, as the SMS channel would send it."""

    body: str
    segments: int


def first_reply(entry: Entitlement | tuple[str, str]) -> str:
    """The first answer about an entry, or about a (title, summary) still being written."""
    if isinstance(entry, Entitlement):
        return first_answer(entry)
    title, summary = entry
    return f"{' '.join(title.split())}: {' '.join(summary.split())}"


def sms_preview(entry: Entitlement | tuple[str, str]) -> list[SmsPart]:
    """The first reply as the SMS channel sends it (its text, and its reply words if they fit)."""
    buttons = [{"title": title, "payload": payload} for title, payload in ANSWER_BUTTONS]
    bodies, _options = sms_turn([{"text": first_reply(entry), "buttons": buttons}])
    return [SmsPart(body, segments(body)) for body in bodies]


def web_preview(entry: Entitlement | tuple[str, str]) -> dict[str, Any]:
    """The first reply as the web chat shows it: the text and its buttons."""
    return {"text": first_reply(entry), "buttons": [title for title, _ in ANSWER_BUTTONS]}


def choices() -> dict[str, Any]:
    """The fixed choices the form offers."""
    return {"statuses": STATUSES, "circumstances": CIRCUMSTANCES, "periods": PERIODS}


def new_document(today: dt.date) -> dict[str, Any]:
    """A blank new entry, with review dates filled in (reviewed today, due in six months)."""
    due = today + dt.timedelta(days=182)
    return {
        "varies_locally": {"varies": True, "note": ""},
        "last_reviewed": today.isoformat(),
        "review_due": due.isoformat(),
    }
