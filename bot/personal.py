"""Answers that fit the young person: whether an entitlement applies to them, and why.

No Rasa import. Given who is talking (a :class:`~bot.people.identity.CareLeaver`, or
nobody) and an entry, this works out the verdict (:mod:`entitlements.eligibility`)
and the :class:`~bot.answering.Reply` that says it, in the fixed wording of
:data:`WORDINGS` (kept here, not in ``domain.yml``, so that the line can be measured:
it goes in the answer's own message, and by SMS in the wording that keeps the answer
within two segments, counted by the SMS channel's own rules: :func:`with_line`).
Someone not identified never gets a name, an age or a date: they get the conditions in
plain words, or one short question (their age) when the age alone settles it. The age
they give is used for that answer and kept nowhere else.

A number on record that has not been checked lately (:mod:`bot.people.sms_check`) gets
only whether it applies (:func:`limited_reply`), never a name, an age, a status or a
date. And no answer ever gives a date worked out from someone's birthday as a day: a
birthday that starts or ends something is said as its month and year ("until your 21st
birthday in October 2028"), since the day would give away their date of birth.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence

from bot.answering import Reply
from bot.clock import utcnow
from bot.people.identity import CareLeaver
from bot.people.importer import CIRCUMSTANCE_COLUMNS
from entitlements.eligibility import (
    Profile,
    Verdict,
    age_on,
    applicable,
    evaluate,
    today_in_london,
)
from entitlements.knowledge_base import KnowledgeBase
from entitlements.model import CIRCUMSTANCES, STATUSES, Entitlement

STATUS_WORDS: dict[str, str] = {
    "eligible": "an eligible care leaver",
    "relevant": "a relevant care leaver",
    "former_relevant": "a former relevant care leaver",
    "qualifying": "a qualifying care leaver",
}

MISSING_WORDS: dict[str, str] = {
    "status": "your care-leaver status",
    "age": "your age",
    "in_higher_education": "whether you're at university",
    "in_further_education": "whether you're at school or college",
    "apprenticeship": "whether you're on an apprenticeship",
    "parent": "whether you're a parent",
    "uasc": "whether you came to the UK on your own as a child",
    "staying_put": "whether you're in Staying Put",
    "out_of_area": "whether you live in another council's area",
    "in_care_at_18": "whether you were in care on your 18th birthday",
    "in_foster_care_at_18": "whether you lived with foster carers on your 18th birthday",
}

LIST_PAGE = 3
ANYONE_AGES = range(14, 31)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st, 22nd..."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date(day: dt.date) -> str:
    """A date as young people read it: 3 May 2027 (never a birthday: :func:`month_year`)."""
    return f"{day.day} {day:%B %Y}"


def month_year(day: dt.date) -> str:
    """A birthday's month and year, October 2028: the day would give the date of birth away."""
    return f"{day:%B %Y}"


def legal_status(person: CareLeaver, on: dt.date) -> str:
    """The person's status as the law sees it today.

    An eligible or relevant child becomes a former relevant child at 18
    (Children Act 1989 s.23C(1)); a record not yet updated must not cost them
    what they are entitled to.
    """
    if person.status in ("eligible", "relevant") and age_on(person.date_of_birth, on) >= 18:
        return "former_relevant"
    return person.status


RECORDED_CIRCUMSTANCES = frozenset(CIRCUMSTANCE_COLUMNS)
"""The circumstances a care leaver's record says yes or no to."""

IMPLIED: dict[str, frozenset[str]] = {
    # Staying Put is staying on with the foster carers you lived with at 18.
    "staying_put": frozenset({"in_foster_care_at_18", "in_care_at_18"}),
}


def profile_of(person: CareLeaver, on: dt.date) -> Profile:
    """What the eligibility rules need to know about a person.

    The record answers yes or no for its own columns; what follows from them is
    added; anything else (at college, in care at 18...) stays unknown, so a rule
    needing it says "ask your PA" rather than "no".
    """
    held = set(person.circumstances)
    for code in list(held):
        held |= IMPLIED.get(code, frozenset())
    return Profile(
        status=legal_status(person, on),
        date_of_birth=person.date_of_birth,
        circumstances=frozenset(held),
        unknown_circumstances=frozenset(CIRCUMSTANCES) - RECORDED_CIRCUMSTANCES - held,
    )


def _missing(verdict: Verdict) -> str:
    words = [MISSING_WORDS.get(m, m.replace("_", " ")) for m in verdict.missing]
    return " and ".join(words) or "your situation"


def _instead(
    kb: KnowledgeBase, entry: Entitlement, profile: Profile, on: dt.date, limit: int = 2
) -> str:
    related = [m.entitlement_id for m in kb.index.search(f"{entry.title}. {entry.summary}", 6)]
    titles = [
        kb.entries[i].title
        for i in related
        if i != entry.id and evaluate(kb.entries[i], profile, on).applies == "yes"
    ][:limit]
    if not titles:
        return ""
    return f" You may be able to get {' or '.join(titles)} instead: ask me about it."


WORDINGS: dict[str, tuple[str, ...]] = {
    "applies": (
        "{name}, you're {age} and {status}, so this applies to you{until}{note}.",
        "{name}, this applies to you{until}{note}.",
        "This applies to you{until}{note}.",
    ),
    "not_applies": (
        "{name}, you're {age} and {status}, so this one doesn't apply to you{start}.{instead}",
        "{name}, this one doesn't apply to you{start}.{instead}",
        "This one doesn't apply to you{start}.{instead}",
    ),
    "depends": (
        "{name}, whether this applies to you depends on {missing}. Your PA can check this "
        "with you.",
        "{name}, this depends on {missing}. Your PA can check it with you.",
        "This depends on {missing}. Your PA can check it with you.",
    ),
}
"""How :func:`personal_reply`'s verdicts are said, longest first: each shorter wording
leaves out only what the young person knows already (their name, age and status), never
a date, a condition or a next step."""


@dataclasses.dataclass(frozen=True)
class PersonalLine:
    """Whether an entry applies to a young person on record, and why.

    Attributes:
        kind: ``"applies"``, ``"not_applies"`` or ``"depends"`` (a key of :data:`WORDINGS`).
        variables: What fills the wording: ``name``, ``age``, ``status``, ``until``,
            ``note``, ``start``, ``instead`` or ``missing`` as the kind needs.
    """

    kind: str
    variables: dict[str, str]

    @property
    def wordings(self) -> tuple[str, ...]:
        """The line in each of its wordings, longest first."""
        return tuple(wording.format(**self.variables) for wording in WORDINGS[self.kind])


def with_line(
    answer: str,
    lines: Sequence[str],
    cost: Callable[[str], int] | None = None,
    within: int = 2,
) -> str:
    """The first answer and the line on whether it applies, as one message.

    For a channel that counts the cost of a text (SMS: its segments, as Twilio counts
    them), the longest wording that keeps the text within ``within``; when none does,
    the longest of those that cost the least: one text of three segments rather than two
    texts. Elsewhere the longest, as its own paragraph.

    Args:
        answer: The entry's first answer (:func:`bot.answering.first_answer`).
        lines: The line's wordings, longest first (:attr:`PersonalLine.wordings`).
        cost: What a text costs on the channel (None: no channel limit).
        within: The most it should cost.

    Returns:
        The answer's text.
    """
    if cost is None:
        return f"{answer}\n\n{lines[0]}"
    texts = [f"{answer}\n{line}" for line in lines]
    costs = [cost(text) for text in texts]
    cheapest = min(costs)
    return next(
        text for text, each in zip(texts, costs, strict=True) if each <= max(within, cheapest)
    )


def personal_reply(
    kb: KnowledgeBase, entry: Entitlement, person: CareLeaver, on: dt.date
) -> PersonalLine:
    """Whether ``entry`` applies to an identified young person, and why (:func:`with_line`)."""
    profile = profile_of(person, on)
    verdict = evaluate(entry, profile, on)
    variables = {
        "name": person.preferred_name,
        "age": str(age_on(person.date_of_birth, on)),
        "status": STATUS_WORDS.get(profile.status or "", "a care leaver"),
    }
    if verdict.applies == "yes":
        until = ""
        if verdict.until and verdict.rule and verdict.rule.below_age:
            until = (
                f" until your {ordinal(verdict.rule.below_age)} birthday in "
                f"{month_year(verdict.until)}"
            )
        note = ""
        if verdict.rule and verdict.rule.note:
            note = f" ({verdict.rule.note.strip().rstrip('.')})"
        return PersonalLine("applies", {**variables, "until": until, "note": note})
    if verdict.applies == "no":
        start = ""
        if verdict.from_date and verdict.rule and verdict.rule.min_age:
            start = (
                f" until your {ordinal(verdict.rule.min_age)} birthday in "
                f"{month_year(verdict.from_date)}"
            )
        return PersonalLine(
            "not_applies",
            {**variables, "start": start, "instead": _instead(kb, entry, profile, on)},
        )
    return PersonalLine("depends", {"name": person.preferred_name, "missing": _missing(verdict)})


def limited_reply(kb: KnowledgeBase, entry: Entitlement, person: CareLeaver, on: dt.date) -> Reply:
    """Whether ``entry`` applies, for a number on record not yet checked: nothing else.

    No name, age, status or date: the phone may not be theirs (:mod:`bot.people.sms_check`).
    """
    profile = profile_of(person, on)
    verdict = evaluate(entry, profile, on)
    if verdict.applies == "yes":
        note = ""
        if verdict.rule and verdict.rule.note:
            note = f" ({verdict.rule.note.strip().rstrip('.')})"
        return Reply("", text=f"This applies to you{note}.")
    if verdict.applies == "no":
        return Reply("", text=f"This one doesn't apply to you.{_instead(kb, entry, profile, on)}")
    return Reply(
        "",
        text=f"Whether this applies to you depends on {_missing(verdict)}. Your PA can check "
        "this with you.",
    )


def _verdicts(entry: Entitlement, statuses: Iterable[str], age: int, on: dt.date) -> set[str]:
    everything = frozenset(CIRCUMSTANCES)
    return {
        evaluate(entry, Profile(status=s, age=age, circumstances=everything), on).applies
        for s in statuses
    }


def age_settles(entry: Entitlement, today: dt.date | None = None) -> bool:
    """True if, among care leavers, the age alone changes whether ``entry`` applies.

    Then asking an anonymous young person their age (and nothing else) makes the answer
    clear: with the circumstances the rules need, they give the same verdict for every
    status at each age, and not the same verdict at every age. Worked out for ``today``
    (London's date by default), and remembered per entry and day: a rule can start or end
    on a date, and the action server runs for weeks.
    """
    return _age_settles_on(entry, today or today_in_london(utcnow()))


@functools.lru_cache(maxsize=512)
def _age_settles_on(entry: Entitlement, today: dt.date) -> bool:
    if any(len(_verdicts(entry, STATUSES, age, today)) > 1 for age in ANYONE_AGES):
        return False
    by_age = set().union(*(_verdicts(entry, ["former_relevant"], a, today) for a in ANYONE_AGES))
    return len(by_age) > 1


def depends_on_who(entry: Entitlement) -> bool:
    """True if whether ``entry`` applies depends on status, age or circumstances."""
    return not any(
        rule.statuses is None
        and rule.min_age is None
        and rule.below_age is None
        and not rule.circumstances
        for rule in entry.eligibility.rules
    )


def anonymous_who_can_get(entry: Entitlement, reply: Reply) -> tuple[Reply, bool]:
    """Answer "Who can get it?" for someone not identified: the conditions, perhaps their age.

    The first answer is one message with "Who can get it?" as a follow-up; when the age
    alone settles whether the entry applies (:func:`age_settles`), the conditions end by
    asking the young person's age, so the next message ("19") can be answered.

    Args:
        entry: The entry asked about.
        reply: The plain "who can get it" reply (:func:`bot.answering.answer_follow_up`).

    Returns:
        The reply to send, and whether it asks their age.
    """
    if not (depends_on_who(entry) and age_settles(entry)):
        return reply, False
    return dataclasses.replace(reply, response="utter_entitlement_who_can_get_ask_age"), True


def age_reply(entry: Entitlement, age: int, on: dt.date) -> Reply:
    """Whether ``entry`` applies at ``age`` (anonymous: no name, no dates)."""
    verdict = evaluate(entry, Profile(status="former_relevant", age=age, circumstances=None), on)
    if verdict.applies == "yes":
        return Reply("utter_age_applies", {"age": str(age)})
    if verdict.applies == "no":
        return Reply("utter_age_not_applies", {"age": str(age)})
    return Reply("utter_age_depends", {"age": str(age), "missing": _missing(verdict)})


@dataclasses.dataclass(frozen=True)
class Listing:
    """One page of "what can I get", and where the next page starts."""

    reply: Reply
    ids: tuple[str, ...]
    next_offset: int | None


def entitlements_for(
    kb: KnowledgeBase, person: CareLeaver | None, age: int | None, on: dt.date
) -> list[str]:
    """Ids of what applies, most useful first: for a person, or for an age."""
    entries: Iterable[Entitlement] = kb.entries.values()
    if person is not None:
        return [e.id for e, _ in applicable(entries, profile_of(person, on), on)]
    if age is None:
        return []
    results = []
    for entry in sorted(entries, key=lambda e: (not e.amounts, e.title)):
        verdicts = {
            evaluate(entry, Profile(status=s, age=age, circumstances=None), on).applies
            for s in STATUSES
        }
        if "yes" in verdicts or "unknown" in verdicts:
            results.append(entry.id)
    return results


def list_page(kb: KnowledgeBase, ids: Sequence[str], offset: int, personal: bool) -> Listing:
    """The page of the list starting at ``offset`` (``LIST_PAGE`` entries)."""
    page = [kb.entries[i].title for i in ids[offset : offset + LIST_PAGE] if i in kb.entries]
    if not page:
        return Listing(Reply("utter_list_empty"), tuple(ids), None)
    end = offset + len(page)
    more = end < len(ids)
    variables = {
        "start": str(offset + 1),
        "end": str(end),
        "total": str(len(ids)),
        "items": "; ".join(page),
        "more": " Reply MORE for the next 3." if more else "",
    }
    response = "utter_list_personal" if personal else "utter_list_by_age"
    return Listing(Reply(response, variables), tuple(ids), end if more else None)


_AGE_WORDS = {
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "twenty one": 21, "twenty two": 22, "twenty three": 23,
    "twenty four": 24, "twenty five": 25, "twenty six": 26,
}  # fmt: skip


def parse_age(text: str) -> int | None:
    """The age in a reply such as "19", "im 19", "i'm nineteen" (10 to 30), if there is one.

    Plain string work, no regular expression: the reply is the young person's own words.
    """
    lowered = text.lower().replace("-", " ")
    cleaned = "".join(c if ("a" <= c <= "z" or "0" <= c <= "9") else " " for c in lowered)
    tokens = cleaned.split()
    numbers = [int(t) for t in tokens if len(t) <= 2 and all("0" <= c <= "9" for c in t)]
    if numbers:
        return numbers[0] if 10 <= numbers[0] <= 30 else None
    words = f" {' '.join(tokens)} "
    for phrase, value in sorted(_AGE_WORDS.items(), key=lambda item: -len(item[0])):
        if f" {phrase} " in words:
            return value
    return None
