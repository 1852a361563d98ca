"""The Rasa server as make run starts it serves without TensorFlow (issue 18, item 3).

Its pipeline needs none: ``make train`` empties the model's training graph
(bot/served_model.py) and ``bot.rasa_server`` defers Rasa's training-only module
(bot/deferred_imports.py). Checked on the real processes, after real conversations.
"""

from __future__ import annotations

import psutil
import pytest
import requests

from tests.support.servers import RunningBot

pytestmark = pytest.mark.timeout(300)

MESSAGES = ("hello", "can I get money to set up my first flat", "more", "I want to talk to my PA")


def _mapped_files(pid: int) -> set[str]:
    process = psutil.Process(pid)
    found: set[str] = set()
    for each in [process, *process.children(recursive=True)]:
        found.update(m.path for m in each.memory_maps())
    return found


def test_the_rasa_server_answers_without_loading_tensorflow(bot: RunningBot) -> None:
    for text in MESSAGES:
        reply = requests.post(
            bot.rest_url, json={"sender": "runtime-check", "message": text}, timeout=30
        )
        assert reply.status_code == 200
        assert reply.json(), f"no answer to {text!r}"

    rasa = bot.group.processes["rasa"]
    assert "bot.rasa_server" in psutil.Process(rasa.pid).cmdline()
    files = _mapped_files(rasa.pid)
    assert any("numpy" in path for path in files)  # the check sees libraries at all
    assert not [path for path in files if "tensorflow" in path]
