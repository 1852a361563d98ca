"""The rasa-sdk action server: thin actions that call ``bot/`` and ``entitlements/``.

Nothing imports this package but the action server. Each module holds the
actions of one concern; the rules they follow live in ``bot/``.
"""
