"""Every table of the project's own, one module per area, on one ``MetaData``.

All are on :data:`bot.store.metadata.metadata`.
Importing any of them imports this package, which registers them all, so foreign keys
between areas always resolve. Import a table from its area module:
``from bot.store.tables.cases import cases``.

- :mod:`bot.store.tables.cases`: cases, case_events, handoffs, handoff_events,
  safety_alerts, safety_alert_events
- :mod:`bot.store.tables.console`: staff_accounts, console_sessions, login_failures, audit_log
- :mod:`bot.store.tables.limits`: address_counts
- :mod:`bot.store.tables.notify`: sms_outbound, sms_opt_outs, sms_delivery_reports
- :mod:`bot.store.tables.packs`: packs, nudges, job_runs
- :mod:`bot.store.tables.people`: staff, care_leavers, conversation_identities,
  link_codes, identity_checks
- :mod:`bot.store.tables.quality`: qa_draws, qa_samples, qa_reviews, qa_flags, answer_feedback
- :mod:`bot.store.tables.records`: unanswered_questions
- :mod:`bot.store.tables.reports`: answer_log, weekly_reports
- :mod:`bot.store.tables.safety`: safety_events, safety_marks, safety_phrases
- :mod:`bot.store.tables.sms`: sms_inbound, sms_contacts
- :mod:`bot.store.tables.web`: web_chat_messages
"""

from __future__ import annotations

from bot.store.tables import (  # noqa: F401  (each registers its tables)
    cases,
    console,
    limits,
    notify,
    packs,
    people,
    quality,
    records,
    reports,
    safety,
    sms,
    web,
)
