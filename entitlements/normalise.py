"""Turns a text message, as young people write them, into words a search can match.

Lower case, accents and curly quotes flattened, repeated letters squeezed, text-speak
and common slang spelled out ("wat r u" -> "what are you", "uni" -> "university",
"sw" -> "social worker"). Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)
_TOKEN = re.compile(r"£?[a-z0-9]+(?:'[a-z]+)?")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_DIGIT_COMMA = re.compile(r"(\d),(\d{3})\b")
_THOUSANDS = re.compile(r"\b(\d+)\s*(?:k|grand|thousand)\b")

# Text-speak and slang, one token to its plain words. Chosen from how 16 to 25 year
# olds text (see docs/matching.md); domain words (uni, PA, UC) are spelled out so they
# meet the words the content uses. The safety net has a table of its own
# (bot/safety/data/lexicon/normalise.yml): one shared table would change both's output.
TEXT_SPEAK: dict[str, str] = {
    "u": "you",
    "ya": "you",
    "yu": "you",
    "ur": "your",
    "yr": "your",
    "r": "are",
    "y": "why",
    "wat": "what",
    "wot": "what",
    "wht": "what",
    "wut": "what",
    "whats": "what is",
    "wats": "what is",
    "wots": "what is",
    "hw": "how",
    "hows": "how is",
    "wen": "when",
    "wn": "when",
    "whn": "when",
    "wer": "where",
    "wher": "where",
    "whr": "where",
    "cn": "can",
    "cud": "could",
    "cld": "could",
    "wud": "would",
    "wld": "would",
    "shud": "should",
    "shld": "should",
    "gt": "get",
    "gettin": "getting",
    "givin": "giving",
    "gimme": "give me",
    "gonna": "going to",
    "gunna": "going to",
    "wanna": "want to",
    "wana": "want to",
    "gotta": "got to",
    "dunno": "do not know",
    "dno": "do not know",
    "idk": "i do not know",
    "cnt": "can not",
    "cant": "can not",
    "cannot": "can not",
    "dnt": "do not",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "wont": "will not",
    "isnt": "is not",
    "aint": "is not",
    "havent": "have not",
    "hasnt": "has not",
    "im": "i am",
    "ive": "i have",
    "4": "for",
    "2": "to",
    "b4": "before",
    "2day": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "2nite": "tonight",
    "tonite": "tonight",
    "pls": "please",
    "plz": "please",
    "plss": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "ty": "thanks",
    "bc": "because",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bcos": "because",
    "abt": "about",
    "bout": "about",
    "ppl": "people",
    "sum1": "someone",
    "some1": "someone",
    "any1": "anyone",
    "ne1": "anyone",
    "no1": "no one",
    "sumthin": "something",
    "summat": "something",
    "nothin": "nothing",
    "nuthin": "nothing",
    "anythin": "anything",
    "msg": "message",
    "txt": "text",
    "tho": "though",
    "hav": "have",
    "av": "have",
    "ov": "of",
    "da": "the",
    "tha": "the",
    "wiv": "with",
    "wid": "with",
    "w": "with",
    "n": "and",
    "nd": "and",
    "nt": "not",
    "mnth": "month",
    "mnths": "months",
    "wk": "week",
    "wks": "weeks",
    "yrs": "years",
    "bday": "birthday",
    "b'day": "birthday",
    "info": "information",
    "prob": "probably",
    "probs": "probably",
    "def": "definitely",
    "rn": "right now",
    "atm": "at the moment",
    "asap": "as soon as possible",
    "quid": "pounds",
    "dosh": "money",
    "cash": "money",
    "pa": "personal adviser",
    "pas": "personal advisers",
    "advisor": "adviser",
    "sw": "social worker",
    "socialworker": "social worker",
    "la": "local authority",
    "uni": "university",
    "unis": "university",
    "uc": "universal credit",
    "ni": "national insurance",
    "nin": "national insurance number",
    "gp": "doctor gp",
    "docs": "documents",
    "doc": "doctor",
    "dr": "doctor",
    "ctax": "council tax",
    "jisa": "junior isa",
    "ctf": "child trust fund",
    "hmrc": "tax office hmrc",
    "dwp": "jobcentre dwp",
    "jcp": "jobcentre",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "mam": "mum",
    "mom": "mum",
    "gaff": "home",
    "yh": "yes",
    "yeh": "yes",
    "yea": "yes",
    "yeah": "yes",
    "ye": "yes",
    "nah": "no",
    "nope": "no",
    "ok": "okay",
    "okk": "okay",
    "kk": "okay",
}

# Phrases spelled out after the single-token pass.
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{pattern}\b"), replacement)
    for pattern, replacement in (
        (r"foster (?:mum|mam|mom|dad|parents?|family|mother|father)", "foster carer"),
        (r"(?:my |the )?carers", "foster carer"),
        (r"the social", "social worker"),
        (r"job ?centre", "jobcentre"),
        (r"a and e|a&e", "hospital"),
    )
)


def clean(text: str) -> str:
    """Lower-case ``text`` and flatten accents, curly quotes and repeated letters."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("@", " at ")
    text = _DIGIT_COMMA.sub(r"\1\2", text)
    text = _THOUSANDS.sub(r"\g<1>000", text)
    return _REPEATS.sub(r"\1\1", text)


def tokens(text: str) -> list[str]:
    """Split cleaned text into word tokens, apostrophes dropped ("don't" -> "dont")."""
    return [t.replace("'", "") for t in _TOKEN.findall(text)]


def expand(text: str) -> str:
    """Clean ``text`` and spell out its text-speak and slang.

    Args:
        text: A message as typed.

    Returns:
        Space-separated plain words.

    """
    words: list[str] = []
    for token in tokens(clean(text)):
        words.append(TEXT_SPEAK.get(token, token))
    joined = " ".join(words)
    for pattern, replacement in PHRASES:
        joined = pattern.sub(replacement, joined)
    return joined
