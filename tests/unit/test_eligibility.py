"""The eligibility engine: who gets what, from when and until when.

The heart of this file is a table written by hand from the facts sheet
(``shared/reference/entitlements-facts.md``): for each of the real entries, every
status (and an unknown one) at every age from 15 to 26, what the answer must be. The
real content files are loaded and must produce exactly that table. Then birthdays
(including 29 February and London midnight) and exact dates, and properties checked
with hypothesis.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from entitlements.eligibility import (
    LONDON,
    Profile,
    Verdict,
    age_on,
    applicable,
    birthday,
    evaluate,
    today_in_london,
)
from entitlements.loader import ContentSet
from entitlements.model import CIRCUMSTANCES, STATUSES, Amount, Eligibility, Entitlement, Rule

UTC = dt.timezone.utc
ON = dt.date(2026, 6, 15)
AGES = tuple(range(15, 27))
ROWS: tuple[str | None, ...] = (*STATUSES, None)

ELIGIBLE, RELEVANT, FORMER, QUALIFYING = STATUSES
FOSTER = "in_foster_care_at_18"

# --------------------------------------------------------------------------------------------
# The expectation table, written by hand from the facts sheet.
#
# One letter per age, 15 to 26:
#   y  applies
#   n  does not apply
#   s  unknown: needs the status
#   c  unknown: needs the entry's deciding circumstance(s)
#   b  unknown: needs both the status and the circumstance(s)
#
# Rows: eligible, relevant, former relevant, qualifying, and status not known.
# An entry whose answer depends on a circumstance has three grids: with that circumstance,
# known to be without it (no circumstances), and circumstances not known. Other entries have
# one grid, which must hold in all three cases.
#
# Some combinations cannot happen in law (an eligible or relevant child is 16 or 17, a former
# relevant child 18 or over, a qualifying care leaver 16 to 20). The engine takes a stated
# status as given, so those cells show what the rules say for that status.
# --------------------------------------------------------------------------------------------

AGE_HEADER = "15 16 17 18 19 20 21 22 23 24 25 26"
assert tuple(int(a) for a in AGE_HEADER.split()) == AGES


@dataclasses.dataclass(frozen=True)
class Expect:
    with_needs: dict[str | None, str]
    needs: tuple[str, ...] = ()
    without: dict[str | None, str] | None = None
    not_known: dict[str | None, str] | None = None


def grid(*, e: str, r: str, fr: str, q: str, unknown: str) -> dict[str | None, str]:
    rows = {ELIGIBLE: e, RELEVANT: r, FORMER: fr, QUALIFYING: q, None: unknown}
    for status, row in rows.items():
        assert len(row.split()) == len(AGES), (status, row)
    return rows


def same(row: str) -> dict[str | None, str]:
    return grid(e=row, r=row, fr=row, q=row, unknown=row)


ALL_YES = same("y  y  y  y  y  y  y  y  y  y  y  y")
ALL_NO = same("n  n  n  n  n  n  n  n  n  n  n  n")

EXPECTED: dict[str, Expect] = {
    # 16 to 19 Bursary: in care or a care leaver, 16 or over and under 19, on a publicly
    # funded course at school or college (not university). Facts sheet, 16-19-bursary.
    "16-19-bursary": Expect(
        needs=("in_further_education",),
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  y  y  y  n  n  n  n  n  n  n  n",
            r="      n  y  y  y  n  n  n  n  n  n  n  n",
            fr="     n  y  y  y  n  n  n  n  n  n  n  n",
            q="      n  y  y  y  n  n  n  n  n  n  n  n",
            unknown="n  s  s  s  n  n  n  n  n  n  n  n",
        ),
        without=ALL_NO,
        not_known=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  c  c  c  n  n  n  n  n  n  n  n",
            r="      n  c  c  c  n  n  n  n  n  n  n  n",
            fr="     n  c  c  c  n  n  n  n  n  n  n  n",
            q="      n  c  c  c  n  n  n  n  n  n  n  n",
            unknown="n  b  b  b  n  n  n  n  n  n  n  n",
        ),
    ),
    # Subject access: anyone, any age.
    "access-to-care-records": Expect(with_needs=ALL_YES),
    # Anyone can complain; advocacy for children in care and care leavers.
    "advocacy-and-complaints": Expect(with_needs=ALL_YES),
    # Apprenticeship bursary: under 25, in care or an eligible, relevant or former relevant
    # care leaver, on an apprenticeship in England.
    "care-leaver-apprenticeship-bursary": Expect(
        needs=("apprenticeship",),
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  y  y  y  y  y  y  y  y  y  n  n",
            r="      n  y  y  y  y  y  y  y  y  y  n  n",
            fr="     n  y  y  y  y  y  y  y  y  y  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  s  s  s  s  s  s  s  s  s  n  n",
        ),
        without=ALL_NO,
        not_known=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  c  c  c  c  c  c  c  c  c  n  n",
            r="      n  c  c  c  c  c  c  c  c  c  n  n",
            fr="     n  c  c  c  c  c  c  c  c  c  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  b  b  b  b  b  b  b  b  b  n  n",
        ),
    ),
    # Care Leaver Covenant: care leavers aged 16 to 25.
    "care-leaver-covenant": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  y  y  y  y  y  y  y  y  y  y  n",
            r="      n  y  y  y  y  y  y  y  y  y  y  n",
            fr="     n  y  y  y  y  y  y  y  y  y  y  n",
            q="      n  y  y  y  y  y  y  y  y  y  y  n",
            unknown="n  s  s  s  s  s  s  s  s  s  s  n",
        )
    ),
    # Explains the groups: for anyone.
    "care-leaver-status": Expect(with_needs=ALL_YES),
    # Council tax: entirely local; the content's working rule is former relevant 18 to 24.
    "council-tax-exemption": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  n  n  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  y  y  y  y  y  y  y  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  n  n  s  s  s  s  s  s  s  n  n",
        )
    ),
    # Relevant children (reg 9(1)); former relevant to 21 (s.23C(4)); 21 to 24 on returning
    # to education or training (s.23CA).
    "education-training-employment": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  y  y  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  y  y  y  y  y  y  y  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  s  s  s  s  s  s  s  s  s  n  n",
        )
    ),
    # Council help (relevant; former relevant to 21) and the Crisis and Resilience Fund
    # (anyone on a low income).
    "emergency-financial-help": Expect(with_needs=ALL_YES),
    # GP registration and the Low Income Scheme: anyone.
    "health-and-wellbeing": Expect(with_needs=ALL_YES),
    # HE bursary: former relevant child on a higher education course. Vacation housing:
    # care leavers including qualifying care leavers in full-time higher education.
    "higher-education-bursary": Expect(
        needs=("in_higher_education",),
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  n  n  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  y  y  y  y  y  y  y  y  y",
            q="      y  y  y  y  y  y  y  y  y  y  y  y",
            unknown="s  s  s  s  s  s  s  s  s  s  s  s",
        ),
        without=ALL_NO,
        not_known=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  n  n  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  c  c  c  c  c  c  c  c  c",
            q="      c  c  c  c  c  c  c  c  c  c  c  c",
            unknown="b  b  b  b  b  b  b  b  b  b  b  b",
        ),
    ),
    # Relevant 16-17: suitable accommodation. 18, 19, 20: priority need if looked after,
    # accommodated or fostered at 16 or 17 (former relevant, qualifying). 21 or over: priority
    # need if vulnerable because of having been in care.
    "housing-and-homelessness": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  y  y  y  y  y  y",
            r="      n  y  y  n  n  n  y  y  y  y  y  y",
            fr="     n  n  n  y  y  y  y  y  y  y  y  y",
            q="      n  n  n  y  y  y  y  y  y  y  y  y",
            unknown="n  s  s  s  s  s  y  y  y  y  y  y",
        )
    ),
    # Looked-after children and care leavers.
    "identity-documents": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      y  y  y  y  y  y  y  y  y  y  y  y",
            r="      y  y  y  y  y  y  y  y  y  y  y  y",
            fr="     y  y  y  y  y  y  y  y  y  y  y  y",
            q="      y  y  y  y  y  y  y  y  y  y  y  y",
            unknown="s  s  s  s  s  s  s  s  s  s  s  s",
        )
    ),
    # Care leavers who came alone, and any care leaver with an immigration problem.
    "immigration-and-asylum": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      y  y  y  y  y  y  y  y  y  y  y  y",
            r="      y  y  y  y  y  y  y  y  y  y  y  y",
            fr="     y  y  y  y  y  y  y  y  y  y  y  y",
            q="      y  y  y  y  y  y  y  y  y  y  y  y",
            unknown="s  s  s  s  s  s  s  s  s  s  s  s",
        )
    ),
    # Looked after 12 months or more, no Child Trust Fund; the young person runs it from 16.
    "junior-isa": Expect(with_needs=same("n  y  y  y  y  y  y  y  y  y  y  y")),
    # The council's care leavers, up to 25.
    "local-offer": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  y  y  y  y  y  y  y  y  y  n  n",
            r="      n  y  y  y  y  y  y  y  y  y  n  n",
            fr="     n  y  y  y  y  y  y  y  y  y  n  n",
            q="      n  y  y  y  y  y  y  y  y  y  n  n",
            unknown="n  s  s  s  s  s  s  s  s  s  n  n",
        )
    ),
    # Eligible, relevant and former relevant children; former relevant 21 to 24 on request
    # (s.23CZB) or returning to education (s.23CA). Not qualifying care leavers.
    "pathway-plan": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  y  y  n  n  n  n  n  n  n  n  n",
            r="      n  y  y  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  y  y  y  y  y  y  y  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  s  s  s  s  s  s  s  s  s  n  n",
        )
    ),
    # Eligible and relevant 16-17 (Sch 2 para 19C, s.23B(2)); former relevant to 21
    # (s.23C(3)); former relevant 21 to 25 on request (s.23CZB). Qualifying: no automatic PA.
    "personal-adviser": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  y  y  n  n  n  n  n  n  n  n  n",
            r="      n  y  y  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  y  y  y  y  y  y  y  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  s  s  s  s  s  s  s  s  s  n  n",
        )
    ),
    # Local policy; the content's working rule is relevant and former relevant, 16 to 24.
    "setting-up-home-allowance": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  y  y  y  y  y  y  y  y  y  n  n",
            fr="     n  y  y  y  y  y  y  y  y  y  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  s  s  s  s  s  s  s  s  s  n  n",
        )
    ),
    # Programme where the council runs it; prospective duty for former relevant under 25.
    "staying-close": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  y  y  y  y  y  y  y  y  y  n  n",
            fr="     n  y  y  y  y  y  y  y  y  y  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  s  s  s  s  s  s  s  s  s  n  n",
        )
    ),
    # s.23CZA: former relevant child, in foster care on the 18th birthday, until 21.
    "staying-put": Expect(
        needs=(FOSTER,),
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  n  n  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  y  y  y  n  n  n  n  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  n  n  s  s  s  n  n  n  n  n  n",
        ),
        without=ALL_NO,
        not_known=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  n  n  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  c  c  c  n  n  n  n  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  n  n  b  b  b  n  n  n  n  n  n",
        ),
    ),
    # s.23CZB: former relevant children aged 21 to 24.
    "support-up-to-25": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  n  n  n  n  n  n",
            r="      n  n  n  n  n  n  n  n  n  n  n  n",
            fr="     n  n  n  n  n  n  y  y  y  y  n  n",
            q="      n  n  n  n  n  n  n  n  n  n  n  n",
            unknown="n  n  n  n  n  n  s  s  s  s  n  n",
        )
    ),
    # Free NHS costs by the NHS's own rules (age and study, pregnancy, benefits, low income):
    # anyone can check; facts sheet correction 7.
    "health-costs": Expect(with_needs=ALL_YES),
    # GP, NHS Talking Therapies (18+), CAMHS (under 18), Samaritans and Shout: anyone.
    "mental-health-support": Expect(with_needs=ALL_YES),
    # Nowhere to stay tonight: the same priority need groups as housing (Housing Act 1996
    # s.188(1); the 2002 priority need order; facts sheet correction 8).
    "homeless-tonight": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      n  n  n  n  n  n  y  y  y  y  y  y",
            r="      n  y  y  n  n  n  y  y  y  y  y  y",
            fr="     n  n  n  y  y  y  y  y  y  y  y  y",
            q="      n  n  n  y  y  y  y  y  y  y  y  y",
            unknown="n  s  s  s  s  s  y  y  y  y  y  y",
        )
    ),
    # Free debt advice, Breathing Space, the Crisis and Resilience Fund: anyone.
    "money-and-debt": Expect(with_needs=ALL_YES),
    # No citizenship fee for children in council care (before 18); late EU Settlement Scheme
    # applications for any care leaver whose status is not sorted out.
    "citizenship-and-settled-status": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      y  y  y  y  y  y  y  y  y  y  y  y",
            r="      y  y  y  y  y  y  y  y  y  y  y  y",
            fr="     y  y  y  y  y  y  y  y  y  y  y  y",
            q="      y  y  y  y  y  y  y  y  y  y  y  y",
            unknown="s  s  s  s  s  s  s  s  s  s  s  s",
        )
    ),
    # A provisional licence from 15 years 9 months, for anyone; help with costs is local.
    "driving-licence": Expect(with_needs=ALL_YES),
    # Care Act 2014 s.58 transition assessment: anyone likely to need care after 18.
    "adult-social-care": Expect(with_needs=ALL_YES),
    # Pathway plan covers family relationships (care leavers); adopted people from 18.
    "family-and-siblings": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      y  y  y  y  y  y  y  y  y  y  y  y",
            r="      y  y  y  y  y  y  y  y  y  y  y  y",
            fr="     y  y  y  y  y  y  y  y  y  y  y  y",
            q="      y  y  y  y  y  y  y  y  y  y  y  y",
            unknown="s  s  s  y  y  y  y  y  y  y  y  y",
        )
    ),
    # Anyone who watches live TV or BBC iPlayer needs a licence.
    "tv-licence": Expect(with_needs=ALL_YES),
    # Care leavers in or leaving custody, up to 25 (PA support to 25 on request).
    "leaving-custody": Expect(
        with_needs=grid(
            # age:   15 16 17 18 19 20 21 22 23 24 25 26
            e="      y  y  y  y  y  y  y  y  y  y  n  n",
            r="      y  y  y  y  y  y  y  y  y  y  n  n",
            fr="     y  y  y  y  y  y  y  y  y  y  n  n",
            q="      y  y  y  y  y  y  y  y  y  y  n  n",
            unknown="s  s  s  s  s  s  s  s  s  s  n  n",
        )
    ),
    # Adult Skills Fund entitlements and learner support from 19, for anyone.
    "college-at-19-plus": Expect(with_needs=same("n  n  n  n  y  y  y  y  y  y  y  y")),
    # Local: council leisure and travel offers, and the 16-25 Railcard (16 to 25).
    "gym-and-travel-discounts": Expect(with_needs=same("n  y  y  y  y  y  y  y  y  y  y  n")),
    # Most 16-17 year old care leavers cannot claim UC; from 18 like other adults.
    "universal-credit": Expect(with_needs=same("n  n  n  y  y  y  y  y  y  y  y  y")),
    # Parents: pathway plan, Care to Learn, Sure Start Maternity Grant (anyone on benefits).
    "young-parents": Expect(
        needs=("parent",),
        with_needs=ALL_YES,
        without=ALL_NO,
        not_known=same("c  c  c  c  c  c  c  c  c  c  c  c"),
    ),
}

SCENARIOS = ("with", "without", "not_known")


def _circumstances(expect: Expect, scenario: str) -> frozenset[str] | None:
    if scenario == "with":
        return frozenset(expect.needs)
    if scenario == "without":
        return frozenset()
    return None


def _grid(expect: Expect, scenario: str) -> dict[str | None, str]:
    if scenario == "without" and expect.without is not None:
        return expect.without
    if scenario == "not_known" and expect.not_known is not None:
        return expect.not_known
    return expect.with_needs


def _expected_missing(letter: str, needs: tuple[str, ...]) -> tuple[str, ...]:
    return {"s": ("status",), "c": needs, "b": ("status", *needs)}.get(letter, ())


def _dob_for(age: int) -> dt.date:
    """A date of birth that makes someone exactly ``age`` on ON (birthday in March)."""
    return dt.date(ON.year - age, 3, 10)


def test_the_table_covers_every_entry(content: ContentSet):
    assert set(EXPECTED) == set(content.by_id())
    assert len(EXPECTED) == len(content.by_id())
    for expect in EXPECTED.values():
        assert expect.needs == tuple(c for c in CIRCUMSTANCES if c in expect.needs)
        if expect.needs:
            assert expect.without is not None and expect.not_known is not None


TABLE_CASES = [
    pytest.param(entry_id, status, age, id=f"{entry_id}-{status or 'unknown'}-{age}")
    for entry_id in EXPECTED
    for status in ROWS
    for age in AGES
]


@pytest.mark.parametrize(("entry_id", "status", "age"), TABLE_CASES)
def test_real_content_gives_the_facts_sheet_answer(
    content: ContentSet, entry_id: str, status: str | None, age: int
):
    entry = content.by_id()[entry_id]
    expect = EXPECTED[entry_id]
    column = AGES.index(age)
    for scenario in SCENARIOS:
        letter = _grid(expect, scenario)[status].split()[column]
        circumstances = _circumstances(expect, scenario)
        dob = _dob_for(age)
        for profile in (
            Profile(status=status, age=age, circumstances=circumstances),
            Profile(status=status, date_of_birth=dob, circumstances=circumstances),
        ):
            verdict = evaluate(entry, profile, ON)
            where = (entry_id, status, age, scenario, profile)
            applies = {"y": "yes", "n": "no"}.get(letter, "unknown")
            assert verdict.applies == applies, where
            assert verdict.missing == _expected_missing(letter, expect.needs), where
            assert verdict.age == age, where
            assert verdict.reasons[:2] == (f"status:{status or 'unknown'}", f"age:{age}"), where
            assert verdict.rule is None or verdict.rule in entry.eligibility.rules
            if applies == "yes":
                assert verdict.rule is not None
                assert _rule_matches(verdict.rule, status, age, circumstances), where
                if profile.date_of_birth is None or verdict.rule.below_age is None:
                    assert verdict.until is None, where
                else:
                    assert verdict.until == birthday(dob, verdict.rule.below_age), where
            else:
                assert verdict.until is None, where
            if applies == "no" and verdict.from_date is not None:
                assert profile.date_of_birth is not None, where
                assert verdict.from_date > ON
                assert age_on(dob, verdict.from_date) in {
                    r.min_age for r in entry.eligibility.rules
                }, where
            if applies != "no" or profile.date_of_birth is None:
                assert verdict.from_date is None, where


# --- exact dates on real entries --------------------------------------------------------------


def test_former_relevant_19_personal_adviser_until_21st_birthday(content: ContentSet):
    verdict = evaluate(
        content.by_id()["personal-adviser"],
        Profile(status=FORMER, date_of_birth=dt.date(2007, 3, 10), circumstances=frozenset()),
        ON,
    )
    assert verdict.applies == "yes"
    assert verdict.age == 19
    assert verdict.until == dt.date(2028, 3, 10)
    assert verdict.rule == Rule(
        statuses=frozenset({FORMER}),
        min_age=18,
        below_age=21,
        note=verdict.rule.note if verdict.rule else None,
    )
    assert verdict.reasons == (
        "status:former_relevant",
        "age:19",
        "circumstances:none",
        "rule:2",
        "rule:statuses:former_relevant",
        "rule:min_age:18",
        "rule:below_age:21",
    )


def test_former_relevant_19_support_up_to_25_starts_on_21st_birthday(content: ContentSet):
    verdict = evaluate(
        content.by_id()["support-up-to-25"],
        Profile(status=FORMER, date_of_birth=dt.date(2007, 3, 10)),
        ON,
    )
    assert verdict.applies == "no"
    assert verdict.from_date == dt.date(2028, 3, 10)
    assert verdict.until is None and verdict.missing == ()
    assert "fails:min_age:21" in verdict.reasons
    assert "starts_at_age:21" in verdict.reasons


def test_from_date_needs_a_date_of_birth_but_the_age_is_in_the_reasons(content: ContentSet):
    verdict = evaluate(content.by_id()["support-up-to-25"], Profile(status=FORMER, age=19), ON)
    assert verdict.applies == "no"
    assert verdict.from_date is None
    assert "starts_at_age:21" in verdict.reasons


def test_no_from_date_when_the_status_is_not_known(content: ContentSet):
    verdict = evaluate(
        content.by_id()["support-up-to-25"], Profile(date_of_birth=dt.date(2007, 3, 10)), ON
    )
    assert verdict.applies == "no"
    assert verdict.from_date is None
    assert not any(r.startswith("starts_at_age") for r in verdict.reasons)


def test_no_from_date_when_the_circumstance_is_not_known(content: ContentSet):
    # A former relevant 17-year-old cannot exist, so use a profile aged 17 with the rule's
    # status: staying put would start at 18 only if they were in foster care at 18.
    entry = content.by_id()["staying-put"]
    profile = Profile(status=FORMER, date_of_birth=dt.date(2009, 1, 1))
    verdict = evaluate(entry, profile, ON)
    assert verdict.applies == "no"
    assert verdict.from_date is None
    fostered = dataclasses.replace(profile, circumstances=frozenset({FOSTER}))
    assert evaluate(entry, fostered, ON).from_date == dt.date(2027, 1, 1)


def test_staying_put_lasts_until_the_21st_birthday(content: ContentSet):
    verdict = evaluate(
        content.by_id()["staying-put"],
        Profile(
            status=FORMER, date_of_birth=dt.date(2007, 8, 1), circumstances=frozenset({FOSTER})
        ),
        ON,
    )
    assert (verdict.applies, verdict.age, verdict.until) == ("yes", 18, dt.date(2028, 8, 1))


def test_universal_credit_starts_at_18_for_a_relevant_16_year_old(content: ContentSet):
    verdict = evaluate(
        content.by_id()["universal-credit"],
        Profile(status=RELEVANT, date_of_birth=dt.date(2009, 9, 1)),
        ON,
    )
    assert verdict.applies == "no"
    assert verdict.from_date == dt.date(2027, 9, 1)
    assert verdict.rule is not None and verdict.rule.statuses is None


def test_qualifying_17_housing_priority_need_from_18th_birthday(content: ContentSet):
    verdict = evaluate(
        content.by_id()["housing-and-homelessness"],
        Profile(status=QUALIFYING, date_of_birth=dt.date(2008, 12, 25)),
        ON,
    )
    assert (verdict.applies, verdict.from_date) == ("no", dt.date(2026, 12, 25))


def test_personal_adviser_for_15_year_old_in_care_from_16th_birthday(content: ContentSet):
    verdict = evaluate(
        content.by_id()["personal-adviser"],
        Profile(status=ELIGIBLE, date_of_birth=dt.date(2011, 1, 1)),
        ON,
    )
    assert (verdict.applies, verdict.from_date) == ("no", dt.date(2027, 1, 1))


def test_when_several_rules_match_the_longest_lasting_is_used(content: ContentSet):
    # Former relevant 19: council emergency help (to 21) and the Crisis and Resilience Fund
    # (no end) both match; the one that lasts longer is returned, with no end date.
    verdict = evaluate(
        content.by_id()["emergency-financial-help"],
        Profile(status=FORMER, date_of_birth=dt.date(2007, 3, 10)),
        ON,
    )
    assert verdict.applies == "yes"
    assert verdict.rule is not None and verdict.rule.statuses is None
    assert verdict.until is None


def test_housing_priority_need_ends_at_21_for_a_former_relevant_19_year_old(content: ContentSet):
    verdict = evaluate(
        content.by_id()["housing-and-homelessness"],
        Profile(status=FORMER, date_of_birth=dt.date(2007, 3, 10)),
        ON,
    )
    assert (verdict.applies, verdict.until) == ("yes", dt.date(2028, 3, 10))


# --- unknown: exactly what is missing -----------------------------------------------------------


def test_nothing_known(content: ContentSet):
    by_id = content.by_id()
    assert evaluate(by_id["personal-adviser"], Profile(), ON).missing == ("status", "age")
    assert evaluate(by_id["staying-put"], Profile(), ON).missing == ("status", "age", FOSTER)
    assert evaluate(by_id["access-to-care-records"], Profile(), ON).applies == "yes"
    assert evaluate(by_id["young-parents"], Profile(), ON).missing == ("parent",)
    assert evaluate(by_id["identity-documents"], Profile(), ON).missing == ("status",)


def test_only_the_age_is_missing(content: ContentSet):
    verdict = evaluate(content.by_id()["personal-adviser"], Profile(status=FORMER), ON)
    assert verdict.applies == "unknown"
    assert verdict.missing == ("age",)
    assert verdict.age is None
    assert "age:unknown" in verdict.reasons and "needs:age" in verdict.reasons


def test_status_known_not_to_match_needs_no_age(content: ContentSet):
    verdict = evaluate(content.by_id()["support-up-to-25"], Profile(status=QUALIFYING), ON)
    assert verdict.applies == "no"
    assert "fails:status" in verdict.reasons


def test_only_the_circumstance_is_missing(content: ContentSet):
    verdict = evaluate(content.by_id()["staying-put"], Profile(status=FORMER, age=19), ON)
    assert verdict.applies == "unknown"
    assert verdict.missing == (FOSTER,)
    assert verdict.rule is not None and verdict.rule.circumstances == (FOSTER,)


def test_a_rule_implied_by_a_simpler_one_asks_nothing_extra(content: ContentSet):
    # Young parents: rule 3 (any parent) matches whenever rules 1 or 2 could, so only
    # "parent" is needed, not the status or further education.
    verdict = evaluate(content.by_id()["young-parents"], Profile(age=18), ON)
    assert verdict.missing == ("parent",)
    assert verdict.rule is not None and verdict.rule.statuses is None


def test_missing_lists_every_open_question_of_rules_that_could_still_match():
    entry = _entry(
        [
            Rule(statuses=frozenset({FORMER}), min_age=18),
            Rule(statuses=None, circumstances=("parent",)),
        ]
    )
    verdict = evaluate(entry, Profile(age=19), ON)
    assert verdict.applies == "unknown"
    assert verdict.missing == ("status", "parent")


def test_the_closest_open_rule_needs_the_fewest_facts():
    needs_two = Rule(statuses=frozenset({FORMER}), circumstances=("parent",))
    needs_one = Rule(statuses=None, min_age=18)
    verdict = evaluate(_entry([needs_two, needs_one]), Profile(), ON)
    assert verdict.missing == ("status", "age", "parent")
    assert verdict.rule == needs_one
    assert "rule:2" in verdict.reasons


def test_the_closest_failed_rule_fails_the_fewest_conditions():
    far = Rule(statuses=frozenset({QUALIFYING}), below_age=18)
    near = Rule(statuses=frozenset({FORMER}), below_age=18)
    verdict = evaluate(_entry([far, near]), Profile(status=FORMER, age=19), ON)
    assert (verdict.applies, verdict.rule, verdict.from_date) == ("no", near, None)
    assert verdict.reasons[-1] == "fails:below_age:18"


# --- birthdays ---------------------------------------------------------------------------------


def test_age_the_day_before_on_and_after_a_birthday():
    dob = dt.date(2005, 6, 15)
    assert age_on(dob, dt.date(2026, 6, 14)) == 20
    assert age_on(dob, dt.date(2026, 6, 15)) == 21
    assert age_on(dob, dt.date(2026, 6, 16)) == 21
    assert age_on(dob, dob) == 0
    assert birthday(dob, 21) == dt.date(2026, 6, 15)
    assert birthday(dob, 0) == dob


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(dt.date(2005, 6, 15), dt.date(2005, 6, 14))
    with pytest.raises(ValueError, match="0 or more"):
        birthday(dt.date(2005, 6, 15), -1)


def test_29_february_birthdays():
    dob = dt.date(2004, 2, 29)
    assert birthday(dob, 20) == dt.date(2024, 2, 29)  # leap year
    assert birthday(dob, 21) == dt.date(2025, 3, 1)  # not a leap year: 1 March
    assert birthday(dob, 24) == dt.date(2028, 2, 29)
    assert birthday(dob, 25) == dt.date(2029, 3, 1)
    assert age_on(dob, dt.date(2024, 2, 28)) == 19
    assert age_on(dob, dt.date(2024, 2, 29)) == 20
    assert age_on(dob, dt.date(2025, 2, 28)) == 20
    assert age_on(dob, dt.date(2025, 3, 1)) == 21
    assert birthday(dt.date(2000, 2, 29), 100) == dt.date(2100, 3, 1)  # 2100 is not leap


def test_staying_put_around_the_21st_birthday(content: ContentSet):
    entry = content.by_id()["staying-put"]
    profile = Profile(
        status=FORMER, date_of_birth=dt.date(2005, 6, 15), circumstances=frozenset({FOSTER})
    )
    before = evaluate(entry, profile, dt.date(2026, 6, 14))
    assert (before.applies, before.age, before.until) == ("yes", 20, dt.date(2026, 6, 15))
    on_day = evaluate(entry, profile, dt.date(2026, 6, 15))
    assert (on_day.applies, on_day.age, on_day.from_date) == ("no", 21, None)
    assert "fails:below_age:21" in on_day.reasons
    after = evaluate(entry, profile, dt.date(2026, 6, 16))
    assert (after.applies, after.from_date) == ("no", None)


def test_support_up_to_25_around_the_21st_and_25th_birthdays(content: ContentSet):
    entry = content.by_id()["support-up-to-25"]
    profile = Profile(status=FORMER, date_of_birth=dt.date(2005, 6, 15))
    before = evaluate(entry, profile, dt.date(2026, 6, 14))
    assert (before.applies, before.from_date) == ("no", dt.date(2026, 6, 15))
    on_day = evaluate(entry, profile, dt.date(2026, 6, 15))
    assert (on_day.applies, on_day.until) == ("yes", dt.date(2030, 6, 15))
    last_day = evaluate(entry, profile, dt.date(2030, 6, 14))
    assert (last_day.applies, last_day.age, last_day.until) == ("yes", 24, dt.date(2030, 6, 15))
    ended = evaluate(entry, profile, dt.date(2030, 6, 15))
    assert (ended.applies, ended.from_date) == ("no", None)


def test_29_february_staying_put_ends_on_1_march(content: ContentSet):
    entry = content.by_id()["staying-put"]
    profile = Profile(
        status=FORMER, date_of_birth=dt.date(2004, 2, 29), circumstances=frozenset({FOSTER})
    )
    last = evaluate(entry, profile, dt.date(2025, 2, 28))
    assert (last.applies, last.until) == ("yes", dt.date(2025, 3, 1))
    assert evaluate(entry, profile, dt.date(2025, 3, 1)).applies == "no"


def test_29_february_support_up_to_25_dates(content: ContentSet):
    entry = content.by_id()["support-up-to-25"]
    profile = Profile(status=FORMER, date_of_birth=dt.date(2004, 2, 29))
    waiting = evaluate(entry, profile, dt.date(2024, 6, 1))
    assert (waiting.applies, waiting.from_date) == ("no", dt.date(2025, 3, 1))
    assert evaluate(entry, profile, dt.date(2025, 2, 28)).applies == "no"
    started = evaluate(entry, profile, dt.date(2025, 3, 1))
    assert (started.applies, started.until) == ("yes", dt.date(2029, 3, 1))
    assert evaluate(entry, profile, dt.date(2029, 2, 28)).applies == "yes"
    assert evaluate(entry, profile, dt.date(2029, 3, 1)).applies == "no"


def test_29_february_in_a_leap_year_birthday(content: ContentSet):
    entry = content.by_id()["pathway-plan"]
    profile = Profile(status=RELEVANT, date_of_birth=dt.date(2008, 2, 29))
    waiting = evaluate(entry, profile, dt.date(2024, 2, 28))
    assert (waiting.applies, waiting.from_date) == ("no", dt.date(2024, 2, 29))
    started = evaluate(entry, profile, dt.date(2024, 2, 29))
    assert (started.applies, started.until) == ("yes", dt.date(2026, 3, 1))


# --- London dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "london_date"),
    [
        # Summer (BST, UTC+1): 23:30 UTC is already 00:30 the next day in London.
        (dt.datetime(2026, 6, 14, 22, 30, tzinfo=UTC), dt.date(2026, 6, 14)),
        (dt.datetime(2026, 6, 14, 23, 30, tzinfo=UTC), dt.date(2026, 6, 15)),
        # Clocks go back at 01:00 UTC on Sunday 31 October 2027.
        (dt.datetime(2027, 10, 30, 23, 30, tzinfo=UTC), dt.date(2027, 10, 31)),  # 00:30 BST
        (dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC), dt.date(2027, 10, 31)),  # 01:30 BST
        (dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC), dt.date(2027, 10, 31)),  # 01:30 GMT
        (dt.datetime(2027, 10, 31, 23, 30, tzinfo=UTC), dt.date(2027, 10, 31)),  # 23:30 GMT
        # Winter (GMT): the UTC date is the London date.
        (dt.datetime(2027, 12, 31, 23, 30, tzinfo=UTC), dt.date(2027, 12, 31)),
        (dt.datetime(2028, 1, 1, 0, 0, tzinfo=UTC), dt.date(2028, 1, 1)),
        # Clocks go forward at 01:00 UTC on Sunday 28 March 2027.
        (dt.datetime(2027, 3, 27, 23, 30, tzinfo=UTC), dt.date(2027, 3, 27)),
        (dt.datetime(2027, 3, 28, 23, 30, tzinfo=UTC), dt.date(2027, 3, 29)),
        # Other time zones.
        (
            dt.datetime(2026, 6, 16, 7, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
            dt.date(2026, 6, 15),
        ),
        (
            dt.datetime(2026, 6, 14, 20, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
            dt.date(2026, 6, 15),
        ),
        (dt.datetime(2026, 6, 15, 0, 30, tzinfo=LONDON), dt.date(2026, 6, 15)),
    ],
)
def test_today_in_london(moment: dt.datetime, london_date: dt.date):
    assert today_in_london(moment) == london_date


def test_today_in_london_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="time zone"):
        today_in_london(dt.datetime(2026, 6, 14, 23, 30))


def test_today_in_london_defaults_to_now():
    before = dt.datetime.now(tz=LONDON).date()
    today = today_in_london()
    after = dt.datetime.now(tz=LONDON).date()
    assert before <= today <= after


def test_a_birthday_starts_at_london_midnight(content: ContentSet):
    # Born 31 October 2006: 21 on 31 October 2027. At 23:30 UTC on 30 October it is
    # 00:30 BST on 31 October in London, so staying put has already ended.
    entry = content.by_id()["staying-put"]
    profile = Profile(
        status=FORMER, date_of_birth=dt.date(2006, 10, 31), circumstances=frozenset({FOSTER})
    )
    late_utc = dt.datetime(2027, 10, 30, 23, 30, tzinfo=UTC)
    assert late_utc.date() == dt.date(2027, 10, 30)
    assert evaluate(entry, profile, late_utc.date()).applies == "yes"  # the wrong calendar
    assert evaluate(entry, profile, today_in_london(late_utc)).applies == "no"
    earlier = dt.datetime(2027, 10, 30, 22, 30, tzinfo=UTC)  # 23:30 BST on 30 October
    verdict = evaluate(entry, profile, today_in_london(earlier))
    assert (verdict.applies, verdict.until) == ("yes", dt.date(2027, 10, 31))


# --- profile ----------------------------------------------------------------------------------


def test_date_of_birth_wins_over_a_stated_age():
    profile = Profile(date_of_birth=dt.date(2007, 3, 10), age=30)
    assert profile.age_on(ON) == 19
    assert Profile(age=19).age_on(ON) == 19
    assert Profile().age_on(ON) is None


def test_date_of_birth_after_the_date_means_no_age(content: ContentSet):
    profile = Profile(status=FORMER, date_of_birth=dt.date(2030, 1, 1))
    assert profile.age_on(ON) is None
    verdict = evaluate(content.by_id()["personal-adviser"], profile, ON)
    assert verdict.applies == "unknown"
    assert verdict.missing == ("age",)
    assert "date_of_birth:after_date" in verdict.reasons


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "former-relevant"},
        {"status": "in_care"},
        {"age": -1},
        {"circumstances": frozenset({"in_foster_care"})},
    ],
)
def test_profile_refuses_unknown_codes(kwargs):
    with pytest.raises(ValueError):
        Profile(**kwargs)


def test_profile_refuses_a_single_string_of_circumstances():
    with pytest.raises(TypeError):
        Profile(circumstances="parent")  # type: ignore[arg-type]


def test_profile_accepts_a_plain_set_as_circumstances():
    profile = Profile(circumstances={"parent"})  # type: ignore[arg-type]
    assert profile.circumstances == frozenset({"parent"})
    assert isinstance(profile.circumstances, frozenset)


def test_an_entry_without_rules_does_not_apply():
    verdict = evaluate(_entry([]), Profile(status=FORMER, age=19), ON)
    assert (verdict.applies, verdict.rule) == ("no", None)
    assert verdict.reasons[-1] == "no_rules"


# --- applicable -------------------------------------------------------------------------------


def test_applicable_for_a_former_relevant_student(content: ContentSet):
    profile = Profile(
        status=FORMER,
        date_of_birth=dt.date(2007, 3, 10),
        circumstances=frozenset({"in_higher_education"}),
    )
    result = applicable(content.entries, profile, ON)
    assert [entry.id for entry, _ in result] == [
        # with an amount of money (or a threshold): ending soonest, then no end (by title)
        "setting-up-home-allowance",  # until 2032-03-10
        "driving-licence",  # no end
        "health-costs",
        "higher-education-bursary",
        "junior-isa",
        "tv-licence",
        # without: ending soonest, then by title
        "education-training-employment",  # until 2028-03-10
        "housing-and-homelessness",
        "homeless-tonight",
        "pathway-plan",
        "personal-adviser",
        "council-tax-exemption",  # until 2032-03-10
        "leaving-custody",
        "local-offer",
        "staying-close",
        "care-leaver-covenant",  # until 2033-03-10
        "gym-and-travel-discounts",
        "advocacy-and-complaints",  # no end
        "care-leaver-status",
        "citizenship-and-settled-status",
        "college-at-19-plus",
        "emergency-financial-help",
        "family-and-siblings",
        "health-and-wellbeing",
        "identity-documents",
        "immigration-and-asylum",
        "mental-health-support",
        "money-and-debt",
        "adult-social-care",
        "universal-credit",
        "access-to-care-records",
    ]
    assert all(verdict.applies == "yes" for _, verdict in result)
    untils = {entry.id: verdict.until for entry, verdict in result}
    assert untils["personal-adviser"] == dt.date(2028, 3, 10)
    assert untils["care-leaver-covenant"] == dt.date(2033, 3, 10)
    assert untils["universal-credit"] is None


def test_applicable_orders_money_then_soonest_end_then_title():
    money = Amount("x", Decimal("10"), "one_off", ON, "https://x.org")
    entries = [
        _entry([Rule(statuses=None, below_age=30)], id_="d", title="D"),
        _entry([Rule(statuses=None, below_age=21)], id_="c", title="C"),
        _entry([Rule(statuses=None)], id_="a", title="A"),
        _entry([Rule(statuses=None, below_age=30)], id_="b", title="B", amounts=(money,)),
        _entry([Rule(statuses=None)], id_="e", title="E", amounts=(money,)),
        _entry([Rule(statuses=frozenset({QUALIFYING}))], id_="f", title="F"),
        _entry([Rule(statuses=None, below_age=21)], id_="g", title="B2"),
    ]
    profile = Profile(status=FORMER, date_of_birth=dt.date(2007, 3, 10))
    assert [e.id for e, _ in applicable(entries, profile, ON)] == ["b", "e", "g", "c", "d", "a"]
    assert applicable([], profile, ON) == []


# --- properties ---------------------------------------------------------------------------------

statuses_st = st.one_of(st.none(), st.sampled_from(STATUSES))
circumstances_st = st.one_of(st.none(), st.frozensets(st.sampled_from(CIRCUMSTANCES)))
profiles_st = st.builds(
    Profile,
    status=statuses_st,
    date_of_birth=st.one_of(st.none(), st.dates()),
    age=st.one_of(st.none(), st.integers(0, 150)),
    circumstances=circumstances_st,
)


@st.composite
def rules_st(draw: st.DrawFn) -> Rule:
    statuses = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(STATUSES), min_size=1)))
    min_age = draw(st.one_of(st.none(), st.integers(0, 29)))
    low = (min_age if min_age is not None else 0) + 1
    below_age = draw(st.one_of(st.none(), st.integers(low, 30)))
    circumstances = draw(st.lists(st.sampled_from(CIRCUMSTANCES), unique=True, max_size=3))
    return Rule(statuses, min_age, below_age, tuple(circumstances))


synthetic_entries_st = st.lists(rules_st(), max_size=5).map(lambda rules: _entry(rules))


def _entries_st(content: ContentSet) -> st.SearchStrategy[Entitlement]:
    return st.one_of(st.sampled_from(content.entries), synthetic_entries_st)


@st.composite
def full_profiles_st(draw: st.DrawFn, on: dt.date) -> Profile:
    """Everything known: status, a date of birth on or before ``on``, circumstances."""
    dob = draw(st.dates(min_value=on - dt.timedelta(days=366 * 40), max_value=on))
    return Profile(
        status=draw(st.sampled_from(STATUSES)),
        date_of_birth=dob,
        circumstances=draw(st.frozensets(st.sampled_from(CIRCUMSTANCES))),
    )


ons_st = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31))
SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@given(dob=st.dates(), a=st.dates(), b=st.dates())
@SETTINGS
def test_age_is_monotonic_in_the_date(dob: dt.date, a: dt.date, b: dt.date):
    first, second = sorted((a, b))
    assume(first >= dob)
    assert age_on(dob, first) <= age_on(dob, second)


@given(dob=st.dates(max_value=dt.date(9800, 12, 31)), n=st.integers(1, 150))
@SETTINGS
def test_age_on_a_birthday_is_that_age_and_the_day_before_one_less(dob: dt.date, n: int):
    day = birthday(dob, n)
    assert age_on(dob, day) == n
    assert age_on(dob, day - dt.timedelta(days=1)) == n - 1
    assert birthday(dob, n - 1) < day
    if (dob.month, dob.day) == (2, 29):
        leap = calendar.isleap(dob.year + n)
        assert (day.month, day.day) == ((2, 29) if leap else (3, 1))
    else:
        assert (day.month, day.day) == (dob.month, dob.day)


@given(data=st.data(), profile=profiles_st, on=st.dates())
@settings(max_examples=500, deadline=None, database=None)
def test_evaluate_never_raises_and_agrees_with_a_simple_reading_of_the_rules(
    content: ContentSet, data: st.DataObject, profile: Profile, on: dt.date
):
    entry = data.draw(_entries_st(content))
    verdict = evaluate(entry, profile, on)
    assert isinstance(verdict, Verdict)
    assert verdict.applies == _oracle(entry, profile, on)
    age = profile.age_on(on)
    assert verdict.age == age
    assert bool(verdict.missing) == (verdict.applies == "unknown")
    if verdict.applies == "yes":
        assert verdict.rule is not None
        circumstances = profile.circumstances or frozenset()
        assert _rule_matches_known(verdict.rule, profile.status, age, profile.circumstances)
        if profile.status is not None and age is not None:
            assert _rule_matches(verdict.rule, profile.status, age, circumstances)
    else:
        assert verdict.until is None
    if verdict.applies != "no":
        assert verdict.from_date is None
    for item in verdict.missing:
        if item == "status":
            assert profile.status is None
        elif item == "age":
            assert age is None
        else:
            assert profile.circumstances is None and item in CIRCUMSTANCES
    if entry.eligibility.rules:
        assert verdict.rule in entry.eligibility.rules


@given(data=st.data(), profile=profiles_st, on=ons_st)
@SETTINGS
def test_answering_what_is_missing_decides(
    content: ContentSet, data: st.DataObject, profile: Profile, on: dt.date
):
    entry = data.draw(_entries_st(content))
    verdict = evaluate(entry, profile, on)
    assume(verdict.applies == "unknown")
    changes: dict[str, object] = {}
    if "status" in verdict.missing:
        changes["status"] = data.draw(st.sampled_from(STATUSES))
    if "age" in verdict.missing:
        changes["date_of_birth"] = None
        changes["age"] = data.draw(st.integers(0, 40))
    needed = [item for item in verdict.missing if item in CIRCUMSTANCES]
    if needed:
        changes["circumstances"] = data.draw(st.frozensets(st.sampled_from(needed)))
    answered = dataclasses.replace(profile, **changes)  # type: ignore[arg-type]
    assert evaluate(entry, answered, on).applies in {"yes", "no"}


@given(data=st.data(), on=ons_st)
@SETTINGS
def test_more_knowledge_never_turns_yes_into_unknown(
    content: ContentSet, data: st.DataObject, on: dt.date
):
    entry = data.draw(_entries_st(content))
    full = data.draw(full_profiles_st(on))
    assert full.date_of_birth is not None
    partial = Profile(
        status=data.draw(st.sampled_from([full.status, None])),
        date_of_birth=data.draw(st.sampled_from([full.date_of_birth, None])),
        age=data.draw(st.sampled_from([age_on(full.date_of_birth, on), None])),
        circumstances=data.draw(st.sampled_from([full.circumstances, None])),
    )
    known = evaluate(entry, full, on)
    guessed = evaluate(entry, partial, on)
    assert known.applies in {"yes", "no"}
    if guessed.applies == "yes":
        assert known.applies == "yes"
    if guessed.applies == "no":
        assert known.applies == "no"
    if known.applies == "yes":
        assert guessed.applies in {"yes", "unknown"}


@given(data=st.data(), on=ons_st)
@SETTINGS
def test_until_and_from_date_are_the_exact_days(
    content: ContentSet, data: st.DataObject, on: dt.date
):
    entry = data.draw(_entries_st(content))
    profile = data.draw(full_profiles_st(on))
    assert profile.date_of_birth is not None
    verdict = evaluate(entry, profile, on)
    if verdict.applies == "yes" and verdict.until is not None:
        assert verdict.rule is not None and verdict.rule.below_age is not None
        assert verdict.until > on
        assert verdict.until == birthday(profile.date_of_birth, verdict.rule.below_age)
        last_day = evaluate(entry, profile, verdict.until - dt.timedelta(days=1))
        assert last_day.applies == "yes"
        assert not _rule_matches(
            verdict.rule,
            profile.status,
            age_on(profile.date_of_birth, verdict.until),
            profile.circumstances or frozenset(),
        )
    if verdict.applies == "no" and verdict.from_date is not None:
        assert verdict.from_date > on
        assert evaluate(entry, profile, verdict.from_date).applies == "yes"
        assert evaluate(entry, profile, verdict.from_date - dt.timedelta(days=1)).applies == "no"
    if verdict.applies == "no" and verdict.from_date is None:
        # Nothing starts later for someone with this status and these circumstances.
        for years in range(age_on(profile.date_of_birth, on) + 1, 32):
            later = birthday(profile.date_of_birth, years)
            assert evaluate(entry, profile, later).applies == "no", years


@given(data=st.data(), profile=profiles_st, on=ons_st)
@SETTINGS
def test_applicable_is_every_yes_in_order(
    content: ContentSet, data: st.DataObject, profile: Profile, on: dt.date
):
    entries = [*content.entries, *data.draw(st.lists(synthetic_entries_st, max_size=3))]
    result = applicable(entries, profile, on)
    yes = [e for e in entries if evaluate(e, profile, on).applies == "yes"]
    assert sorted(e.id + e.title for e, _ in result) == sorted(e.id + e.title for e in yes)
    keys = [(not e.amounts, v.until is None, v.until or dt.date.max, e.title) for e, v in result]
    assert keys == sorted(keys)


# --- helpers ---------------------------------------------------------------------------------


def _entry(
    rules: Iterable[Rule], *, id_: str = "synthetic", title: str = "Synthetic", amounts=()
) -> Entitlement:
    return Entitlement(
        id=id_,
        title=title,
        scope="local",
        summary="s",
        details="d",
        eligibility=Eligibility(explanation="e", rules=tuple(rules)),
        amounts=tuple(amounts),
        how_to_get="h",
        legal_basis="l",
        varies_locally=False,
        local_note="",
        sources=("https://example.org",),
        last_reviewed=dt.date(2026, 1, 1),
        review_due=dt.date(2027, 1, 1),
        examples=(),
        synonyms=(),
    )


def _rule_matches(rule: Rule, status: str | None, age: int, circumstances) -> bool:
    """The plain reading of a rule, with everything known."""
    return (
        (rule.statuses is None or status in rule.statuses)
        and (rule.min_age is None or age >= rule.min_age)
        and (rule.below_age is None or age < rule.below_age)
        and set(rule.circumstances) <= set(circumstances or ())
    )


def _rule_matches_known(rule: Rule, status, age, circumstances) -> bool:
    """The rule matches on known facts alone: any condition on an unknown fact fails."""
    if rule.statuses is not None and (status is None or status not in rule.statuses):
        return False
    if rule.min_age is not None or rule.below_age is not None:
        if age is None:
            return False
        if rule.min_age is not None and age < rule.min_age:
            return False
        if rule.below_age is not None and age >= rule.below_age:
            return False
    if rule.circumstances:
        if circumstances is None:
            return False
        return set(rule.circumstances) <= set(circumstances)
    return True


def _rule_possible(rule: Rule, status, age, circumstances) -> bool:
    """The rule could match once the unknown facts are known: no known fact rules it out."""
    if rule.statuses is not None and status is not None and status not in rule.statuses:
        return False
    if age is not None:
        if rule.min_age is not None and age < rule.min_age:
            return False
        if rule.below_age is not None and age >= rule.below_age:
            return False
    return circumstances is None or set(rule.circumstances) <= circumstances


def _oracle(entry: Entitlement, profile: Profile, on: dt.date) -> str:
    age = profile.age_on(on)
    facts = (profile.status, age, profile.circumstances)
    if any(_rule_matches_known(r, *facts) for r in entry.eligibility.rules):
        return "yes"
    if any(_rule_possible(r, *facts) for r in entry.eligibility.rules):
        return "unknown"
    return "no"
