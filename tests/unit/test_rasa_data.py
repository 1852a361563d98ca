"""Rasa's training data and domain: what `rasa data validate` checks, with no warning let by.

The only warnings allowed are "utterance ... is not used in any story or rule" for
responses that an action sends (Rasa cannot see inside actions) or that Rasa sends
itself (utter_default).
"""

from __future__ import annotations

import re
import warnings

import pytest
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.validator import Validator

from bot.settings import PROJECT_ROOT

SENT_BY_RASA = {"utter_default"}


@pytest.fixture(scope="module")
def validation():
    importer = TrainingDataImporter.load_from_config(
        config_path=str(PROJECT_ROOT / "config.yml"),
        domain_path=str(PROJECT_ROOT / "domain.yml"),
        training_data_paths=[str(PROJECT_ROOT / "data")],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validator = Validator.from_importer(importer)
        results = {
            "intents": validator.verify_intents_in_stories(ignore_warnings=False),
            "utterances": validator.verify_utterances_in_stories(ignore_warnings=False),
            "domain": validator.verify_domain_validity(),
            "duplicates": validator.verify_example_repetition_in_intents(ignore_warnings=False),
            "rules": validator.verify_story_structure(ignore_warnings=False),
            "slots": validator.verify_slot_mappings(),
            "forms": validator.verify_forms_in_stories_rules(),
        }
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return results, messages


def _responses_sent_by_code() -> set[str]:
    found: set[str] = set()
    for folder in ("actions", "bot"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            found.update(re.findall(r"\"(utter_[a-z_]+)\"", path.read_text()))
    return found


def test_training_data_and_domain_are_valid(validation):
    results, _ = validation
    assert all(results.values()), results


def test_no_warnings_except_responses_sent_by_actions(validation):
    _, messages = validation
    allowed = _responses_sent_by_code() | SENT_BY_RASA
    unexpected = []
    for message in messages:
        unused = re.match(r"The utterance '(utter_\w+)' is not used in any story or rule", message)
        if unused and unused.group(1) in allowed:
            continue
        if "auto-fill" in message:  # Rasa 3.6 warns this for every custom slot mapping
            continue
        unexpected.append(message)
    assert unexpected == []


def test_every_response_an_action_sends_is_in_the_domain():
    import yaml

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    assert _responses_sent_by_code() <= set(domain["responses"])


def test_unsure_replies_match_the_chitchat_rules():
    """A message the model is unsure of gets what the rules give its best-guess intent."""
    import yaml

    from bot.answering import GUESS_RESPONSES

    rules = yaml.safe_load((PROJECT_ROOT / "data" / "rules" / "chitchat.yml").read_text())["rules"]
    by_intent = {rule["steps"][0]["intent"]: rule["steps"][1]["action"] for rule in rules}
    # Out of scope: the action answers a strong match, as for an unsure message, and
    # otherwise says the refusal.
    from actions.entitlement_actions import OUT_OF_SCOPE_RESPONSE

    guesses = dict(GUESS_RESPONSES)
    assert by_intent.pop("out_of_scope") == "action_out_of_scope"
    assert guesses.pop("out_of_scope") == OUT_OF_SCOPE_RESPONSE
    assert by_intent == guesses
