"""Small extensions that run inside the Rasa server: an NLU component and a tracker store.

They are the only code in ``bot/`` that imports Rasa; each is a thin adapter over
rules kept in plain modules (``bot/safety``, ``bot/settings``).
"""
