"""Decides whether an entitlement applies to a young person, and until when.

Pure functions with no I/O: give them an :class:`~entitlements.model.Entitlement`,
what is known about the young person (a :class:`Profile`) and the date to decide
on, and they return a :class:`Verdict`.

Three answers are possible, and the difference matters: a wrong "yes" or a wrong
date can harm a vulnerable young person.

* ``"yes"``: a rule of the entry matches on what is known.
* ``"no"``: with what is known, no rule can match.
* ``"unknown"``: a rule could match, but the status, the age or a circumstance it
  needs is not known. :attr:`Verdict.missing` says exactly what to ask.

A rule matches when the status is one of its ``statuses`` (or ``statuses`` is
``None``: anyone), the age is within ``[min_age, below_age)`` and every one of
its ``circumstances`` is present. The stated status is taken as given: the engine
does not change a status because of the age (for example an "eligible" 19-year-old
is not turned into a former relevant one).

Ages are completed years in England and Wales: a person attains an age at the
start of the anniversary of their birth (Family Law Reform Act 1969 s.9), and
someone born on 29 February attains it on 1 March in a year that is not a leap
year (see :func:`birthday`). Dates are calendar dates in Europe/London (see
:func:`today_in_london`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Literal

from entitlements.model import CIRCUMSTANCES, STATUSES, Entitlement, Rule

LONDON = zoneinfo.ZoneInfo("Europe/London")
"""The time zone whose calendar date counts for every age and date."""

Applies = Literal["yes", "no", "unknown"]


def today_in_london(now: dt.datetime | None = None) -> dt.date:
    """The calendar date in Europe/London at a moment (by default, now).

    A birthday starts at midnight London time, whether that is GMT or BST: at
    23:30 UTC on 14 June it is already 00:30 BST on 15 June in London.

    Args:
        now: A moment with a time zone. ``None`` means the current moment.

    Returns:
        The date in London at that moment.

    Raises:
        ValueError: ``now`` has no time zone, so its London date cannot be known.

    """
    if now is None:
        return dt.datetime.now(tz=LONDON).date()
    if now.tzinfo is None or now.tzinfo.utcoffset(now) is None:
        raise ValueError("now must have a time zone (a naive datetime is ambiguous)")
    return now.astimezone(LONDON).date()


def birthday(date_of_birth: dt.date, years: int) -> dt.date:
    """The date on which someone born on ``date_of_birth`` turns ``years`` old.

    A person attains an age at the start of the anniversary of their birth
    (Family Law Reform Act 1969 s.9). Someone born on 29 February has no
    anniversary in a year that is not a leap year; as is usual in England and
    Wales, they are treated as attaining the age on 1 March of that year (and on
    29 February in a leap year).

    Args:
        date_of_birth: The date of birth.
        years: The age in whole years, 0 or more (0 gives the date of birth).

    Returns:
        The birthday on which the person turns ``years``.

    Raises:
        ValueError: ``years`` is negative, or the birthday would be after 9999.

    """
    if years < 0:
        raise ValueError(f"years must be 0 or more, got {years}")
    year = date_of_birth.year + years
    try:
        return date_of_birth.replace(year=year)
    except ValueError:
        if (date_of_birth.month, date_of_birth.day) != (2, 29):
            raise
        return dt.date(year, 3, 1)


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """The age in completed years on a date, counted the same way as :func:`birthday`.

    ``age_on(dob, birthday(dob, n)) == n``, and the day before that birthday the
    age is still ``n - 1``.

    Args:
        date_of_birth: The date of birth.
        on: The date to count to, on or after the date of birth.

    Returns:
        The number of birthdays reached on or before ``on``.

    Raises:
        ValueError: ``on`` is before ``date_of_birth``.

    """
    if on < date_of_birth:
        raise ValueError(f"{on} is before the date of birth {date_of_birth}")
    years = on.year - date_of_birth.year
    if birthday(date_of_birth, years) > on:
        years -= 1
    return years


@dataclasses.dataclass(frozen=True)
class Profile:
    """What is known about a young person. ``None`` always means "not known".

    Attributes:
        status: One of :data:`~entitlements.model.STATUSES`, or ``None`` if unknown.
        date_of_birth: The date of birth, if known. When set, ``age`` is ignored.
        age: An age in whole years, when only that is known (e.g. someone said
            "I'm 19"). Ignored when ``date_of_birth`` is set.
        circumstances: The circumstances (codes from
            :data:`~entitlements.model.CIRCUMSTANCES`) that hold. ``None`` means
            not known; an empty set means known to have none of them.
        unknown_circumstances: Codes not known even though ``circumstances`` is
            given (a record says nothing about them): rules needing them are open,
            never a "no".

    Raises:
        ValueError: An unknown status or circumstance code, or a negative age,
            so that a typing mistake cannot silently change an answer.
        TypeError: ``circumstances`` is a single string instead of a set.

    """

    status: str | None = None
    date_of_birth: dt.date | None = None
    age: int | None = None
    circumstances: frozenset[str] | None = None
    unknown_circumstances: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; use one of {', '.join(STATUSES)}")
        if self.age is not None and (isinstance(self.age, bool) or self.age < 0):
            raise ValueError(f"age must be a whole number of years, 0 or more, got {self.age!r}")
        if self.circumstances is not None:
            if isinstance(self.circumstances, str):
                raise TypeError("circumstances must be a set of codes, not a single string")
            codes = frozenset(self.circumstances)
            unknown = sorted(codes - set(CIRCUMSTANCES))
            if unknown:
                raise ValueError(
                    f"unknown circumstance {unknown[0]!r}; use one of {', '.join(CIRCUMSTANCES)}"
                )
            object.__setattr__(self, "circumstances", codes)
        unknown_codes = sorted(set(self.unknown_circumstances) - set(CIRCUMSTANCES))
        if unknown_codes:
            raise ValueError(
                f"unknown circumstance {unknown_codes[0]!r}; use one of {', '.join(CIRCUMSTANCES)}"
            )

    def age_on(self, on: dt.date) -> int | None:
        """The age on a date: from the date of birth if known, else the stated age.

        Args:
            on: The date.

        Returns:
            The age in completed years, or ``None`` if it is not known (no date of
            birth and no age, or ``on`` is before the date of birth).

        """
        if self.date_of_birth is not None:
            if on < self.date_of_birth:
                return None
            return age_on(self.date_of_birth, on)
        return self.age


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Whether an entitlement applies to a profile on a date, and why.

    Attributes:
        applies: ``"yes"``, ``"no"`` or ``"unknown"``.
        rule: The rule that matched (yes), or the closest one (no / unknown).
            For "no" that is the rule that will start soonest if there is one
            (see ``from_date``), else the one with the fewest failed conditions;
            for "unknown" the one needing the fewest missing facts. ``None`` only
            if the entry has no rules.
        age: The age used, or ``None`` if not known.
        until: Yes only: the birthday on which the matched rule stops applying (its
            ``below_age``), if the date of birth is known and the rule has an end.
        from_date: No only: the soonest future birthday on which a rule matching
            the person's known status and known circumstances starts to apply (its
            ``min_age``), if the date of birth is known.
        missing: Unknown only: what is needed to decide, from ``"status"``,
            ``"age"`` and circumstance codes, in that order.
        reasons: Machine-readable reason codes, e.g. ``("status:former_relevant",
            "age:19", "circumstances:none", "rule:2", "rule:statuses:former_relevant",
            "rule:min_age:18", "rule:below_age:21")``. See :func:`evaluate`.

    """

    applies: Applies
    rule: Rule | None
    age: int | None
    until: dt.date | None
    from_date: dt.date | None
    missing: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class _Check:
    """One rule checked against a profile: which conditions fail and which are open."""

    index: int
    rule: Rule
    failures: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def state(self) -> Applies:
        if self.failures:
            return "no"
        return "unknown" if self.missing else "yes"


def _missing_order(item: str) -> tuple[int, int, str]:
    if item == "status":
        return (0, 0, item)
    if item == "age":
        return (1, 0, item)
    if item in CIRCUMSTANCES:
        return (2, CIRCUMSTANCES.index(item), item)
    return (3, 0, item)


def _check(index: int, rule: Rule, profile: Profile, age: int | None) -> _Check:
    failures: list[str] = []
    missing: list[str] = []
    if rule.statuses is not None:
        if profile.status is None:
            missing.append("status")
        elif profile.status not in rule.statuses:
            failures.append("fails:status")
    if rule.min_age is not None or rule.below_age is not None:
        if age is None:
            missing.append("age")
        else:
            if rule.min_age is not None and age < rule.min_age:
                failures.append(f"fails:min_age:{rule.min_age}")
            if rule.below_age is not None and age >= rule.below_age:
                failures.append(f"fails:below_age:{rule.below_age}")
    for code in dict.fromkeys(rule.circumstances):
        if profile.circumstances is None or code in profile.unknown_circumstances:
            missing.append(code)
        elif code not in profile.circumstances:
            failures.append(f"fails:circumstance:{code}")
    return _Check(index, rule, tuple(failures), tuple(missing))


def _end(rule: Rule) -> float:
    """How long a rule lasts, as an age: no ``below_age`` lasts for ever."""
    return float("inf") if rule.below_age is None else float(rule.below_age)


def _age_range_within(inner: Rule, outer: Rule) -> bool:
    low_ok = outer.min_age is None or (inner.min_age is not None and inner.min_age >= outer.min_age)
    high_ok = outer.below_age is None or (
        inner.below_age is not None and inner.below_age <= outer.below_age
    )
    return low_ok and high_ok


def _implies(a: _Check, b: _Check) -> bool:
    """Whether rule ``a`` matching (however its open questions are answered) forces ``b``.

    Both checks are open ("unknown"). Then ``b`` matches whenever ``a`` does if every
    fact ``b`` still needs is also needed by ``a`` with a condition at least as strict.
    """
    if not set(b.missing) <= set(a.missing):
        return False
    if "status" in b.missing:
        if a.rule.statuses is None or b.rule.statuses is None:
            return False
        if not a.rule.statuses <= b.rule.statuses:
            return False
    return "age" not in b.missing or _age_range_within(a.rule, b.rule)


def _safe_birthday(date_of_birth: dt.date | None, years: int | None) -> dt.date | None:
    if date_of_birth is None or years is None:
        return None
    try:
        return birthday(date_of_birth, years)
    except (ValueError, OverflowError):
        return None


def _rule_reasons(check: _Check) -> list[str]:
    rule = check.rule
    reasons = [f"rule:{check.index + 1}"]
    if rule.statuses is None:
        reasons.append("rule:statuses:any")
    else:
        ordered = sorted(rule.statuses, key=lambda s: (_status_rank(s), s))
        reasons.append("rule:statuses:" + ",".join(ordered))
    if rule.min_age is not None:
        reasons.append(f"rule:min_age:{rule.min_age}")
    if rule.below_age is not None:
        reasons.append(f"rule:below_age:{rule.below_age}")
    reasons.extend(f"rule:circumstance:{code}" for code in dict.fromkeys(rule.circumstances))
    return reasons


def _status_rank(status: str) -> int:
    return STATUSES.index(status) if status in STATUSES else len(STATUSES)


def _profile_reasons(profile: Profile, age: int | None, on: dt.date) -> list[str]:
    reasons = [f"status:{profile.status}" if profile.status is not None else "status:unknown"]
    reasons.append(f"age:{age}" if age is not None else "age:unknown")
    if profile.date_of_birth is not None and on < profile.date_of_birth:
        reasons.append("date_of_birth:after_date")
    if profile.circumstances is None:
        reasons.append("circumstances:unknown")
    elif not profile.circumstances:
        reasons.append("circumstances:none")
    else:
        ordered = sorted(profile.circumstances, key=_missing_order)
        reasons.extend(f"circumstance:{code}" for code in ordered)
    return reasons


def evaluate(entitlement: Entitlement, profile: Profile, on: dt.date) -> Verdict:
    """Whether an entitlement applies to a young person on a date.

    * **yes** if any rule matches. When several match, the one that lasts longest
      (latest ``below_age``; none lasts for ever; ties go to the first in the
      file) is returned, with ``until`` its end birthday when the date of birth
      is known.
    * **unknown** if no rule matches but one could once the status, the age or a
      circumstance is known. ``missing`` lists what is needed to decide: the
      open facts of every rule that could still match, leaving out a rule that
      could only match when a simpler one does too. ``rule`` is the one needing
      the fewest facts.
    * **no** otherwise. ``from_date`` is the soonest future birthday on which a
      rule whose status and circumstances are known to match starts (its
      ``min_age``); it is ``None`` when there is none, or when the date of birth
      is not known (``reasons`` still has ``starts_at_age:N`` if the age is).

    Reason codes, in order: ``status:<code>|unknown``, ``age:<n>|unknown``,
    ``date_of_birth:after_date`` (if ``on`` is before the birth, so the age is
    unknown), ``circumstances:unknown|none`` or one ``circumstance:<code>`` per
    known circumstance, then ``no_rules`` or the chosen rule as ``rule:<number
    in the file, from 1>``, ``rule:statuses:any|<codes>``, ``rule:min_age:<n>``,
    ``rule:below_age:<n>``, ``rule:circumstance:<code>``; then for no the rule's
    ``fails:status``, ``fails:min_age:<n>``, ``fails:below_age:<n>``,
    ``fails:circumstance:<code>`` and any ``starts_at_age:<n>``; for unknown one
    ``needs:<item>`` per missing item.

    Never raises for a valid :class:`Profile`, whatever the dates.

    Args:
        entitlement: The entry whose rules are checked.
        profile: What is known about the young person.
        on: The date to decide on (usually :func:`today_in_london`).

    Returns:
        The verdict.

    """
    age = profile.age_on(on)
    dob = profile.date_of_birth if age is not None else None
    reasons = _profile_reasons(profile, age, on)
    checks = [
        _check(index, rule, profile, age)
        for index, rule in enumerate(entitlement.eligibility.rules)
    ]
    if not checks:
        return Verdict("no", None, age, None, None, (), (*reasons, "no_rules"))

    matched = [c for c in checks if c.state == "yes"]
    if matched:
        best = min(matched, key=lambda c: (-_end(c.rule), c.index))
        until = _safe_birthday(dob, best.rule.below_age)
        return Verdict("yes", best.rule, age, until, None, (), (*reasons, *_rule_reasons(best)))

    open_checks = [c for c in checks if c.state == "unknown"]
    if open_checks:
        kept = [
            a
            for a in open_checks
            if not any(
                b is not a and _implies(a, b) and not (_implies(b, a) and a.index < b.index)
                for b in open_checks
            )
        ]
        missing = tuple(sorted({item for c in kept for item in c.missing}, key=_missing_order))
        closest = min(kept, key=lambda c: (len(c.missing), -_end(c.rule), c.index))
        return Verdict(
            "unknown",
            closest.rule,
            age,
            None,
            None,
            missing,
            (*reasons, *_rule_reasons(closest), *(f"needs:{item}" for item in missing)),
        )

    starting = [
        c
        for c in checks
        if age is not None
        and c.rule.min_age is not None
        and age < c.rule.min_age
        and not c.missing
        and all(f.startswith("fails:min_age:") for f in c.failures)
    ]
    if starting:
        first = min(starting, key=lambda c: (c.rule.min_age, -_end(c.rule), c.index))
        from_date = _safe_birthday(dob, first.rule.min_age)
        extra = [*_rule_reasons(first), *first.failures, f"starts_at_age:{first.rule.min_age}"]
        return Verdict("no", first.rule, age, None, from_date, (), (*reasons, *extra))
    closest = min(checks, key=lambda c: (len(c.failures), c.index))
    return Verdict(
        "no",
        closest.rule,
        age,
        None,
        None,
        (),
        (*reasons, *_rule_reasons(closest), *closest.failures),
    )


def applicable(
    entitlements: Iterable[Entitlement], profile: Profile, on: dt.date
) -> list[tuple[Entitlement, Verdict]]:
    """The entitlements that apply ("yes") to a profile on a date, most useful first.

    Order: entries with an amount of money first; then those ending soonest
    (earliest ``until``; no known end comes last); then by title (and id).

    Args:
        entitlements: The entries to check.
        profile: What is known about the young person.
        on: The date to decide on.

    Returns:
        Each entry that applies, with its verdict.

    """
    found = [(entry, evaluate(entry, profile, on)) for entry in entitlements]
    yes = [(entry, verdict) for entry, verdict in found if verdict.applies == "yes"]
    return sorted(
        yes,
        key=lambda pair: (
            not pair[0].amounts,
            pair[1].until is None,
            pair[1].until or dt.date.max,
            pair[0].title,
            pair[0].id,
        ),
    )
