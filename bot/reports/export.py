"""The weekly report as CSV (for spreadsheets) and as a PDF that prints on A4.

Both are made from :mod:`bot.reports.presentation`, like the console page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from bot.reports.charts import line_chart
from bot.reports.figures import COUNCIL, Figures
from bot.reports.presentation import TRENDS, report_rows, scopes_of, trend_series
from bot.reports.weekly import WeeklyReport

CSV_COLUMNS = ("week", "scope", "section", "figure", "this_week", "previous_week", "change")

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (young people's words are in some)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def scope_name(scope: str) -> str:
    """How a scope is written: "Whole council" or the district's name."""
    return "Whole council" if scope == COUNCIL else scope


def week_words(report: WeeklyReport) -> str:
    """E.g. ``Week 2027-W19: Monday 10 May to Sunday 16 May 2027``."""
    start, end = report.week.monday, report.week.sunday
    return (
        f"Week {report.week.label}: {start:%A} {start.day} {start:%B} "
        f"to {end:%A} {end.day} {end:%B %Y}"
    )


def extra_rows(
    report: WeeklyReport, scope: str, titles: Mapping[str, str]
) -> list[tuple[str, str, str, str]]:
    """Questions per entitlement and the top unanswered questions: (section, name, now, before)."""
    now, before = report.figures[scope], report.previous[scope]
    rows = []
    for entitlement_id in sorted(
        set(now.questions_by_entitlement) | set(before.questions_by_entitlement),
        key=lambda key: (-now.questions_by_entitlement.get(key, 0), key),
    ):
        rows.append(
            (
                "Questions per entitlement",
                titles.get(entitlement_id, entitlement_id),
                str(now.questions_by_entitlement.get(entitlement_id, 0)),
                str(before.questions_by_entitlement.get(entitlement_id, 0)),
            )
        )
    for text, count in now.top_unanswered:
        rows.append(("Most asked questions the bot could not answer", text, str(count), ""))
    rows += helpfulness_rows(report, scope, titles)
    return rows


def _helped(figures: Figures, entitlement_id: str) -> str:
    yes = figures.helped_by_entitlement.get(entitlement_id, 0)
    no = figures.not_helped_by_entitlement.get(entitlement_id, 0)
    return f"{yes} yes, {no} no"


HELPFULNESS = "Did that help? Per entitlement"


def helpfulness_rows(
    report: WeeklyReport, scope: str, titles: Mapping[str, str]
) -> list[tuple[str, str, str, str]]:
    """Young people's "Did that help?" per entitlement: (section, title, now, before)."""
    now, before = report.figures[scope], report.previous[scope]
    ids = (
        set(now.helped_by_entitlement)
        | set(now.not_helped_by_entitlement)
        | set(before.helped_by_entitlement)
        | set(before.not_helped_by_entitlement)
    )
    return [
        (HELPFULNESS, titles.get(key, key), _helped(now, key), _helped(before, key))
        for key in sorted(ids, key=lambda key: titles.get(key, key))
    ]


def report_csv(report: WeeklyReport, titles: Mapping[str, str]) -> str:
    """Every scope's figures, one per line, in :data:`CSV_COLUMNS`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for scope in scopes_of(report):
        for row in report_rows(report, scope):
            writer.writerow(
                [
                    report.week.label,
                    scope_name(scope),
                    row.section,
                    row.label,
                    row.this_week,
                    row.previous_week,
                    row.change,
                ]
            )
        for section, name, now, before in extra_rows(report, scope, titles):
            writer.writerow(
                [report.week.label, scope_name(scope), section, safe_cell(name), now, before, ""]
            )
    return out.getvalue()


def report_pdf(report: WeeklyReport, titles: Mapping[str, str], council_name: str) -> bytes:
    """The report on A4: the figures for each scope, the lists, and the 12-week charts."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )
    from reportlab.platypus.flowables import PageBreak

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    title = f"{council_name}: leaving care weekly report"
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title,
        author=council_name,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
        ]
    )
    cell = styles["BodyText"].clone("cell", fontSize=9, leading=11)

    def para(text: str) -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), cell)

    story: list[Any] = [
        Paragraph(para(title).text, styles["Title"]),
        Paragraph(week_words(report), styles["Heading2"]),
        Paragraph(
            "Final: these figures will not change."
            if report.final
            else "This week has not ended: the figures are so far.",
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
    ]
    for index, scope in enumerate(scopes_of(report)):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(scope_name(scope), styles["Heading2"]))
        data = [["Section", "Figure", "This week", "Week before", "Change"]]
        data += [
            [para(r.section), para(r.label), r.this_week, r.previous_week, r.change]
            for r in report_rows(report, scope)
        ]
        widths = [34 * mm, 72 * mm, 20 * mm, 22 * mm, 24 * mm]
        story.append(Table(data, colWidths=widths, repeatRows=1, style=grid))
        extras = extra_rows(report, scope, titles)
        if extras:
            story.append(Spacer(1, 4 * mm))
            data = [["Section", "Entitlement or question", "This week", "Week before"]]
            data += [[para(s), para(n), now, before] for s, n, now, before in extras]
            widths = [48 * mm, 80 * mm, 20 * mm, 24 * mm]
            story.append(Table(data, colWidths=widths, repeatRows=1, style=grid))
    story.append(PageBreak())
    story.append(Paragraph("The last 12 weeks (whole council)", styles["Heading2"]))
    for field, label in TRENDS:
        picture = line_chart(label, trend_series(report, field), fmt="png")
        story.append(KeepTogether([Image(io.BytesIO(picture), width=170 * mm, height=69 * mm)]))
    document.build(story)
    return out.getvalue()
