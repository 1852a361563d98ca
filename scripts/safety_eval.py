"""The safety net's figures on a labelled set: recall per kind of risk and false alarms.

    python -m scripts.safety_eval                  # the held-out set and the dev set
    python -m scripts.safety_eval --set dev --show-misses   # tune on the dev set only

Each message is checked by the safety net exactly as the channels check it
(:class:`bot.safety.screen.Screen`, patterns and semantic layer). For a message labelled
with a kind of risk, *signposted* means the crisis tier (the signposting at once), and
*reached* means the crisis or possible tier (at least the check-in with 999 and
Samaritans, and a human told). For ``possible`` messages, *reached* is what counts. For
``none`` messages, a crisis reply is a false alarm; a check-in is counted apart.

Never print or look at the held-out set's misses: ``--show-misses`` works on the dev
set only, so the held-out figures keep telling the truth (tests/evaluation/README.md).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.safety.categories import CATEGORIES
from bot.safety.screen import Screen, Tier
from bot.settings import PROJECT_ROOT

SETS = {
    "held-out": PROJECT_ROOT / "tests" / "evaluation" / "safety.yml",
    "dev": PROJECT_ROOT / "tests" / "dev_set" / "safety.yml",
}
# Ordinary traffic of the same split: questions about entitlements and out of scope,
# none of them showing risk. A crisis reply or a check-in to these is a false alarm.
ORDINARY = {
    "held-out": [
        PROJECT_ROOT / "tests" / "evaluation" / f
        for f in ("entitlement_questions.yml", "out_of_scope.yml")
    ],
    "dev": [
        PROJECT_ROOT / "tests" / "dev_set" / f
        for f in (
            "entitlement_questions.yml",
            "more_entitlement_questions.yml",
            "out_of_scope.yml",
            "unanswerable.yml",
        )
    ],
}
# The project's earlier crisis sets (7 kinds; "exploitation" is both of today's).
EARLIER = {
    "held-out": [PROJECT_ROOT / "tests" / "evaluation" / "crisis.yml"],
    "dev": [PROJECT_ROOT / "tests" / "dev_set" / f for f in ("crisis.yml", "more_crisis.yml")],
}


@dataclasses.dataclass
class Figures:
    """Counts for one set."""

    name: str
    total: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    signposted: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    reached: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    none_total: int = 0
    none_crisis: int = 0
    none_check_in: int = 0
    none_by_kind: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    none_alarm_by_kind: collections.Counter[str] = dataclasses.field(
        default_factory=collections.Counter
    )
    misses: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    ordinary_total: int = 0
    ordinary_crisis: int = 0
    ordinary_check_in: int = 0
    earlier_total: int = 0
    earlier_signposted: int = 0

    def recall(self, label: str, *, reached: bool = False) -> float:
        counts = self.reached if reached else self.signposted
        return counts[label] / self.total[label] if self.total[label] else 0.0

    @property
    def risk_total(self) -> int:
        return sum(self.total[c] for c in CATEGORIES)

    @property
    def risk_signposted(self) -> int:
        return sum(self.signposted[c] for c in CATEGORIES)

    @property
    def risk_reached(self) -> int:
        return sum(self.reached[c] for c in CATEGORIES)


def load(path: Path) -> list[dict[str, str]]:
    """The messages of a set file."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["messages"])


def measure(name: str, messages: Iterable[dict[str, str]], screen: Screen) -> Figures:
    """Check every message and count."""
    figures = Figures(name)
    for message in messages:
        text, label = str(message["text"]), str(message["label"])
        verdict = screen.check(text)
        if label == "none":
            kind = str(message.get("kind", "other"))
            figures.none_total += 1
            figures.none_by_kind[kind] += 1
            if verdict.tier is Tier.CRISIS:
                figures.none_crisis += 1
                figures.none_alarm_by_kind[kind] += 1
                figures.misses.append((label, verdict.tier.value, text))
            elif verdict.tier is Tier.POSSIBLE:
                figures.none_check_in += 1
            continue
        figures.total[label] += 1
        if verdict.tier is Tier.CRISIS:
            figures.signposted[label] += 1
        if verdict.tier is not Tier.NONE:
            figures.reached[label] += 1
        else:
            figures.misses.append((label, verdict.tier.value, text))
    return figures


def measure_more(figures: Figures, name: str, screen: Screen) -> None:
    """Add the ordinary traffic's false alarms and the earlier crisis sets' recall."""
    for path in ORDINARY[name]:
        for message in load(path):
            verdict = screen.check(str(message["text"]))
            figures.ordinary_total += 1
            figures.ordinary_crisis += verdict.tier is Tier.CRISIS
            figures.ordinary_check_in += verdict.tier is Tier.POSSIBLE
    for path in EARLIER[name]:
        for message in load(path):
            figures.earlier_total += 1
            figures.earlier_signposted += screen.check(str(message["text"])).tier is Tier.CRISIS


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "-"


def rows(figures: Figures) -> list[tuple[str, str, str]]:
    """(measure, signposted, reached) rows for a Markdown table."""
    out: list[tuple[str, str, str]] = []
    for label in (*CATEGORIES, "possible"):
        if figures.total[label]:
            out.append(
                (
                    label,
                    _pct(figures.signposted[label], figures.total[label]),
                    _pct(figures.reached[label], figures.total[label]),
                )
            )
    out.append(
        (
            "all kinds of risk",
            _pct(figures.risk_signposted, figures.risk_total),
            _pct(figures.risk_reached, figures.risk_total),
        )
    )
    out.append(
        (
            "no risk, hard cases: crisis reply (false alarm) / check-in",
            _pct(figures.none_crisis, figures.none_total),
            _pct(figures.none_check_in, figures.none_total),
        )
    )
    if figures.ordinary_total:
        out.append(
            (
                "ordinary questions: crisis reply (false alarm) / check-in",
                _pct(figures.ordinary_crisis, figures.ordinary_total),
                _pct(figures.ordinary_check_in, figures.ordinary_total),
            )
        )
    if figures.earlier_total:
        out.append(
            (
                "the earlier crisis set (tests/*/crisis.yml)",
                _pct(figures.earlier_signposted, figures.earlier_total),
                "",
            )
        )
    return out


def table(figures: Figures) -> str:
    """The figures as a Markdown table."""
    lines = [
        f"**{figures.name}**",
        "",
        "| kind | signposted (crisis reply) | reached (crisis reply or check-in) |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows(figures)]
    alarms = ", ".join(
        f"{kind} {figures.none_alarm_by_kind[kind]}/{count}"
        for kind, count in sorted(figures.none_by_kind.items())
    )
    lines += ["", f"False alarms by kind of no-risk message: {alarms}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the figures (and, for the dev set only, its misses)."""
    parser = argparse.ArgumentParser(prog="python -m scripts.safety_eval")
    parser.add_argument("--set", choices=[*SETS, "both"], default="both")
    parser.add_argument("--show-misses", action="store_true", help="dev set only")
    parser.add_argument("--patterns-only", action="store_true", help="leave the semantic layer out")
    args = parser.parse_args(argv)
    if args.show_misses and args.set != "dev":
        parser.error("--show-misses works on the dev set only (the held-out set stays unseen)")
    screen = Screen() if args.patterns_only else full_screen()
    names = list(SETS) if args.set == "both" else [args.set]
    for name in names:
        figures = measure(name, load(SETS[name]), screen)
        measure_more(figures, name, screen)
        print(table(figures))
        print()
        if args.show_misses:
            for label, tier, text in figures.misses:
                print(f"  [{label} -> {tier}] {text}")
    return 0


def full_screen() -> Screen:
    """The screen the servers use: patterns and the semantic layer."""
    from bot.safety.semantic import build_screen

    return build_screen()


if __name__ == "__main__":
    sys.exit(main())
