"""The project's database: the engine factory, the migrations and Rasa's events table.

The tables themselves are defined by area in :mod:`bot.store.tables`.
"""
