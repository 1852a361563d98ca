"""The staff console: a Sanic app for personal advisers, managers, content staff and admins.

:func:`bot.console.app.create_app` builds it; ``python -m bot.console`` runs it on
``CONSOLE_PORT`` (8080). This package's ``__init__`` imports nothing, so the tables
(:mod:`bot.store.tables.console`) can be registered without loading Sanic. See docs/console.md.
"""
