"""The safety net: finds messages that show immediate risk, by patterns and by meaning.

The patterns (:mod:`bot.safety.detector`, data under ``data/lexicon``) and a semantic
layer over sentence vectors (:mod:`bot.safety.semantic`) decide together.
"""
