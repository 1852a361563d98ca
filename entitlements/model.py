"""The shape of one entitlement entry, once validated.

Plain frozen dataclasses with no I/O: the loader builds them from YAML, the
store turns them into JSON documents and back, the search and the answers read
them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

STATUSES: tuple[str, ...] = ("eligible", "relevant", "former_relevant", "qualifying")
"""Care-leaver statuses under the Children Act 1989."""

CIRCUMSTANCES: tuple[str, ...] = (
    "in_higher_education",
    "in_further_education",
    "apprenticeship",
    "parent",
    "uasc",
    "staying_put",
    "out_of_area",
    "in_care_at_18",
    "in_foster_care_at_18",
)
"""Circumstances that change what a young person is entitled to."""

PERIODS: tuple[str, ...] = ("one_off", "per_week", "per_month", "per_year", "total")

SCOPES: tuple[str, ...] = ("national", "local")


@dataclasses.dataclass(frozen=True)
class Amount:
    """An amount of money, with the date it applies from and where it comes from."""

    label: str
    amount: Decimal
    period: str
    applies_from: dt.date
    source: str

    def formatted(self) -> str:
        """The amount as written for young people, e.g. ``£3,000`` or ``£316.98``."""
        if self.amount == self.amount.to_integral_value():
            return f"£{int(self.amount):,}"
        return f"£{self.amount:,.2f}"


@dataclasses.dataclass(frozen=True)
class Rule:
    """One way to qualify: a status, an age range and circumstances that must all hold.

    ``statuses`` is ``None`` when anyone qualifies, care leaver or not.
    ``min_age`` is inclusive and ``below_age`` exclusive ("until your 21st birthday").
    """

    statuses: frozenset[str] | None
    min_age: int | None = None
    below_age: int | None = None
    circumstances: tuple[str, ...] = ()
    note: str | None = None


@dataclasses.dataclass(frozen=True)
class Eligibility:
    """Who an entitlement applies to: plain words and rules a program can evaluate."""

    explanation: str
    rules: tuple[Rule, ...]


@dataclasses.dataclass(frozen=True)
class Entitlement:
    """One entry of the knowledge base."""

    id: str
    title: str
    scope: str
    summary: str
    details: str
    eligibility: Eligibility
    amounts: tuple[Amount, ...]
    how_to_get: str
    legal_basis: str
    varies_locally: bool
    local_note: str
    sources: tuple[str, ...]
    last_reviewed: dt.date
    review_due: dt.date
    examples: tuple[str, ...]
    synonyms: tuple[str, ...]

    def to_document(self) -> dict[str, Any]:
        """A JSON-ready dict in the same shape as the YAML content file."""
        return {
            "id": self.id,
            "title": self.title,
            "scope": self.scope,
            "summary": self.summary,
            "details": self.details,
            "eligibility": {
                "explanation": self.eligibility.explanation,
                "rules": [_rule_document(rule) for rule in self.eligibility.rules],
            },
            "amounts": [
                {
                    "label": a.label,
                    "amount": str(a.amount),
                    "period": a.period,
                    "applies_from": a.applies_from.isoformat(),
                    "source": a.source,
                }
                for a in self.amounts
            ],
            "how_to_get": self.how_to_get,
            "legal_basis": self.legal_basis,
            "varies_locally": {"varies": self.varies_locally, "note": self.local_note},
            "sources": list(self.sources),
            "last_reviewed": self.last_reviewed.isoformat(),
            "review_due": self.review_due.isoformat(),
            "examples": list(self.examples),
            "synonyms": list(self.synonyms),
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Entitlement:
        """Rebuild an entry from :meth:`to_document` output (already validated)."""
        rules = tuple(
            Rule(
                statuses=None if r["statuses"] == "any" else frozenset(r["statuses"]),
                min_age=r.get("min_age"),
                below_age=r.get("below_age"),
                circumstances=tuple(r.get("circumstances", ())),
                note=r.get("note"),
            )
            for r in doc["eligibility"]["rules"]
        )
        return cls(
            id=doc["id"],
            title=doc["title"],
            scope=doc["scope"],
            summary=doc["summary"],
            details=doc["details"],
            eligibility=Eligibility(explanation=doc["eligibility"]["explanation"], rules=rules),
            amounts=tuple(
                Amount(
                    label=a["label"],
                    amount=Decimal(a["amount"]),
                    period=a["period"],
                    applies_from=dt.date.fromisoformat(a["applies_from"]),
                    source=a["source"],
                )
                for a in doc["amounts"]
            ),
            how_to_get=doc["how_to_get"],
            legal_basis=doc["legal_basis"],
            varies_locally=bool(doc["varies_locally"]["varies"]),
            local_note=doc["varies_locally"].get("note", ""),
            sources=tuple(doc["sources"]),
            last_reviewed=dt.date.fromisoformat(doc["last_reviewed"]),
            review_due=dt.date.fromisoformat(doc["review_due"]),
            examples=tuple(doc["examples"]),
            synonyms=tuple(doc["synonyms"]),
        )


def _rule_document(rule: Rule) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "statuses": "any" if rule.statuses is None else sorted(rule.statuses),
    }
    if rule.min_age is not None:
        doc["min_age"] = rule.min_age
    if rule.below_age is not None:
        doc["below_age"] = rule.below_age
    if rule.circumstances:
        doc["circumstances"] = list(rule.circumstances)
    if rule.note:
        doc["note"] = rule.note
    return doc
