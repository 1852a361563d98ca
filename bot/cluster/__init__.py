"""``make cluster``: several Rasa and action servers behind nginx, on PostgreSQL and Redis.

See :mod:`bot.cluster.layout` for the layout and docs/cluster.md for how it maps onto
several machines.
"""
