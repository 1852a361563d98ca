"""What the report shows, in order, with labels managers read: one list for every format.

The console page, the CSV and the PDF are all drawn from :func:`report_rows`, so the
three cannot disagree.
"""

from __future__ import annotations

import dataclasses

from bot.reports.figures import COUNCIL, Figures
from bot.reports.weekly import WeeklyReport

FIGURES: tuple[tuple[str, str, str], ...] = (
    # (section, field, label)
    ("Reach", "conversations", "Conversations"),
    ("Reach", "young_people_reached", "Young people on record who used the service"),
    ("Questions", "questions_answered", "Questions answered"),
    ("Questions", "questions_unanswered", "Questions the bot could not answer"),
    ("Questions", "unanswered_share", "Share of questions not answered"),
    ("Safety", "safety_alerts", "Safety alerts"),
    ("Safety", "safety_acknowledged_in_time", "Acknowledged within 15 minutes"),
    ("Safety", "safety_unacknowledged", "Not acknowledged by the end of the week"),
    ("Safety", "safety_median_minutes", "Median minutes to acknowledge"),
    ("Safety review", "safety_marks_missed_risk", "Messages marked as a missed risk"),
    ("Safety review", "safety_marks_false_alarm", "Messages marked as a false alarm"),
    ("Safety review", "safety_marks_decided", "Marks decided by a safeguarding approver"),
    ("Safety review", "safety_marks_approved", "Approved into the safety net's phrase bank"),
    ("Safety review", "safety_marks_waiting", "Marks still waiting at the end of the week"),
    ("Safety review", "safety_marks_median_wait_hours", "Median hours a mark waited"),
    ("Safety review", "safety_marks_longest_wait_hours", "Longest a mark waited (hours)"),
    ("Handoffs", "handoffs", "Young people who asked for their PA"),
    ("Handoffs", "handoffs_replied_in_time", "PA replied within 4 office hours"),
    ("Handoffs", "handoffs_unreplied", "No reply by the end of the week"),
    ("Handoffs", "handoff_median_minutes", "Median minutes to the PA's first reply"),
    ("Pathway-plan queries", "cases_opened", "Opened"),
    ("Pathway-plan queries", "cases_answered", "Answered"),
    ("Pathway-plan queries", "cases_closed", "Closed"),
    ("Pathway-plan queries", "cases_overdue", "Overdue at the end of the week"),
    ("Pathway-plan queries", "cases_overdue_oldest_days", "Oldest overdue query (days late)"),
    ("Pathway-plan reviews", "reviews_overdue", "Plans not reviewed for more than 6 months"),
    ("Pathway-plan reviews", "reviews_unrecorded", "No review on record"),
    ("Content", "content_past_review", "Entitlement entries past their review date"),
    ("Entitlements pack", "pack_care_leavers", "Care leavers on record at the end of the week"),
    ("Entitlements pack", "packs_sent", "Have been sent or given their pack"),
    ("Entitlements pack", "packs_acknowledged", "Said they got it (replied GOT IT)"),
    ("Entitlements pack", "packs_missing", "Have not had their pack yet"),
    ("Quality assurance", "qa_reviewed", "Conversations reviewed (sampled in earlier weeks)"),
    ("Quality assurance", "qa_outstanding", "Graded outstanding"),
    ("Quality assurance", "qa_good", "Graded good"),
    ("Quality assurance", "qa_requires_improvement", "Graded requires improvement"),
    ("Quality assurance", "qa_inadequate", "Graded inadequate"),
    ("Quality assurance", "qa_wrong_answer", "Tagged wrong answer"),
    ("Quality assurance", "qa_missed_risk", "Tagged missed risk"),
    ("Quality assurance", "qa_slow_pa_reply", "Tagged slow PA reply"),
    ("Quality assurance", "qa_unclear_wording", "Tagged unclear wording"),
    ("Did that help?", "feedback_helped", "Answers young people said helped"),
    ("Did that help?", "feedback_not_helped", "Answers young people said did not help"),
)
"""Every figure the report shows, in the order it shows them."""

COUNCIL_ONLY = frozenset(
    {
        "content_past_review",
        "safety_marks_missed_risk",
        "safety_marks_false_alarm",
        "safety_marks_decided",
        "safety_marks_approved",
        "safety_marks_waiting",
        "safety_marks_median_wait_hours",
        "safety_marks_longest_wait_hours",
    }
)
"""Figures that belong to the whole council, not to a district."""

TRENDS: tuple[tuple[str, str], ...] = (
    ("conversations", "Conversations"),
    ("unanswered_share", "Share of questions not answered"),
    ("safety_alerts", "Safety alerts"),
    ("cases_overdue", "Pathway-plan queries overdue"),
    ("handoffs_unreplied", "Handoffs with no reply by the end of the week"),
)
"""The figures drawn as 12-week charts."""


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the report."""

    section: str
    field: str
    label: str
    this_week: str
    previous_week: str
    change: str


def value(figures: Figures, field: str) -> float | int | None:
    """A figure's raw value (``unanswered_share`` is a property)."""
    return getattr(figures, field)  # type: ignore[no-any-return]


def show(field: str, raw: float | int | None) -> str:
    """A figure as written in the report: ``–`` for none, shares as percentages."""
    if raw is None:
        return "–"
    if field == "unanswered_share":
        return f"{raw * 100:.0f}%"
    if isinstance(raw, float):
        return f"{raw:g}"
    return str(raw)


def _change(field: str, now: float | int | None, before: float | int | None) -> str:
    if now is None or before is None:
        return ""
    difference = now - before
    if field == "unanswered_share":
        points = round(difference * 100)
        return f"{points:+d} points" if points else "no change"
    if difference == 0:
        return "no change"
    return f"{difference:+g}"


def scopes_of(report: WeeklyReport) -> list[str]:
    """The report's scopes: the council first, then each district."""
    return list(report.figures)


def report_rows(report: WeeklyReport, scope: str = COUNCIL) -> list[Row]:
    """The report's figures for one scope, with the week before and the change."""
    now, before = report.figures[scope], report.previous[scope]
    rows = []
    for section, field, label in FIGURES:
        if field in COUNCIL_ONLY and scope != COUNCIL:
            continue
        this_value, last_value = value(now, field), value(before, field)
        rows.append(
            Row(
                section=section,
                field=field,
                label=label,
                this_week=show(field, this_value),
                previous_week=show(field, last_value),
                change=_change(field, this_value, last_value),
            )
        )
    return rows


def trend_series(report: WeeklyReport, field: str, scope: str = COUNCIL) -> list[tuple[str, float]]:
    """A figure over the report's 12 weeks: (ISO week, value; 0 when there is none)."""
    series = []
    for week, figures in report.trend:
        raw = value(figures[scope], field)
        series.append((week.label, float(raw or 0) * (100 if field == "unanswered_share" else 1)))
    return series
