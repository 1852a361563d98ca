"""The service's scheduled jobs, in one place: what runs, when, and how much at a time.

- :mod:`bot.jobs.registry`: every job declared once (name, schedule, bounded work per
  round, what it logs): the oversight of late cases and alerts, packs and nudges, the
  weekly report, retention, and the SMS sender's loop.
- :mod:`bot.jobs.scheduler`: the runner: a round of every job every
  ``CASE_SCHEDULER_SECONDS``, the loops beside it, and the process
  (``python -m bot.jobs``, started by ``make run``).

The jobs' logic stays with the package it belongs to (:mod:`bot.cases.oversight`,
:mod:`bot.packs.offers`, :mod:`bot.reports.weekly`, :mod:`bot.privacy.retention`,
:mod:`bot.notify.sms`). See "Scheduled jobs" in ``docs/jobs.md`` to add one.
"""
