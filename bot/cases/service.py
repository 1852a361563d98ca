"""Pathway-plan cases: opened, acknowledged, answered, closed, and escalated when late.

States and the changes allowed (anything else raises :class:`TransitionError`)::

    open ──acknowledge──> acknowledged ──answer──> answered ──close──> closed
      │                                              ^          ^
      └──────────────────answer──────────────────────┘          │
    open, acknowledged ────────────────close────────────────────┘

    answered, closed ──reopen (with a reason, new due dates)──> open

A case not closed can be reassigned to another personal adviser of its district.

Answering an open case acknowledges it too. Every change updates the case's row
*and* appends a row to ``case_events`` in the same transaction, and is made by a
conditional update (``... WHERE status IN (allowed)``), so two people changing the
same case at once cannot both succeed from the same state: the second is told what
the case has become.

Due dates come from service levels in working days (:mod:`bot.cases.calendar`),
acknowledgement within 1 and an answer within 5 by default. A case is *overdue*
once ``now`` is past a due date it has not met. :func:`escalate_overdue` marks it
escalated to the district's team manager, once per due date.

Nothing here checks who may do what (an adviser's own caseload): that is for the
console, which knows who is logged in. Every time passed in must be aware.

This module is the case service's one door: every caller (the console's case pages, the
conversation, the oversight job and many tests) reaches it as ``service.<name>``, so it
gathers the public names of the modules that hold the code, one idea each:

- :mod:`bot.cases.lifecycle`: opening a case and moving it through its states, notes.
- :mod:`bot.cases.case_queries`: looking cases up.
- :mod:`bot.cases.lateness`: overdue cases and their escalation.
- :mod:`bot.cases.reassignment`: reassigning and reopening.
"""

from __future__ import annotations

from bot.cases.case_queries import case_history, case_status_for, get_case, responsible
from bot.cases.lateness import ACKNOWLEDGE, ANSWER, Escalation, Overdue, escalate_overdue, overdue
from bot.cases.lifecycle import (
    MAX_TEXT,
    MAX_WORDS,
    REFERENCE_OFFSET,
    REFERENCE_PREFIX,
    ServiceLevels,
    acknowledge,
    add_note,
    answer,
    close,
    open_case,
    reference_for,
)
from bot.cases.reassignment import (
    MAX_REASON,
    PERSONAL_ADVISER,
    Reassignment,
    advisers_for,
    reassign,
    reopen,
)

__all__ = [
    "ACKNOWLEDGE",
    "ANSWER",
    "MAX_REASON",
    "MAX_TEXT",
    "MAX_WORDS",
    "PERSONAL_ADVISER",
    "REFERENCE_OFFSET",
    "REFERENCE_PREFIX",
    "Escalation",
    "Overdue",
    "Reassignment",
    "ServiceLevels",
    "acknowledge",
    "add_note",
    "advisers_for",
    "answer",
    "case_history",
    "case_status_for",
    "close",
    "escalate_overdue",
    "get_case",
    "open_case",
    "overdue",
    "reassign",
    "reference_for",
    "reopen",
    "responsible",
]
