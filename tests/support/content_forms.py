"""What a browser posts from the entitlement editor, for tests that post it without one."""

from __future__ import annotations

from typing import Any

from bot.console import content_form as cf

SINGLE = (
    "id",
    "title",
    "summary",
    "details",
    "how_to_get",
    "legal_basis",
    "eligibility_explanation",
    "varies",
    "varies_note",
    "sources",
    "examples",
    "synonyms",
    "last_reviewed",
    "review_due",
    "note",
)


def as_form(values: dict[str, Any]) -> dict[str, list[str]]:
    """The posted fields for the editor's values (:func:`content_form.form_values`)."""
    form: dict[str, list[str]] = {key: [values[key]] for key in SINGLE}
    form["rule_rows"] = [str(len(values["rules"]))]
    for n, rule in enumerate(values["rules"], start=1):
        form[f"rule-{n}-statuses"] = list(rule["statuses"])
        form[f"rule-{n}-circumstances"] = list(rule["circumstances"])
        for part in ("min_age", "below_age", "note"):
            form[f"rule-{n}-{part}"] = [rule[part]]
    form["amount_rows"] = [str(len(values["amounts"]))]
    for n, amount in enumerate(values["amounts"], start=1):
        for part, value in amount.items():
            form[f"amount-{n}-{part}"] = [value]
    return form


def form_for(document: dict[str, Any], note: str = "") -> dict[str, list[str]]:
    """The posted fields for a document, as the editor would show and send it."""
    return as_form(cf.form_values(document, note))
