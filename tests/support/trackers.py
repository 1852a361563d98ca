"""Readable fake trackers for testing actions with rasa-sdk's CollectingDispatcher."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def tracker_for(
    text: str,
    intent: str = "ask_entitlement",
    *,
    sender: str = "test-conversation",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    channel: str = "rest",
    ranking: list[str] | None = None,
) -> Tracker:
    """A tracker whose latest message is ``text``, classified as ``intent``.

    ``ranking`` lists the intents the model ranked next, best first.
    """
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": n, "confidence": 0.5} for n in [intent, *(ranking or [])]],
        "entities": entities or [],
    }
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest, "input_channel": channel},
    ]
    return Tracker(
        sender_id=sender,
        slots={"entitlement_id": None, **(slots or {})},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
