"""The kinds of immediate risk the safety net knows, most urgent first.

Each kind has its own crisis reply (``data/replies.yml``) and is counted on its own in
``make bench`` and ``docs/safety.md``.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "suicide",
    "overdose",
    "medical_emergency",
    "self_harm",
    "harmed_or_threatened",
    "sexual_abuse",
    "criminal_exploitation",
    "nowhere_safe_tonight",
)

DESCRIPTIONS: dict[str, str] = {
    "suicide": "suicidal thoughts, plans or farewells",
    "overdose": "an overdose or poisoning, now or about to happen",
    "medical_emergency": "a medical emergency now (not an overdose)",
    "self_harm": "self-harm now, or urges now",
    "harmed_or_threatened": "being hurt or threatened now",
    "sexual_abuse": "sexual abuse or sexual exploitation",
    "criminal_exploitation": "criminal exploitation: county lines, forced to deal or carry",
    "nowhere_safe_tonight": "nowhere safe to sleep tonight",
}

# Kinds of risk that are also a question an entry of the knowledge base answers. After the
# channel has sent the crisis reply (and staff are being told), a message the patterns read
# as this kind of risk alone also gets that entry, once, with no "Did that help?": someone
# with nowhere to sleep tonight needs the council's duty to house them spelt out, not only
# a number. Never for a kind that is a risk to life. Reviewed with the crisis replies.
ANSWERED_BY_ENTRY: dict[str, str] = {
    "nowhere_safe_tonight": "homeless-tonight",
}
# The extractor named on the entity that asks for that entry: the answer action asks no
# "Did that help?" after a crisis reply.
ENTRY_EXTRACTOR = "SafetyNet"
