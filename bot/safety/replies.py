"""The safety net's own words, from ``bot/safety/data/replies.yml``.

The wording lives in a data file that the council's safeguarding lead reviews; this
module only fills in the council's numbers and the young person's age band. It does
not depend on Rasa, so a channel can answer a crisis before the model is even loaded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.safety.categories import CATEGORIES

REPLIES_FILE = Path(__file__).resolve().parent / "data" / "replies.yml"
TOLD = ("pa_and_duty", "pa", "duty")


class RepliesError(ValueError):
    """The replies file is missing an entry or has one of the wrong kind."""


@dataclasses.dataclass(frozen=True)
class Replies:
    """Every reply the safety net sends, as written in the data file."""

    crisis: Mapping[str, str]
    under_19: str
    check_in: str
    told: Mapping[str, str]
    housing_contact_unset: str

    def for_crisis(
        self,
        categories: tuple[str, ...],
        *,
        over_19: bool = False,
        housing_contact: str | None = None,
    ) -> str:
        """The crisis reply for the most urgent kind of risk found (:data:`CATEGORIES`).

        Args:
            categories: The kinds of risk, most important first (may be empty).
            over_19: True only when the young person is known to be 19 or older
                (Childline is for under 19s; everyone else is told of it).
            housing_contact: Who to call tonight for somewhere to stay, with the number.
        """
        # The most urgent kind found, whatever order the words came in ("nowhere to sleep
        # tonight and i want to kill myself" gets the reply for suicide).
        found = [c for c in categories if c in self.crisis]
        category = min(found, key=_urgency) if found else "unspecified"
        return _fill(
            self.crisis[category],
            under_19="" if over_19 else self.under_19,
            housing_contact=housing_contact or self.housing_contact_unset,
        )

    def _crisis_shapes(self) -> list[tuple[str, str | None]]:
        """Each crisis reply as it can be sent: (text before the council's contact, after).

        ``after`` is None for a reply with no contact in it.
        """
        shapes: list[tuple[str, str | None]] = []
        for text in self.crisis.values():
            for under_19 in ("", self.under_19):
                filled = _fill(text, under_19=under_19, housing_contact="\x00")
                before, marker, after = filled.partition("\x00")
                shapes.append((before, after if marker else None))
        return shapes

    def is_crisis_reply(self, text: str) -> bool:
        """True if ``text`` is one of the crisis replies, whatever contact it was given."""
        sent = " ".join(text.split())
        for before, after in self._crisis_shapes():
            if after is None and sent == before:
                return True
            if (
                after is not None
                and sent.startswith(before)
                and sent.endswith(after)
                and len(sent) > len(before) + len(after)
            ):
                return True
        return False

    def is_own(self, text: str) -> bool:
        """True if ``text`` is any reply of the safety net (crisis, check-in, who was told)."""
        return self.is_crisis_reply(text) or text in {self.check_in, *self.told.values()}

    def all_texts(self) -> frozenset[str]:
        """Every reply as it can be sent, to tell them apart from other bot messages."""
        texts = {self.check_in, *self.told.values()}
        for text in self.crisis.values():
            for under_19 in ("", self.under_19):
                texts.add(_fill(text, under_19=under_19, housing_contact="\x00"))
        return frozenset(texts)


def _fill(template: str, **values: str) -> str:
    return " ".join(template.format_map(_Blank(values)).split())


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RepliesError(f"{where}: '{key}' must be a non-empty text")
    return " ".join(value.split())


def parse(data: Any, where: str = str(REPLIES_FILE)) -> Replies:
    """Check and read the replies file's contents.

    Raises:
        RepliesError: Saying which file and entry is wrong.
    """
    if not isinstance(data, dict):
        raise RepliesError(f"{where}: the file must be a mapping")
    crisis = data.get("crisis")
    if not isinstance(crisis, dict):
        raise RepliesError(f"{where}: 'crisis' must be a mapping of kind of risk to text")
    for category in (*CATEGORIES, "unspecified"):
        _text(crisis, category, f"{where}, crisis")
    unknown = set(crisis) - {*CATEGORIES, "unspecified"}
    if unknown:
        raise RepliesError(
            f"{where}, crisis: unknown kind(s) of risk: {', '.join(sorted(unknown))}"
        )
    told = data.get("told")
    if not isinstance(told, dict):
        raise RepliesError(f"{where}: 'told' must be a mapping")
    return Replies(
        crisis={k: _text(crisis, k, f"{where}, crisis") for k in crisis},
        under_19=" " + _text(data, "under_19", where),
        check_in=_text(data, "check_in", where),
        told={k: _text(told, k, f"{where}, told") for k in TOLD},
        housing_contact_unset=_text(data, "housing_contact_unset", where),
    )


@functools.cache
def load(path: Path = REPLIES_FILE) -> Replies:
    """The replies, read once per process."""
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def housing_contact(
    leaving_care_phone: str | None,
    out_of_hours_phone: str | None,
    in_office_hours: bool,
) -> str | None:
    """Who to call tonight for somewhere to stay, with the council's number, if it has one."""
    if in_office_hours and leaving_care_phone:
        return f"your leaving care team on {leaving_care_phone}"
    if not in_office_hours and out_of_hours_phone:
        return f"the council's out-of-hours team on {out_of_hours_phone}"
    return None


def is_19_or_over(birth_date: dt.date | None, today: dt.date) -> bool:
    """True only when a date of birth on record says 19 or older."""
    if birth_date is None:
        return False
    years = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    return years >= 19


def _urgency(category: str) -> int:
    """Where a kind of risk stands in :data:`CATEGORIES` (most urgent first)."""
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)
