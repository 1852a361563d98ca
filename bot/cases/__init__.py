"""Pathway-plan cases, handoffs to a personal adviser, safety alerts and their escalation.

The business rules only: no Rasa or Sanic import. Modules, one idea each:

- :mod:`bot.cases.calendar`: working days in England and office hours.
- :mod:`bot.cases.categories`: what a pathway-plan query is about, by keyword rules.
- :mod:`bot.store.tables.cases`: the tables (cases, handoffs, safety alerts, their histories).
- :mod:`bot.cases.model`: the records the service hands back, and its errors.
- :mod:`bot.cases.service`: the case service's one door, gathering the four below.
- :mod:`bot.cases.lifecycle`: opening, acknowledging, answering and closing cases.
- :mod:`bot.cases.case_queries`: looking cases up.
- :mod:`bot.cases.lateness`: overdue cases and their escalation.
- :mod:`bot.cases.reassignment`: reassigning and reopening cases.
- :mod:`bot.cases.alerts`: safety alerts: raised, acknowledged, escalated.
- :mod:`bot.cases.handoffs`: a conversation handed to a person, and back.
- :mod:`bot.cases.history`: the append-only histories (who, what, when).
- :mod:`bot.cases.staff`: who things go to (PA, duty workers, team manager).
- :mod:`bot.cases.oversight`: late cases and unacknowledged alerts to the team manager
  (a job of the scheduler, :mod:`bot.jobs`).

See ``docs/cases.md``.
"""
