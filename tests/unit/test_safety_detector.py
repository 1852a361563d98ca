"""Unit tests for the rule-based safety detector (bot.safety.detector)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety.detector import (
    CATEGORIES,
    RULE_NAMES,
    RiskAssessment,
    assess,
    normalise,
)

# ---------------------------------------------------------------------------
# Positives: (message, category that must be among the categories)
# ---------------------------------------------------------------------------

SUICIDE = [
    "i want to die",
    "i just want to die tbh",
    "want to end it all",
    "im gonna end it tonight",
    "i dont want to be here anymore",
    "dont wanna be alive no more",
    "i wish i wasnt alive",
    "wish i was dead",
    "honestly everyone would be better off without me",
    "my family would be better off if i was gone",
    "i'd rather be dead",
    "better off dead tbh",
    "ive got the rope",
    "i have written my goodbye letters",
    "im on the bridge",
    "standing on the edge of the multi storey",
    "i cant go on like this",
    "i cant do this anymore",
    "i cant cope anymore",
    "there is no point in living",
    "whats the point of being alive",
    "nothing left to live for",
    "i'm thinking about killing myself",
    "thinking of ending my life",
    "i'm planning to take my own life",
    "feeling really suicidal tonight",
    "i keep having suicidal thoughts",
    "i'll kill myself",
    "should i just kill myself",
    "how many paracetamol would kill me",
    "no one would care if i died",
    "i want to go to sleep and never wake up",
    "i'm going to jump off the bridge",
    "gonna throw myself in front of a train",
    "i wont be here tomorrow",
    "this is my last message",
    "life isnt worth living",
    "im tired of living",
    "i want to unalive myself",
]

SELF_HARM = [
    "the iron is hot and im gonna hold my arm on it",
    "i cut myself",
    "i've been cutting myself again",
    "i keep burning myself with a lighter",
    "burning myself helps",
    "i want to hurt myself",
    "i just cut my arms",
    "i started self harming again",
    "the urge to self harm is so bad tonight",
    "i relapsed on sh",
    "i need to cut",
    "i've got a razor blade and im in the bathroom",
    "i keep punching myself",
    "i'm starving myself",
    "i keep banging my head against the wall",
]

OVERDOSE = [
    "OD'd on purpose",
    "overdosed. feel really sick now",
    "took them on purpose",
    "i took 30 paracetamol",
    "ive taken a whole box of tablets",
    "i necked a packet of pills",
    "swallowed all my meds",
    "i've taken an overdose",
    "i think i overdosed",
    "im gonna take all my tablets tonight",
    "i want to overdose",
    "i've been saving up my pills",
    "i drank bleach",
    "my friend took loads of pills and is being sick",
    "took too much ket and feel really weird",
    "i od'd",
]

HARMED = [
    "dad just battered me",
    "stepdad hit me again tonight",
    "my boyfriend hit me",
    "he keeps hitting me",
    "my dad is beating me",
    "he strangled me last night",
    "she punched me in the face",
    "he said he will kill me",
    "they threatened to stab me",
    "he's got a knife",
    "im scared he'll come back",
    "there is a man outside my door",
    "they took my phone and wont let me leave",
    "my stepdad keeps hurting me",
    "i got jumped on the way home",
    "i've been raped",
    "someone is following me",
    "i'm scared for my life",
    "he's trying to break the door down",
]

NOWHERE = [
    "just got out of custody today and theres nowhere for me to go",
    "my placement ended today and nobody sorted anywhere for me to live",
    "my flat flooded and i cant stay there tonight",
    "the refuge has no space for me tonight",
    "im on a bench in the park its freezing",
    "its 1am and im outside my old foster carers house they wont answer",
    "my mum kicked me out an hour ago and its pitch black",
    "theres no room at the hostel and its snowing",
    "no sofa to crash on tonight",
    "locked out, landlord not answering, its midnight",
    "sleeping in my car for the night again, no heat",
    "in the van again tonight, nowhere else",
    "got kicked out and its 10pm",
    "sitting in mcdonalds all night cos i got nowhere else",
    "my mates wont let me stay anymore and its late",
    "hostel is full and they turned me away",
    "is there anywhere i can stay tonight",
    "sofa surfing but tonight ive run out of sofas",
    "staying at the bus station tonight",
    "im homeless and its raining",
    "its 2am and im walking the streets",
    "boyfriend threw me out with my bags",
    "i have nowhere to sleep tonight",
    "nowhere to stay",
    "nowhere 2 sleep 2nite",
    "im sleeping rough tonight",
    "i'm sleeping in a park",
    "my foster carer kicked me out and i have nowhere to go",
    "locked out and its freezing nowhere to go tonight",
    "sofa surfing but tonight got nowhere",
    "im not safe at home",
    "i dont feel safe at home",
    "i'm scared to go home",
    "where can i sleep tonight",
    "my landlord changed the locks",
    "need somewhere to stay tonight",
]

CRIMINAL_EXPLOITATION = [
    "they made me sell drugs",
    "they make me carry packages for them",
    "i'm doing county lines",
    "i owe them money and they said they will hurt me",
    "they are using my flat to deal from",
    "they took my passport and wont give it back",
]

SEXUAL_ABUSE = [
    "older men make me have sex with them",
    "he's threatening to post my nudes",
    "i think im being groomed",
    "he wants sex for rent",
]

MEDICAL = [
    "i cant breathe",
    "my friend is unconscious",
    "she wont wake up",
    "he's not breathing",
    "my mum collapsed",
    "he's having a seizure",
    "im bleeding loads",
    "it wont stop bleeding",
    "i have chest pain",
    "my throat is closing up",
    "i think he's having a heart attack",
    "my baby isnt breathing",
    "do i need an ambulance",
]

# Messages worded differently from the rule patterns, to check the rules
# generalise: (message, category).
GENERALISATION = [
    ("i just want it all to stop", "suicide"),
    ("i feel like ending it", "suicide"),
    ("honestly dont see the point anymore", "suicide"),
    ("not sure i want to live anymore", "suicide"),
    ("i feel like a burden and everyone would be happier without me", "suicide"),
    ("i've had enough of life", "suicide"),
    ("pls help im scared ill do something stupid tonight", "suicide"),
    ("im sat on the bridge rn", "suicide"),
    ("i keep thinking about jumping in front of a train", "suicide"),
    ("i dont want to kill myself but i think about it a lot", "suicide"),
    ("ppl would be better off if i was dead", "suicide"),
    # Indirect kinds named in issue 14 (not messages of any evaluation set).
    ("ive said my goodbyes", "suicide"),
    ("nobody will have to deal with me after tonight", "suicide"),
    ("honestly everyone would be better off if i wasnt around", "suicide"),
    ("i scratch myself till i bleed", "self_harm"),
    ("i used to cut and ive started again", "self_harm"),
    ("i want to cut so bad", "self_harm"),
    ("sorry to bother u but ive took a load of my sertraline an i feel sick", "overdose"),
    ("just swallowed everything in my medicine cabinet", "overdose"),
    ("i have 40 tablets in front of me", "overdose"),
    ("my fella just lamped me and im bleeding from my head", "harmed_or_threatened"),
    ("my boyfriend threw a glass at me", "harmed_or_threatened"),
    ("some lads are outside my door threatening me", "harmed_or_threatened"),
    ("my boyfriend takes all my money and wont let me see my friends", "harmed_or_threatened"),
    ("hes coming back and i cant go home", "harmed_or_threatened"),
    ("my drink was spiked i feel really weird", "harmed_or_threatened"),
    ("got nowhere to kip tonight can u help", "nowhere_safe_tonight"),
    ("been kicked out by my nan tonight nowhere to go", "nowhere_safe_tonight"),
    ("i been sleeping in a stairwell", "nowhere_safe_tonight"),
    ("theyve been making me sell weed out my flat and say i owe them", "criminal_exploitation"),
    ("the olders make me run lines", "criminal_exploitation"),
    ("i have to sleep with him so i have somewhere to stay", "sexual_abuse"),
    ("a 30 year old man wants me to meet him and keeps asking for pics", "sexual_abuse"),
    ("the landlord says i can pay in other ways", "sexual_abuse"),
    ("im being made to work and they keep my passport", "criminal_exploitation"),
    ("my mate collapsed and isnt breathing properly", "medical_emergency"),
    ("the baby has gone blue", "medical_emergency"),
    ("she is fitting", "medical_emergency"),
]

POSITIVES = (
    [(m, "suicide") for m in SUICIDE]
    + [(m, "self_harm") for m in SELF_HARM]
    + [(m, "overdose") for m in OVERDOSE]
    + [(m, "harmed_or_threatened") for m in HARMED if "wont let me leave" not in m]
    + [(m, "nowhere_safe_tonight") for m in NOWHERE]
    + [(m, "criminal_exploitation") for m in CRIMINAL_EXPLOITATION]
    + [(m, "sexual_abuse") for m in SEXUAL_ABUSE]
    + [(m, "medical_emergency") for m in MEDICAL]
    + GENERALISATION
    + [
        ("they took my phone and wont let me leave", "harmed_or_threatened"),
        ("they took my phone and wont let me leave", "criminal_exploitation"),
    ]
)


@pytest.mark.parametrize(("message", "category"), POSITIVES)
def test_positive(message: str, category: str) -> None:
    result = assess(message)
    assert result.at_risk, message
    assert category in result.categories, (message, result.categories)
    assert result.figure_of_speech is False


def test_enough_positive_examples() -> None:
    assert len(POSITIVES) >= 80
    assert {category for _, category in POSITIVES} == set(CATEGORIES)


# ---------------------------------------------------------------------------
# Negatives
# ---------------------------------------------------------------------------

# Figures of speech, jokes, games and films: not at risk, flagged as figurative.
FIGURATIVE = [
    "my carer shot me a dirty look when i asked",
    "he shot me a quick text to say hes running late",
    "this form is killing me",
    "the wait is killing me",
    "this queue is killing me lol",
    "my feet are killing me",
    "these shoes are killing me",
    "the suspense is killing me",
    "this heat is killing me",
    "my exam is killing me",
    "im dying to know what the council said",
    "dying for a wee",
    "i was dying of laughter",
    "i could kill for a pizza",
    "i could murder a kebab",
    "my phone is dead",
    "my battery is dying",
    "phone on 2% gonna die",
    "that was dead funny",
    "im dead tired",
    "sick of waiting for my pa",
    "im starving",
    "just killing time",
    "bored to death in college",
    "i died laughing",
    "kms lol",
    "omg kms lmao",
    "kys",
    "in the game i kill myself to respawn",
    "in that film the girl wants to die",
    "the song is about wanting to die",
    "i used to self harm",
    "i took an overdose years ago",
    "my friend took an overdose last year",
    "when i was 15 i tried to kill myself",
    "he used to hit me when i was little",
    "i slept rough last year",
    "my mum is going to kill me",
    "you nearly gave me a heart attack",
    "i cant breathe im laughing so much",
    "i overdosed on chocolate at christmas",
    "i thought i was going to die on that rollercoaster",
    "she hit me up yesterday",
    "reality hit me",
    "my mate beat me at fifa",
    "im dying my hair pink",
]

# Third-party information requests, negations and ordinary questions:
# not at risk and not figurative.
ORDINARY = [
    "whats the samaritans number",
    "how do i help a friend who self harms",
    "my friend is suicidal what should i do",
    "what is self harm",
    "is there support for people who self harm",
    "i dont want to die",
    "i'm not suicidal, just stressed",
    "i would never kill myself",
    "how much is the setting up home allowance",
    "can i get help with council tax",
    "what is the leaving care grant",
    "can i stay with my foster carers after 18",
    "how do i get my care records",
    "i need a new passport",
    "how do i apply for universal credit",
    "i've got nowhere to live next month when my tenancy ends",
    "if i get evicted will i have nowhere to go",
    "can you help me find somewhere to live",
    "i'm homeless and on the council waiting list",
    "i took my tablets this morning",
    "i take 2 paracetamol for my headaches",
    "i cut my hair",
    "i burnt myself on the oven",
    "i cut myself shaving",
    "i hurt myself playing football",
    "what is county lines",
    "how do i get a bus pass",
    "my pa said he will find me a flat",
    "i want to end it with my boyfriend",
    "i dont want to live with my mum",
    "i dont want to wake up early tomorrow",
    "i got kicked out of college",
    "i'm getting nowhere with my uc claim",
    "what counts as an overdose",
    "nowhere to go for christmas",
    "what happens if i have nowhere to sleep",
]


@pytest.mark.parametrize("message", FIGURATIVE)
def test_figurative_not_at_risk(message: str) -> None:
    result = assess(message)
    assert not result.at_risk, (message, result)
    assert result.categories == ()
    assert result.figure_of_speech, (message, result)


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_not_at_risk(message: str) -> None:
    result = assess(message)
    assert not result.at_risk, (message, result)
    assert result.categories == ()
    assert result.figure_of_speech is False, (message, result)


# Further messages that must not raise the alarm (the figurative flag may go
# either way for these).
NOT_AT_RISK = [
    "this assignment is going to kill me",
    "i'm going to kill my brother he ate my chips",
    "she's got a knife and fork",
    "i want to cut my hours at work",
    "i cant breathe through my nose with this cold lol",
    "i want out of this contract",
    "im going to jump in the shower",
    "the council threatened me with eviction",
    "my nose is bleeding a bit",
    "what if my foster carers kick me out when i turn 18",
    "how do i get emergency accommodation",
    "is it illegal for my landlord to change the locks",
    "my mate is outside waiting for me",
    "my taxi is outside my house",
    "i'm cutting ties with my family",
    "they cut my benefits",
    "i wish i could start again",
    "i give up on this form",
    "i've had enough of this council",
    "whats the point of a pathway plan",
    "i dont want to be here, this hostel is awful",
    "i cant go on the trip",
    "i cant take it back to the shop",
    "they beat us 3-0",
    "im scared my pa will be angry",
    "im on the street where my nan lives",
    "i got jumped last year and still feel anxious",
    "i want to end my contract with my phone company",
    "i need to take my life back after care",
    "i dont feel safe using my bank card online",
    "i took 3 paracetamol for my period pain",
    "i nearly killed myself laughing",
    "i cut my hours and started again at a new job",
    "i have got nowhere with the council",
    "i am so tired i could sleep for a week",
    "my hamster died today and im sad",
    "im scared of the dark",
    "i've been prescribed sertraline",
    "i am safe now thanks",
    "i'm not homeless anymore",
]


@pytest.mark.parametrize("message", NOT_AT_RISK)
def test_not_at_risk(message: str) -> None:
    result = assess(message)
    assert not result.at_risk, (message, result)
    assert result.categories == ()


def test_enough_negative_examples() -> None:
    assert len(FIGURATIVE) + len(ORDINARY) + len(NOT_AT_RISK) >= 60
    assert len(FIGURATIVE) + len(ORDINARY) >= 60


# ---------------------------------------------------------------------------
# Mixed messages: a current risk statement beats a figure of speech
# ---------------------------------------------------------------------------

MIXED = [
    ("this form is killing me and honestly i want to die", ("suicide",)),
    ("lol this queue is killing me. i took 20 paracetamol", ("overdose",)),
    ("my phone is dead and im sleeping rough tonight", ("nowhere_safe_tonight",)),
    ("i used to self harm but ive started cutting again", ("self_harm",)),
    ("i was homeless last year, now i have nowhere to sleep tonight", ("nowhere_safe_tonight",)),
    ("my bf hit me and i want to kill myself", ("harmed_or_threatened", "suicide")),
    ("dying to know about my grant but he keeps hitting me", ("harmed_or_threatened",)),
    ("watched a film earlier and now i want to die", ("suicide",)),
]


@pytest.mark.parametrize(("message", "expected"), MIXED)
def test_mixed(message: str, expected: tuple[str, ...]) -> None:
    result = assess(message)
    assert result.at_risk, message
    assert result.figure_of_speech is False
    for category in expected:
        assert category in result.categories, (message, result.categories)


def test_categories_in_order_of_first_match() -> None:
    result = assess("he hit me again and i want to kill myself")
    assert result.categories[:2] == ("harmed_or_threatened", "suicide")
    result = assess("i want to kill myself because he hit me")
    assert result.categories[:2] == ("suicide", "harmed_or_threatened")


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I WANT TO DIE", "i want to die"),
        ("I\u2019m done", "i am done"),
        ("don\u2019t", "dont"),
        ("don't", "dont"),
        ("pleeeease", "please"),
        ("kiiiill myseeelf", "kill myself"),
        ("sooo tired", "so tired"),
        ("\u00e9t\u00e9 caf\u00e9", "ete cafe"),
        ("u r gr8", "you are gr8"),
        ("im gonna", "i am going to"),
        ("wanna die 2nite", "want to die tonight"),
        ("cnt cope", "cant cope"),
        ("ive got nowhere rn", "i have got nowhere right now"),
        ("kill my self", "kill myself"),
        ("no where 2 go", "nowhere to go"),
        ("k1ll mys3lf", "kill myself"),
        ("sucidal", "suicidal"),
        ("suicde", "suicide"),
        ("ill kill myself", "i will kill myself"),
        ("i feel ill", "i feel ill"),
        ("hello.   world!!", "hello . world ."),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "message",
    [
        "I WANT TO DIE",
        "i don\u2019t want to be here anymore",
        "I\u2019ll kill myself",
        "i wnt 2 die",
        "wanna dieeee",
        "kiiiilll myself",
        "im gonna kms 2nite",
        "feelin suicidal rn",
        "i feel sucidal",
        "\u00ceM G\u00d6NNA END \u00ceT ALL",
        "i took 20 paracetemol",
        "he\u2019s got a knife!!!",
        "nowhere 2 sleep tonite",
        "cnt go on ne more",
        "i want to d*e",
        "im gonna k!ll myself",
        "i wanna unalive myself",
        "thinking bout sewerslide",
    ],
)
def test_normalisation_variants_detected(message: str) -> None:
    assert assess(message).at_risk, message


def test_explicit_statement_with_lol_is_still_risk() -> None:
    # Only slang forms ("kms lol", "im dying lol") are read as jokes; an
    # explicit "i want to die" is not explained away by a laughing emoji.
    assert assess("i want to die lol").at_risk
    assert assess("i want to die \U0001f602").at_risk
    assert not assess("im dying lol").at_risk


def test_urgent_third_party_is_risk() -> None:
    assert "overdose" in assess("my mate has taken an overdose and wont wake up").categories
    assert "medical_emergency" in assess("my friend has stopped breathing").categories


def test_past_framing_wins_unless_it_is_happening_again() -> None:
    assert not assess("i tried to kill myself last year").at_risk
    assert assess("i tried to kill myself last year and im thinking about it again").at_risk


def test_kys_insult_is_not_self_risk() -> None:
    result = assess("go kys")
    assert not result.at_risk
    assert result.figure_of_speech


def test_kys_self_directed_is_risk() -> None:
    assert assess("i want to kys").at_risk


def test_negated_is_not_figurative() -> None:
    result = assess("im not going to kill myself")
    assert not result.at_risk
    assert not result.figure_of_speech
    assert "ctx.negated" in result.rules


# ---------------------------------------------------------------------------
# Output shape, privacy and robustness
# ---------------------------------------------------------------------------


def test_rules_never_contain_message_text() -> None:
    secret = "zebraquokka"
    messages = [
        f"{secret} i want to die {secret}",
        f"my name is {secret} and he hit me",
        f"this {secret} is killing me",
        f"{secret} kms lol",
    ]
    for message in messages:
        result = assess(message)
        for name in result.rules:
            assert secret not in name
            assert name in RULE_NAMES


def test_rule_names_are_static_identifiers() -> None:
    for name in RULE_NAMES:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", name), name


def test_result_is_frozen() -> None:
    result = assess("hello")
    with pytest.raises(AttributeError):
        result.at_risk = True  # type: ignore[misc]


def test_empty_and_whitespace() -> None:
    for message in ["", "   ", "\n\n", "...", "\U0001f602"]:
        result = assess(message)
        assert result == RiskAssessment(False, (), False, ())


def test_risk_at_the_end_of_the_longest_message_is_found() -> None:
    # Its speed is measured by `make bench` (scripts/bench.py), not asserted here: a timed
    # assertion fails on a busy machine.
    filler = "can i get help with council tax and the bursary please " * 30
    message = (filler + " i want to die")[-1600:]
    assert assess(message).at_risk


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_property_never_raises(text: str) -> None:
    result = assess(text)
    assert isinstance(result, RiskAssessment)
    assert isinstance(result.at_risk, bool)
    assert isinstance(result.figure_of_speech, bool)
    if result.at_risk:
        assert result.categories
        assert not result.figure_of_speech
    else:
        assert result.categories == ()
    assert all(category in CATEGORIES for category in result.categories)
    assert len(set(result.categories)) == len(result.categories)
    assert all(name in RULE_NAMES for name in result.rules)


_SOUP = (
    "i im he she want to die kill myself end it all cut pills took 20 tonight nowhere "
    "sleep lol killing me phone dead not dont never game film used years ago my friend "
    "hit me knife scared bleeding breathe , . ! ? \u2019 u ur 2nite kms kys"
)
_WORDS = st.sampled_from(_SOUP.split())


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=60).map(" ".join))
def test_property_word_soup(text: str) -> None:
    result = assess(text)
    assert result.at_risk == bool(result.categories)
    assert not (result.at_risk and result.figure_of_speech)
    assert all(name in RULE_NAMES for name in result.rules)


# ---------------------------------------------------------------------------
# mentions_risk: the wide net that gates the trained model's crisis calls
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "overdraft fees are doing me in this month",
        "social services messed up my move and i want someone to hold them to account",
        "how much is the setting up home allowance",
        "this form is killing me",
        "been feeling low for months, im not in danger or anything, who can i talk to",
    ],
)
def test_no_danger_words_means_no_mention_of_risk(text: str) -> None:
    assert not assess(text).mentions_risk


@pytest.mark.parametrize(
    "text",
    ["im scared to go back there", "i dont feel safe", "no point anymore", "he hit me again"],
)
def test_danger_words_are_a_mention_of_risk(text: str) -> None:
    assert assess(text).mentions_risk


@given(st.text(max_size=300))
def test_at_risk_always_mentions_risk(text: str) -> None:
    result = assess(text)
    assert not result.at_risk or result.mentions_risk


# ---------------------------------------------------------------------------
# Indirect wording: rule families for risk said without the usual words
# ---------------------------------------------------------------------------

# (family, message, category). Several phrasings per family, so that a family
# is tested as a family and not as one sentence.
INDIRECT = [
    # Suicide: a plan with a time.
    ("plan_time", "tonight is the night", "suicide"),
    ("plan_time", "tonights the night. sorry for everything", "suicide"),
    ("plan_time", "doing it tonight when everyone is asleep", "suicide"),
    ("plan_time", "im gonna do it when every1s in bed", "suicide"),
    ("plan_time", "going to do it once my flatmates are asleep", "suicide"),
    ("plan_time", "ive decided", "suicide"),
    ("plan_time", "ok. ive made my decision", "suicide"),
    ("plan_time", "its happening tonight", "suicide"),
    ("plan_time", "its happening 2nite", "suicide"),
    ("plan_time", "it will all be over tonight", "suicide"),
    ("plan_time", "ive made my mind up, tonight im going to do it", "suicide"),
    # Suicide: not needing things any more.
    ("no_need", "i wont need it after tonight", "suicide"),
    ("no_need", "wont be needing my bus pass", "suicide"),
    ("no_need", "u can have my trainers i wont be needing them anymore", "suicide"),
    ("no_need", "wont need my coat after tonight", "suicide"),
    ("no_need", "i wont be needing any of my stuff", "suicide"),
    # Suicide: goodbyes and arrangements.
    ("goodbye", "wrote letters for everyone", "suicide"),
    ("goodbye", "ive written letters to my brother and my nan", "suicide"),
    ("goodbye", "left notes for my mum and my little sister", "suicide"),
    ("goodbye", "they'll find them in the morning", "suicide"),
    ("goodbye", "staff will find me in the morning", "suicide"),
    ("goodbye", "just wanted to say bye before i go", "suicide"),
    ("goodbye", "wanted to say thank you for everything before i go", "suicide"),
    ("goodbye", "gave my stuff away so they have something of mine after im gone", "suicide"),
    ("goodbye", "gave all my stuff away today", "suicide"),
    ("goodbye", "when im gone my cousin can have my ps5", "suicide"),
    ("goodbye", "sorting out who gets my things", "suicide"),
    ("goodbye", "ive sorted who gets my stuff", "suicide"),
    ("goodbye", "this is the last time ull hear from me", "suicide"),
    # Self-harm in other words.
    ("self_harm_words", "i carve into my arm", "self_harm"),
    ("self_harm_words", "carving into my thigh rn", "self_harm"),
    ("self_harm_words", "etched his name into my arm with a compass", "self_harm"),
    ("self_harm_words", "press my hand on the hob", "self_harm"),
    ("self_harm_words", "pressed my arm against the hot iron on purpose", "self_harm"),
    ("self_harm_words", "i held a lighter to my skin", "self_harm"),
    ("self_harm_words", "stubbed a fag out on my wrist", "self_harm"),
    ("self_harm_words", "burn myself with a lighter", "self_harm"),
    ("self_harm_words", "using my blades right now", "self_harm"),
    ("self_harm_words", "got my blades out", "self_harm"),
    ("self_harm_words", "my carer found my blades but ive got new ones", "self_harm"),
    ("self_harm_words", "punching walls till my knuckles bleed", "self_harm"),
    ("self_harm_words", "hit the wall till my hand bled", "self_harm"),
    ("self_harm_words", "punched the mirror till my knuckles split", "self_harm"),
    # Overdose in other words.
    ("overdose_words", "tipped a pack of pills into my mouth", "overdose"),
    ("overdose_words", "i emptied a bottle of pills into my mouth", "overdose"),
    ("overdose_words", "emptied the whole box into my hand and swallowed them", "overdose"),
    ("overdose_words", "washed them down with vodka", "overdose"),
    ("overdose_words", "necked them all down with a bottle of vodka", "overdose"),
    ("overdose_words", "i doubled my methadone", "overdose"),
    ("overdose_words", "took double my diazepam", "overdose"),
    ("overdose_words", "had benzos on top", "overdose"),
    ("overdose_words", "had a few xans on top of the drink", "overdose"),
    ("overdose_words", "drank loads on top of my methadone", "overdose"),
    ("overdose_words", "how many sertraline is too many, ive already had 12", "overdose"),
    ("overdose_words", "how much ket is too much ive already done loads", "overdose"),
    ("overdose_words", "is 20 paracetamol too many? ive already taken them", "overdose"),
    ("overdose_words", "eyes going heavy after taking", "overdose"),
    ("overdose_words", "cant keep my eyes open after taking all them tablets", "overdose"),
    ("overdose_words", "i took the whole strip", "overdose"),
    ("overdose_words", "swallowed a handful", "overdose"),
    # Harmed or threatened now, without the word "threaten".
    ("harm_now", "theyre coming round to sort me out tonight", "harmed_or_threatened"),
    ("harm_now", "theyre on their way to do me in", "harmed_or_threatened"),
    ("harm_now", "he's coming round to sort me out for grassing", "harmed_or_threatened"),
    ("harm_now", "hes coming at me with a bat", "harmed_or_threatened"),
    ("harm_now", "she came at me with a broken bottle", "harmed_or_threatened"),
    ("harm_now", "he ran at me with a knife", "harmed_or_threatened"),
    ("harm_now", "my stepdad went for me", "harmed_or_threatened"),
    (
        "harm_now",
        "he sent me a photo of my door and said see u tonight",
        "harmed_or_threatened",
    ),
    ("harm_now", "got a snap of my front door saying see u soon", "harmed_or_threatened"),
    ("harm_now", "he texted watch ur back and im scared", "harmed_or_threatened"),
    ("harm_now", "hes outside my flat waiting for me", "harmed_or_threatened"),
    ("harm_now", "they know where i live and are on their way", "harmed_or_threatened"),
    ("harm_now", "my ex found out where i live and says hes coming", "harmed_or_threatened"),
    # Nowhere safe tonight in other words.
    ("nowhere_words", "sleeping in my car tonight", "nowhere_safe_tonight"),
    ("nowhere_words", "sleeping in the park tonight", "nowhere_safe_tonight"),
    ("nowhere_words", "gonna have to kip in the stairwell", "nowhere_safe_tonight"),
    ("nowhere_words", "ill be sleeping in the bus station tonight", "nowhere_safe_tonight"),
    ("nowhere_words", "looks like im sleeping in a&e waiting room tonight", "nowhere_safe_tonight"),
    (
        "nowhere_words",
        "the place i was meant to stay fell through and its late and i have no money",
        "nowhere_safe_tonight",
    ),
    ("nowhere_words", "my mates sofa fell through and its 11pm", "nowhere_safe_tonight"),
    ("nowhere_words", "the hostel said no and its dark", "nowhere_safe_tonight"),
    (
        "nowhere_words",
        "had to leave my placement today and im in the park with my bags",
        "nowhere_safe_tonight",
    ),
    (
        "nowhere_words",
        "got chucked out of my placement and im stood outside with my bags",
        "nowhere_safe_tonight",
    ),
    (
        "nowhere_words",
        "sitting in mcdonalds with all my stuff, nowhere to go",
        "nowhere_safe_tonight",
    ),
    # Sexual and criminal exploitation.
    (
        "sexual_words",
        "he has pictures of me and will send them to everyone unless i pay",
        "sexual_abuse",
    ),
    (
        "sexual_words",
        "someone got my nudes and says theyll post them unless i send money",
        "sexual_abuse",
    ),
    ("sexual_words", "pay him £200 or he will share the video", "sexual_abuse"),
    ("sexual_words", "they said i can pay it off with sex", "sexual_abuse"),
    (
        "sexual_words",
        "he said i owe him and i can work it off by sleeping with his mates",
        "sexual_abuse",
    ),
    (
        "sexual_words",
        "my boyfriend is 24 and makes me go to parties and do stuff with his friends",
        "sexual_abuse",
    ),
    ("sexual_words", "my bf takes me to flats with older men", "sexual_abuse"),
    ("criminal_words", "theyre sending me country", "criminal_exploitation"),
    ("criminal_words", "they want me to go ot this weekend", "criminal_exploitation"),
    ("criminal_words", "been going ot for them", "criminal_exploitation"),
    ("criminal_words", "ive been running lines", "criminal_exploitation"),
    ("criminal_words", "they give me the line phone", "criminal_exploitation"),
    ("criminal_words", "they make me plug", "criminal_exploitation"),
    ("criminal_words", "they told me to plug it", "criminal_exploitation"),
    ("criminal_words", "they know where my little brother lives", "criminal_exploitation"),
    (
        "criminal_words",
        "they said they know what school my brother goes to",
        "criminal_exploitation",
    ),
    ("criminal_words", "or theyll go after my little sister", "criminal_exploitation"),
    # Medical emergencies, including about someone else.
    ("medical_words", "my baby is blue", "medical_emergency"),
    ("medical_words", "the baby is floppy and not breathing properly", "medical_emergency"),
    ("medical_words", "my baby's gone limp", "medical_emergency"),
    ("medical_words", "cant wake him up", "medical_emergency"),
    ("medical_words", "i cant wake her up", "medical_emergency"),
    ("medical_words", "his lips are grey", "medical_emergency"),
    ("medical_words", "his face has gone grey", "medical_emergency"),
    ("medical_words", "my mate passed out being sick on his back", "medical_emergency"),
    ("medical_words", "shes passed out and being sick", "medical_emergency"),
    (
        "medical_words",
        "my friend is diabetic and shes shaking sweating talking nonsense",
        "medical_emergency",
    ),
    ("medical_words", "he's type 1 and shaking and sweaty", "medical_emergency"),
    ("medical_words", "burned my hand and the skin is peeling off", "medical_emergency"),
    (
        "medical_words",
        "spilt the chip pan and the skin on my arm is bubbling",
        "medical_emergency",
    ),
    ("medical_words", "his lips are swelling up after he ate something", "medical_emergency"),
    ("medical_words", "her tongue is swelling after she ate peanuts", "medical_emergency"),
    ("medical_words", "had to use my epipen", "medical_emergency"),
    ("medical_words", "she took something at a party and wont wake up", "medical_emergency"),
    (
        "medical_words",
        "my mate took something at a party and wont wake up",
        "medical_emergency",
    ),
]


@pytest.mark.parametrize(
    ("message", "category"),
    [(message, category) for _, message, category in INDIRECT],
    ids=[f"{family}-{i}" for i, (family, _, _) in enumerate(INDIRECT)],
)
def test_indirect_positive(message: str, category: str) -> None:
    result = assess(message)
    assert result.at_risk, (message, result)
    assert category in result.categories, (message, result.categories)
    assert result.figure_of_speech is False
    assert result.mentions_risk


def test_every_indirect_family_has_several_phrasings() -> None:
    families: dict[str, int] = {}
    for family, _, _ in INDIRECT:
        families[family] = families.get(family, 0) + 1
    assert len(families) >= 9
    assert min(families.values()) >= 5, families
    assert {category for _, _, category in INDIRECT} == set(CATEGORIES)


# Near misses: the everyday meaning of the same words. Not at risk.
INDIRECT_NEAR_MISSES = [
    # Plans, decisions and not needing things.
    "tonight is the night! first date wish me luck",
    "tonight is the night i finally tell my mum im gay",
    "today is the day i go to court",
    "its happening tonight, the party at my mates",
    "ive decided to go to college",
    "i looked at both flats and ive decided",
    "ive decided what to have for tea",
    "i wont need my coat tonight",
    "i wont need my bus pass when i get my bike",
    "i wont need my bus pass anymore because i got a bike",
    "i wont be needing my room tonight, staying at my nans",
    "i wont need this app anymore thanks for the help",
    # Letters, mornings, goodbyes and giving things away.
    "wrote letters for my job applications",
    "i wrote a letter to my mum for her birthday",
    "left a note for everyone about the bins",
    "they'll find out in the morning if i got the flat",
    "the council will find me a room tomorrow",
    "you'll find them in the morning, the keys are under the mat",
    "just wanted to say bye before i go on holiday, see you next week",
    "when im gone on holiday who will feed my cat",
    "gave my old clothes away to the charity shop",
    "im giving all my clothes to charity",
    "sorting out who gets my room when i move out",
    # Self-harm words used for everyday things.
    "i carved the pumpkin",
    "we carved pumpkins and i cut my hand",
    "press the button on the hob",
    "i put my hand on the hob by accident",
    "i held my hands on the radiator to warm up",
    "i burn my toast every morning",
    "i need new blades for my razor",
    "i punched the bag till my knuckles bled at boxing",
    "i scratch my eczema till it bleeds",
    # Medicines taken as prescribed, and tiredness.
    "i doubled my hours at work",
    "my doctor doubled my sertraline",
    "i forgot yesterday so i took double my dose",
    "how many paracetamol can i take in a day",
    "how many paracetamol can i take, ive had 2",
    "i have had 10 job rejections, how many is too many lol",
    "i took my meds and washed them down with water",
    "i take sertraline on top of my other meds",
    "my eyes are going heavy, im so tired",
    "i took the box to the car",
    # Coming round, coming at me, knowing where i live.
    "theyre coming round to sort out the boiler tonight",
    "my pa is coming round to sort out my forms",
    "my support worker is coming round to sort me out with a food parcel",
    "my mate is coming round to sort me out",
    "my mum is coming to get me",
    "he came at me with a bad attitude",
    "she came at me with a load of questions",
    "the interviewers went for me",
    "sent my landlord a photo of my door because the lock is broken",
    "see you tonight at the party",
    "my mate is outside my flat waiting for me",
    "they know where i live because i gave them my address for the housing",
    "my support worker knows where i live and is coming round tomorrow",
    # Sleeping somewhere other than a bed, for ordinary reasons.
    "im sleeping in the car on the way to the festival",
    "sleeping in a tent at the festival",
    "slept on the bus and missed my stop",
    "my son is sleeping in the car so i cant come in",
    "im sleeping at my mates tonight",
    "my flat viewing fell through",
    "i left my placement and moved into my own flat today",
    "i am at the train station with my bags waiting for my train to leeds",
    # Slang with a second, harmless meaning.
    "what does going ot mean",
    "i know what running lines means",
    "what does plugging mean",
    "i need to plug my phone in",
    "im plugging my mixtape",
    "doing ot at work this week",
    "i am going country walking",
    "the band has gone country",
    "my mum makes me do stuff with her friends",
    "my bf wants me to be nice to his friends",
    "ill pay with me card",
    # Health words that are not an emergency.
    "is my baby blue tooth speaker charged",
    "my baby was blue when she was born but shes fine now",
    "i cant wake up in the mornings",
    "i cant wake my boyfriend up for work lol",
    "my dad is going grey",
    "hes asleep on his back",
    "my lips are blue from the slushie",
    "her face went purple with rage",
    "i passed out after being sick last night",
    "my nan is diabetic, how do i help her",
    "im diabetic and sweating at the gym",
    "the skin is peeling off my nose from sunburn",
    "my lips are swollen from my fillers",
    "my eyes are swollen from crying",
    "my neck is swollen from my glands",
    "got knocked out in sparring",
]


@pytest.mark.parametrize("message", INDIRECT_NEAR_MISSES)
def test_indirect_near_miss_not_at_risk(message: str) -> None:
    result = assess(message)
    assert not result.at_risk, (message, result)
    assert result.categories == ()


# ---------------------------------------------------------------------------
# False alarms: events that are over or planned for, sport and news, idioms
# ---------------------------------------------------------------------------

PAST_OR_HYPOTHETICAL = [
    "had a seizure last month and the hospital sorted it",
    "i had a seizure last month, the hospital sorted it, can i still drive",
    "my mate had a seizure a few weeks ago but shes fine now",
    "slept rough for 2 weeks when i was 18",
    "i slept in my car for a bit last summer",
    "doing a first aid course so i know what to do if someone has a seizure",
    "what should i do if someone has a seizure",
    "im doing a first aid course so i know what to do if someone isnt breathing",
    "if a friend ever told me they felt suicidal what should i say",
    "if a friend ever says they want to die what do i say",
    "in case someone overdoses what do i do",
]


@pytest.mark.parametrize("message", PAST_OR_HYPOTHETICAL)
def test_past_or_hypothetical_not_at_risk(message: str) -> None:
    result = assess(message)
    assert not result.at_risk, (message, result)
    assert result.categories == ()


SPORT_AND_NEWS = [
    "got knocked out cold in the first round",
    "my boxing match was last night, got knocked out cold",
    "saw on the news about that stabbing",
    "did u see the news about the stabbing in town",
    "saw on the news a lad got stabbed in town",
]


@pytest.mark.parametrize("message", SPORT_AND_NEWS)
def test_sport_and_news_not_at_risk(message: str) -> None:
    result = assess(message)
    assert not result.at_risk, (message, result)
    assert result.categories == ()


# Illness idioms and figures of speech: masked, so not at risk, flagged as
# figurative, and not a mention of risk either.
IDIOMS = [
    "i feel like death",
    "feel like death warmed up with this cold",
    "got the flu and i feel like death",
    "looking like death warmed up today",
    "arm feels dead after my jab",
    "my leg is dead from sitting on it",
    "ive got a dead leg",
    "i could strangle my flatmate",
    "i could strangle my flatmate he never washes up",
    "i could kill him for eating my food",
    "my mates roasted me to death",
    "the bills are bleeding me dry",
    "energy company bleeding me dry",
    "me after one gym session: dead",
    "leg day. dead",
    "me after leg day: dying",
]


@pytest.mark.parametrize("message", IDIOMS)
def test_idioms_are_figures_of_speech(message: str) -> None:
    result = assess(message)
    assert not result.at_risk, (message, result)
    assert result.categories == ()
    assert result.figure_of_speech, (message, result)
    assert not result.mentions_risk, (message, result)


# A real, current statement anywhere in the message still wins.
MIXED_INDIRECT = [
    (
        "had a seizure last month and the hospital sorted it but my mate is fitting",
        "medical_emergency",
    ),
    ("had a seizure last month, my mate is fitting right now", "medical_emergency"),
    ("had a seizure last month and my mate is fitting right now", "medical_emergency"),
    ("slept rough when i was 18 and now im sleeping rough again tonight", "nowhere_safe_tonight"),
    ("saw on the news about that stabbing. i want to die", "suicide"),
    ("i saw on the news the bridge is closed, im going to jump off it tonight", "suicide"),
    ("i feel like death and i want to die", "suicide"),
    ("i feel like death is the only way out", "suicide"),
    ("i could strangle my flatmate but honestly i want to kill myself", "suicide"),
    ("the bills are bleeding me dry and i took 30 paracetamol", "overdose"),
    ("got knocked out in the first round and now i cant breathe", "medical_emergency"),
    ("first aid course didnt help, my mate isnt breathing right now", "medical_emergency"),
    ("what if someone finds out i want to die", "suicide"),
    ("if anyone reads this, goodbye everyone", "suicide"),
    ("if anyone sees this my mate is fitting", "medical_emergency"),
    (
        "i dont know what going country means but they are sending me country",
        "criminal_exploitation",
    ),
    ("i used to self harm but ive got my blades out again", "self_harm"),
    ("my mate collapsed at football and isnt breathing", "medical_emergency"),
    ("he was discharged yesterday and now hes not breathing", "medical_emergency"),
    ("my stepdad is coming to get me and he said he will kill me", "harmed_or_threatened"),
    ("me and the baby are sleeping in the car tonight", "nowhere_safe_tonight"),
    ("i cant wake my boyfriend up he took a load of pills", "medical_emergency"),
]


@pytest.mark.parametrize(("message", "category"), MIXED_INDIRECT)
def test_current_statement_wins(message: str, category: str) -> None:
    result = assess(message)
    assert result.at_risk, (message, result)
    assert category in result.categories, (message, result.categories)
    assert result.figure_of_speech is False


@pytest.mark.parametrize(
    ("message", "context"),
    [
        ("had a seizure last month and the hospital sorted it", "ctx.past"),
        ("my mate had a seizure a few weeks ago but shes fine now", "ctx.past"),
        ("what should i do if someone has a seizure", "ctx.hypothetical"),
        ("what does going ot mean", "ctx.info"),
        ("saw on the news a lad got stabbed in town", "ctx.media"),
    ],
)
def test_context_rule_is_reported(message: str, context: str) -> None:
    result = assess(message)
    assert not result.at_risk
    assert context in result.rules, result.rules
    assert context in RULE_NAMES


def test_hypothetical_is_not_figurative() -> None:
    result = assess("what should i do if someone has a seizure")
    assert not result.at_risk
    assert not result.figure_of_speech


def test_carer_finding_blades_is_about_the_young_person() -> None:
    result = assess("my carer found my blades but ive got new ones")
    assert result.categories == ("self_harm",)
    assert "self_harm.blades" in result.rules


def test_indirect_rules_report_family_names() -> None:
    assert "suicide.plan_time" in assess("tonight is the night").rules
    assert "overdose.on_top" in assess("had benzos on top").rules
    assert "criminal_exploitation.going_country" in assess("theyre sending me country").rules
    assert "medical_emergency.cant_wake" in assess("cant wake him up").rules


def test_passive_harm_needs_passive_voice() -> None:
    # "i punched the wall" is something the writer did, not an attack on them.
    assert "harmed_or_threatened" not in assess("i punched the wall").categories
    assert "harmed_or_threatened" in assess("i got punched in the face").categories


# ---------------------------------------------------------------------------
# mentions_risk: figures of speech, negation and past-only uses
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "i could strangle my flatmate",
        "my mates roasted me to death",
        "the bills are bleeding me dry",
        "me after one gym session: dead",
        "i feel like death",
        "arm feels dead after my jab",
        "im not going to kill myself",
        "i never self harmed",
        "i am not in danger",
        "i used to self harm",
        "i slept rough when i was 18",
        "had a seizure last month",
        "i tried to kill myself years ago",
    ],
)
def test_figurative_negated_or_past_is_not_a_mention_of_risk(text: str) -> None:
    assert not assess(text).mentions_risk, assess(text)


@pytest.mark.parametrize(
    "text",
    [
        "i feel like im going to die",
        "i cut myself",
        "im bleeding",
        "my mate is fitting",
        "i used to self harm but i cut again last night",
        "i slept rough when i was 18 and im on the streets again",
        "i feel like death and im scared",
        "i could strangle my flatmate, he hit me",
    ],
)
def test_current_danger_words_are_a_mention_of_risk(text: str) -> None:
    assert assess(text).mentions_risk


def test_typical_messages_are_assessed() -> None:
    # Their speed is measured by `make bench` (scripts/bench.py), not asserted here.
    messages = [
        "hi can u help me with my pathway plan pls",
        "my mate took something at a party and wont wake up what do i do",
        "im sleeping in the park tonight and its freezing",
        "they know where i live and are on their way",
    ]
    assert [assess(m).at_risk for m in messages] == [False, True, True, True]


@pytest.mark.parametrize(
    "text",
    [
        "was homeless last year but im ok now",
        "sitting on a bench in the park eating my lunch in the sun",
        "got out of hospital today and im home with my nan",
        "my placement ended today and i moved into my new flat",
        "no room at the hostel last year so the council found me a flat",
        "the hostel was full last month but i found a flat",
        "staying at my nans tonight",
        "walking round the park with my dog tonight",
        "my mum wont let me stay out late",
    ],
)
def test_housing_words_without_danger_tonight_are_not_a_crisis(text: str) -> None:
    assert not assess(text).at_risk


@pytest.mark.parametrize(
    "text",
    [
        "slept rough for a month when i was 17, never again, how do i keep my tenancy",
        "slept rough for 2 weeks when i was 18, never want that again, how do i keep my flat",
        "is it true paracetamol can damage your liver, its for my coursework",
        "if a friend ever said they felt suicidal what should i say",
        "warming my hands on the heater, its freezing",
        "camping trip this weekend, sleeping in a tent all night",
    ],
)
def test_context_stops_the_model_from_calling_a_crisis(text: str) -> None:
    result = assess(text)
    assert not result.at_risk
    assert not result.mentions_risk
