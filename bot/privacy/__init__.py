"""Data protection: retention of transcripts, subject access, and erasure on request.

No Rasa import: the jobs work on the project's database only (Rasa's ``events``
table is declared in :mod:`bot.db.rasa_events`). See docs/data-protection.md.
"""
