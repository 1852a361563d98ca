"""The components Rasa loads by name, each a thin adapter over plain modules.

From ``config.yml``: the sentence-vector featurizer and the safety net's intent check;
from ``endpoints.yml``: the tracker store and the lock store. Also how the Rasa server
handles a message (``handling``) and a fix to Rasa itself (``speedups``). The channels
(``bot/channels``) and ``bot/rasa_server.py`` import Rasa too; the domain packages never do.
"""
