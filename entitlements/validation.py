"""Checks one content file's data and turns it into an :class:`Entitlement`.

Every problem is collected (not just the first), each naming the file, the field
and what is wrong, so a member of staff can fix a file in one go.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from entitlements.model import (
    CIRCUMSTANCES,
    PERIODS,
    STATUSES,
    Amount,
    Eligibility,
    Entitlement,
    Rule,
)

SUMMARY_MAX = 300
FIRST_REPLY_MAX = 306
"""Title + ': ' + summary: two GSM-7 SMS segments (153 each), so the first answer is one text."""
LONG_TEXT_MAX = 600
MIN_EXAMPLES = 8
MIN_SYNONYMS = 3
MAX_AGE = 30

REQUIRED_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "summary",
    "details",
    "eligibility",
    "amounts",
    "how_to_get",
    "legal_basis",
    "varies_locally",
    "sources",
    "last_reviewed",
    "review_due",
    "examples",
    "synonyms",
)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
POUNDS_PATTERN = re.compile(r"£\s?(\d[\d,]*(?:\.\d{1,2})?)")
FORBIDDEN_WORDS = re.compile(r"\bunconfirmed\b", re.IGNORECASE)
BRACES = re.compile(r"[{}]")
TEXT_FIELDS_SHOWN = ("summary", "details", "how_to_get", "legal_basis")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, field, message))

    def text(
        self, data: Mapping[str, Any], field: str, *, max_len: int | None = None, prefix: str = ""
    ) -> str:
        value = data.get(field)
        if not isinstance(value, str) or not value.strip():
            self.add(prefix + field, f"must be some text, got {_describe(value)}")
            return ""
        value = " ".join(value.split())
        if max_len is not None and len(value) > max_len:
            self.add(
                prefix + field, f"is {len(value)} characters long; the most allowed is {max_len}"
            )
        return value

    def date(self, data: Mapping[str, Any], field: str, prefix: str = "") -> dt.date | None:
        value = data.get(field)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(prefix + field, f"must be a date written YYYY-MM-DD, got {_describe(value)}")
        return None

    def text_list(
        self, data: Mapping[str, Any], field: str, *, minimum: int, what: str
    ) -> tuple[str, ...]:
        value = data.get(field)
        if not isinstance(value, list):
            self.add(field, f"must be a list of {what}, got {_describe(value)}")
            return ()
        items: list[str] = []
        seen: set[str] = set()
        for index, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                self.add(f"{field}[{index}]", f"must be some text, got {_describe(item)}")
                continue
            cleaned = " ".join(item.split())
            key = cleaned.casefold()
            if key in seen:
                self.add(f"{field}[{index}]", f"repeats an earlier item: {cleaned!r}")
                continue
            seen.add(key)
            items.append(cleaned)
        if len(items) < minimum:
            self.add(field, f"needs at least {minimum} {what}, has {len(items)}")
        return tuple(items)


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "empty text" if not value.strip() else repr(value[:40])
    return f"a {type(value).__name__}"


def parse_entry(
    data: object,
    *,
    file: str,
    scope: str,
    topics: Mapping[str, str],
    today: dt.date,
    expected_id: str | None = None,
) -> tuple[Entitlement | None, list[Problem]]:
    """Validate the data of one content file.

    Args:
        data: What the YAML file contained.
        file: The file's name, used in every problem reported.
        scope: ``national`` or ``local``.
        topics: The known entitlement ids and their exact titles.
        today: The date to check review dates against.
        expected_id: The id the file's name implies, if it must match.

    Returns:
        The entitlement (``None`` if there was any problem) and the problems found.

    """
    c = _Collector(file)
    if not isinstance(data, dict):
        c.add("(file)", f"must be a mapping of field: value, got {_describe(data)}")
        return None, c.problems

    for key in data:
        if key not in REQUIRED_FIELDS:
            close = difflib.get_close_matches(str(key), REQUIRED_FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            c.add(str(key), f"is not a known field{hint}")
    for field in REQUIRED_FIELDS:
        if field not in data:
            c.add(field, "is missing")

    entry_id = data.get("id")
    if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
        c.add("id", "must be lower-case letters, digits and dashes, e.g. staying-put")
        entry_id = ""
    elif expected_id is not None and entry_id != expected_id:
        c.add("id", f"is {entry_id!r} but the file is named {expected_id}.yaml; they must match")
    elif scope == "national" and entry_id not in topics:
        c.add("id", f"{entry_id!r} is not one of the topics in topics.yaml")

    title = c.text(data, "title")
    if entry_id in topics and title and title != topics[entry_id]:
        c.add("title", f"must be exactly {topics[entry_id]!r} as in topics.yaml, got {title!r}")

    summary = c.text(data, "summary", max_len=SUMMARY_MAX)
    if title and summary and len(title) + 2 + len(summary) > FIRST_REPLY_MAX:
        c.add(
            "summary",
            f"title + ': ' + summary is {len(title) + 2 + len(summary)} characters; "
            f"the first reply must fit in {FIRST_REPLY_MAX}",
        )
    details = c.text(data, "details", max_len=LONG_TEXT_MAX)
    how_to_get = c.text(data, "how_to_get", max_len=LONG_TEXT_MAX)
    legal_basis = c.text(data, "legal_basis")

    eligibility = _eligibility(c, data.get("eligibility"))
    amounts = _amounts(c, data.get("amounts"))
    varies, local_note = _varies_locally(c, data.get("varies_locally"))
    sources = c.text_list(data, "sources", minimum=1, what="addresses")
    for index, url in enumerate(sources, start=1):
        if not URL_PATTERN.match(url):
            c.add(f"sources[{index}]", f"must be an http(s):// address, got {url[:60]!r}")

    last_reviewed = c.date(data, "last_reviewed")
    review_due = c.date(data, "review_due")
    if last_reviewed and last_reviewed > today:
        c.add("last_reviewed", f"{last_reviewed} is in the future")
    if last_reviewed and review_due and review_due <= last_reviewed:
        c.add("review_due", f"{review_due} must be after last_reviewed ({last_reviewed})")

    examples = c.text_list(data, "examples", minimum=MIN_EXAMPLES, what="example questions")
    synonyms = c.text_list(data, "synonyms", minimum=MIN_SYNONYMS, what="synonyms")

    texts = {"summary": summary, "details": details, "how_to_get": how_to_get}
    known = {a.amount for a in amounts}
    for field, text in texts.items():
        for match in POUNDS_PATTERN.finditer(text):
            value = Decimal(match.group(1).replace(",", ""))
            if value not in known:
                c.add(
                    field,
                    f"mentions £{match.group(1)} but amounts has no entry of {value} "
                    "(every amount needs a source and a date)",
                )
    for field in (*TEXT_FIELDS_SHOWN, "title"):
        shown = data.get(field)
        if isinstance(shown, str) and FORBIDDEN_WORDS.search(shown):
            c.add(field, "says UNCONFIRMED: unconfirmed facts are never shown to young people")
        if isinstance(shown, str) and BRACES.search(shown):
            c.add(field, "must not contain { or } (they are used to fill in the bot's messages)")
    if eligibility and FORBIDDEN_WORDS.search(eligibility.explanation):
        c.add("eligibility.explanation", "says UNCONFIRMED")

    if c.problems or eligibility is None or last_reviewed is None or review_due is None:
        return None, c.problems
    return (
        Entitlement(
            id=entry_id,
            title=title,
            scope=scope,
            summary=summary,
            details=details,
            eligibility=eligibility,
            amounts=amounts,
            how_to_get=how_to_get,
            legal_basis=legal_basis,
            varies_locally=varies,
            local_note=local_note,
            sources=sources,
            last_reviewed=last_reviewed,
            review_due=review_due,
            examples=examples,
            synonyms=synonyms,
        ),
        [],
    )


def _eligibility(c: _Collector, value: object) -> Eligibility | None:
    if not isinstance(value, dict):
        c.add(
            "eligibility", f"must be a mapping with explanation and rules, got {_describe(value)}"
        )
        return None
    for key in value:
        if key not in ("explanation", "rules"):
            c.add(f"eligibility.{key}", "is not a known field (use explanation and rules)")
    explanation = c.text(value, "explanation", prefix="eligibility.")
    raw_rules = value.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        c.add("eligibility.rules", "must be a list of at least one rule")
        return None
    rules: list[Rule] = []
    for index, raw in enumerate(raw_rules, start=1):
        rule = _rule(c, f"eligibility.rules[{index}]", raw)
        if rule is not None:
            rules.append(rule)
    if len(rules) != len(raw_rules):
        return None
    return Eligibility(explanation=explanation, rules=tuple(rules))


def _rule(c: _Collector, where: str, raw: object) -> Rule | None:
    if not isinstance(raw, dict):
        c.add(where, f"must be a mapping, got {_describe(raw)}")
        return None
    before = len(c.problems)
    allowed = ("statuses", "min_age", "below_age", "circumstances", "note")
    for key in raw:
        if key not in allowed:
            c.add(f"{where}.{key}", f"is not a known field (use {', '.join(allowed)})")
    statuses_raw = raw.get("statuses")
    statuses: frozenset[str] | None
    if statuses_raw == "any":
        statuses = None
    elif isinstance(statuses_raw, list) and statuses_raw:
        unknown = [s for s in statuses_raw if s not in STATUSES]
        if unknown:
            c.add(
                f"{where}.statuses",
                f"unknown status {unknown[0]!r}; use {', '.join(STATUSES)} or the word any",
            )
        statuses = frozenset(str(s) for s in statuses_raw)
    else:
        c.add(f"{where}.statuses", "must be a list of statuses or the word any")
        statuses = None
    ages: dict[str, int | None] = {}
    for key in ("min_age", "below_age"):
        age = raw.get(key)
        if age is not None and (
            isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE
        ):
            c.add(f"{where}.{key}", f"must be a whole number of years from 0 to {MAX_AGE}")
            age = None
        ages[key] = age
    min_age, below_age = ages["min_age"], ages["below_age"]
    if min_age is not None and below_age is not None and below_age <= min_age:
        c.add(f"{where}.below_age", f"must be more than min_age ({min_age})")
    circumstances_raw = raw.get("circumstances", [])
    if not isinstance(circumstances_raw, list):
        c.add(f"{where}.circumstances", "must be a list")
        circumstances_raw = []
    for item in circumstances_raw:
        if item not in CIRCUMSTANCES:
            c.add(
                f"{where}.circumstances",
                f"unknown circumstance {item!r}; use one of {', '.join(CIRCUMSTANCES)}",
            )
    note = raw.get("note")
    if note is not None and (not isinstance(note, str) or not note.strip()):
        c.add(f"{where}.note", "must be some text when given")
        note = None
    if len(c.problems) > before:
        return None
    return Rule(
        statuses=statuses,
        min_age=min_age,
        below_age=below_age,
        circumstances=tuple(str(x) for x in circumstances_raw),
        note=" ".join(note.split()) if isinstance(note, str) else None,
    )


def _amounts(c: _Collector, value: object) -> tuple[Amount, ...]:
    if not isinstance(value, list):
        c.add("amounts", f"must be a list (use [] for none), got {_describe(value)}")
        return ()
    amounts: list[Amount] = []
    for index, raw in enumerate(value, start=1):
        where = f"amounts[{index}]"
        if not isinstance(raw, dict):
            c.add(where, f"must be a mapping, got {_describe(raw)}")
            continue
        before = len(c.problems)
        for key in raw:
            if key not in ("label", "amount", "period", "applies_from", "source"):
                c.add(f"{where}.{key}", "is not a known field")
        label = c.text(raw, "label", prefix=f"{where}.")
        try:
            amount = Decimal(str(raw.get("amount")).replace(",", "").lstrip("£"))
            if not amount.is_finite() or amount <= 0:
                raise InvalidOperation
        except InvalidOperation:
            c.add(
                f"{where}.amount",
                f'must be an amount in pounds such as "3000", got {raw.get("amount")!r}',
            )
            amount = Decimal(0)
        period = raw.get("period")
        if period not in PERIODS:
            c.add(f"{where}.period", f"must be one of {', '.join(PERIODS)}, got {period!r}")
        applies_from = c.date(raw, "applies_from", prefix=f"{where}.")
        source = raw.get("source")
        if not isinstance(source, str) or not URL_PATTERN.match(source.strip()):
            c.add(f"{where}.source", "must be the http(s):// address the amount comes from")
        if len(c.problems) == before and applies_from is not None:
            amounts.append(
                Amount(
                    label=label,
                    amount=amount,
                    period=str(period),
                    applies_from=applies_from,
                    source=str(source).strip(),
                )
            )
    return tuple(amounts)


def _varies_locally(c: _Collector, value: object) -> tuple[bool, str]:
    if not isinstance(value, dict) or not isinstance(value.get("varies"), bool):
        c.add("varies_locally", "must be a mapping with varies: true or false, and a note")
        return False, ""
    varies = bool(value["varies"])
    note = value.get("note", "")
    if varies and (not isinstance(note, str) or not note.strip()):
        c.add("varies_locally.note", "must say what differs between councils when varies is true")
        note = ""
    return varies, " ".join(str(note or "").split())
