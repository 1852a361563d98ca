"""Rule-based detector for messages that show immediate risk.

This is the pattern layer of the safety net. It is plain Python and regular
expressions, so it cannot be "trained away"; a trained model runs beside it.
It is tuned for young people leaving care texting from cheap phones: low
literacy, text-speak, typos, no punctuation.

The pipeline for one message is:

1. :func:`normalise` the text (case, accents, quotes, apostrophes, repeated
   letters, leet-speak, text-speak, common misspellings).
2. Mask figures of speech ("this form is killing me", "my phone is dead",
   "kms lol") so that they cannot trigger a risk rule, while any real risk
   statement elsewhere in the message still can.
3. Run the risk rules, one family per category. A family is first checked
   with a single combined expression; only when that matches are its rules
   run one by one.
4. Check each risk match against its context: negation ("i dont want to
   die"), who it is about ("my friend wants to die"), jokes, past framing
   ("when i was 15"), games, films, songs and the news, and for housing,
   future or conditional framing ("if i get evicted"). Overdoses and medical
   emergencies that are over ("the hospital sorted it") are not current;
   nor are questions about what to do if it ever happened to someone ("if
   someone has a seizure") or what a slang word means. Some rules also
   carry words that show an everyday meaning ("party", "shaving", "boxing").

Only rule names are reported, never any part of the message.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from dataclasses import dataclass, replace

from bot import linear_re as linear
from bot.safety.categories import CATEGORIES

__all__ = ["CATEGORIES", "RULE_NAMES", "RiskAssessment", "assess", "framing", "normalise"]

# Longer input is cut before matching: it bounds the work done per message.
_MAX_CHARS = 8000


@dataclass(frozen=True)
class RiskAssessment:
    """The result of checking one message.

    Attributes:
        at_risk: True when the message shows immediate risk.
        categories: Which of :data:`CATEGORIES` were found, in order of their
            first match in the message.
        figure_of_speech: True when the message used alarming words only as
            a figure of speech, a joke, a past event or about a game, film,
            song or book. Always False when ``at_risk`` is True.
        rules: Names of the rules that fired (risk, figure-of-speech and
            context rules). Never contains any of the message text.
        mentions_risk: True when, figures of speech aside, the message uses any
            word of danger or distress at all (a wide net, far wider than the
            rules). A trained model's "crisis" is only trusted when this holds,
            so that the model alone cannot raise an alarm on a message about
            overdraft fees or a complaint.
        checked: False when the check could not finish (a message built to make the
            patterns work too hard). Such a message must be treated as possible risk,
            never as safe.

    """

    at_risk: bool
    categories: tuple[str, ...]
    figure_of_speech: bool
    rules: tuple[str, ...]
    mentions_risk: bool = False
    checked: bool = True


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_APOSTROPHES = "'`\u00b4\u2018\u2019\u201a\u201b\u2032\u02bc\uff07"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\uff02"
_JOKE_EMOJI = "\U0001f602\U0001f923\U0001f480\U0001f606\U0001f639\U0001f92d\u2620"
_SPECIAL_LETTERS = str.maketrans(
    {
        "\u00df": "ss",
        "\u00e6": "ae",
        "\u00f8": "o",
        "\u0111": "d",
        "\u0142": "l",
        "\u0153": "oe",
        "\u0131": "i",
        "\u00f0": "d",
        "\u00fe": "th",
    }
)
_APOSTROPHE_TABLE = str.maketrans({c: None for c in _APOSTROPHES})
_DQUOTE_TABLE = str.maketrans({c: '"' for c in _DOUBLE_QUOTES})

_JOKE_EMOJI_TABLE = str.maketrans({c: " lol " for c in _JOKE_EMOJI})
_RE_OD_D = linear.compile(r"\bod[" + _APOSTROPHES + r"]?d\b")
_RE_LEET = (
    (linear.compile(r"(?<=[a-z])[1!|](?=[a-z])"), "i"),
    (linear.compile(r"(?<=[a-z])3(?=[a-z])"), "e"),
    (linear.compile(r"(?<=[a-z])0(?=[a-z])"), "o"),
    (linear.compile(r"(?<=[a-z])[@4](?=[a-z])"), "a"),
    (linear.compile(r"(?<=[a-z])\$(?=[a-z])"), "s"),
    (linear.compile(r"(?<=[a-z])\*+(?=[a-z])"), "i"),
)
_RE_AMPERSAND = linear.compile(r"&")
_RE_STOPS = linear.compile(r"[.!?;:\n\r\u2026]+")
_RE_COMMA = linear.compile(r",+")
_RE_OTHER = linear.compile(r"[^a-z0-9., ]+")
_RE_SPACES = linear.compile(r" {2,}")
_RE_WORD = linear.compile(r"[a-z]+")
_RE_TOKEN = linear.compile(r"[a-z0-9]+")
_RE_ING = linear.compile(
    r"\b(kill|cutt|hitt|bleed|sleep|breath|dy|go|think|feel|do|liv|hurt|beat|burn|fitt|"
    r"chok|stabb|harm|punch|slapp|threaten|follow|lov|suffer|struggl|drink|smok|tak|hid|"
    r"stay|wait|shak|start|com|mak|seiz|groom|scream|cry|bang|breath|wak|end|jump)in\b"
)

# Words with a real double letter. When a word has a run of 3 or more of the
# same letter ("kiiiill", "pleeease"), the run becomes two letters if that
# gives one of these words, otherwise one letter.
_DOUBLE_WORDS_TEXT = """
    kill kills killed killing all still will ill well tell hell shell full fall fell call
    sleep sleeping sleepy need needs needed feel feels feeling feelings free tree see seen
    keep keeps been too good goodbye food door floor blood bloody bleed bleeding
    better off stuff sorry tomorrow really cannot cutting hitting stabbed stabbing
    sitting putting getting letting battered battering grabbed dropped stopped stuck
    pills pill dizzy worry worried hurry sorry happy silly funny daddy mummy jelly belly
    sell selling smell shall hello yellow bully bullied till pass passed mess less miss
    missed missing kiss across boss loss class grass glass stress stressed dress cross
    press address assess lesson issue tissue essay possible aggressive professor
    apply appointment supposed support suppose happen happened happening stopping
    attack attacked attacking attempt attempted attention afford affect effect offer
    difficult different coffee toffee office officer traffic suffer suffering
    street streets sweet meet meeting week weeks deep deeper sheet speed steel feet
    three agree succeed proceed seem seems teeth cheek beer peer queen queue
    book books look looking took cool fool pool room soon moon noon school loose
    loose choose shoot shooting bloody flood wood wool
    little bottle kettle settle battle cattle rattle
    apple apples middle muddle puddle riddle paddle cuddle
    innit annoyed annoying dinner winner funnel tunnel channel planning planned
    running winning beginning stunning spinning
    summer hammer comment common commit committed committing recommend community
    sniffing puffing stuffing buffer
    llama ammo
    arrest arrested carry carried marry married worry sorry hurry error mirror
    terrible horrible borrow narrow arrow
    bitten written getting letter letters matter bitter twitter litter
    accident accept access account accommodation occur occurred succeed success
    eggs egg add added odd buzz jazz fizz
"""
_DOUBLE_WORDS = frozenset(_DOUBLE_WORDS_TEXT.split())

_TEXTSPEAK: dict[str, str] = {
    "u": "you",
    "yu": "you",
    "ya": "you",
    "ur": "your",
    "r": "are",
    "im": "i am",
    "iam": "i am",
    "ive": "i have",
    "iv": "i have",
    "cnt": "cant",
    "carnt": "cant",
    "cannot": "cant",
    "kant": "cant",
    "caint": "cant",
    "cany": "cant",
    "cnat": "cant",
    "dnt": "dont",
    "dont": "dont",
    "dun": "dont",
    "wnt": "want",
    "wana": "want to",
    "wanna": "want to",
    "wnna": "want to",
    "gonna": "going to",
    "gona": "going to",
    "gunna": "going to",
    "finna": "going to",
    "gna": "going to",
    "gnna": "going to",
    "goin": "going",
    "gotta": "got to",
    "tryna": "trying to",
    "hafta": "have to",
    "needa": "need to",
    "2nite": "tonight",
    "2night": "tonight",
    "2nyt": "tonight",
    "2nyte": "tonight",
    "tonite": "tonight",
    "tonyt": "tonight",
    "tnite": "tonight",
    "tnight": "tonight",
    "tonigh": "tonight",
    "tonght": "tonight",
    "tonigt": "tonight",
    "toniht": "tonight",
    "tonihgt": "tonight",
    "2nit": "tonight",
    "tonit": "tonight",
    "tonnight": "tonight",
    "2day": "today",
    "tday": "today",
    "2dy": "today",
    "tdy": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "2mrw": "tomorrow",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tomoz": "tomorrow",
    "2moz": "tomorrow",
    "tomorow": "tomorrow",
    "tommorow": "tomorrow",
    "tommorrow": "tomorrow",
    "tmoro": "tomorrow",
    "rn": "right now",
    "atm": "at the moment",
    "ppl": "people",
    "pple": "people",
    "ppls": "people",
    "bf": "boyfriend",
    "bfriend": "boyfriend",
    "gf": "girlfriend",
    "gfriend": "girlfriend",
    "pls": "please",
    "plz": "please",
    "plez": "please",
    "plis": "please",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "cus": "because",
    "bc": "because",
    "bcoz": "because",
    "becuz": "because",
    "becos": "because",
    "bcos": "because",
    "bcuz": "because",
    "cause": "because",
    "n": "and",
    "nd": "and",
    "wiv": "with",
    "wid": "with",
    "wen": "when",
    "wat": "what",
    "wot": "what",
    "wht": "what",
    "wut": "what",
    "wats": "whats",
    "wots": "whats",
    "dat": "that",
    "dats": "thats",
    "teh": "the",
    "b4": "before",
    "bfore": "before",
    "sum1": "someone",
    "some1": "someone",
    "sumone": "someone",
    "any1": "anyone",
    "no1": "no one",
    "noone": "no one",
    "every1": "everyone",
    "evry1": "everyone",
    "nuthin": "nothing",
    "nothin": "nothing",
    "nuffin": "nothing",
    "nufin": "nothing",
    "nthing": "nothing",
    "sumthin": "something",
    "summat": "something",
    "somethin": "something",
    "smth": "something",
    "sth": "something",
    "luv": "love",
    "ded": "dead",
    "thru": "through",
    "hv": "have",
    "av": "have",
    "hav": "have",
    "havnt": "havent",
    "wud": "would",
    "wld": "would",
    "shud": "should",
    "shld": "should",
    "cud": "could",
    "cld": "could",
    "wudnt": "wouldnt",
    "cudnt": "couldnt",
    "shudnt": "shouldnt",
    "dosnt": "doesnt",
    "dsnt": "doesnt",
    "ddnt": "didnt",
    "anymor": "anymore",
    "nemore": "anymore",
    "anymre": "anymore",
    "anymoe": "anymore",
    "nomore": "no more",
    "nowere": "nowhere",
    "nowher": "nowhere",
    "nowear": "nowhere",
    "nowhre": "nowhere",
    "nowehere": "nowhere",
    "nowhr": "nowhere",
    "somwhere": "somewhere",
    "sumwhere": "somewhere",
    "somewere": "somewhere",
    "sumwer": "somewhere",
    "somewer": "somewhere",
    "anywere": "anywhere",
    "anywher": "anywhere",
    "myslef": "myself",
    "mysef": "myself",
    "meself": "myself",
    "masel": "myself",
    "mysel": "myself",
    "myselfe": "myself",
    "mysrlf": "myself",
    "mysen": "myself",
    "mahself": "myself",
    "miself": "myself",
    "myselff": "myself",
    "idw": "i dont want",
    "idwt": "i dont want",
    "idwanna": "i dont want to",
    "urself": "yourself",
    "yaself": "yourself",
    "yourslef": "yourself",
    "pils": "pills",
    "pilz": "pills",
    "pillz": "pills",
    "tabs": "tablets",
    "tablts": "tablets",
    "tablits": "tablets",
    "tabets": "tablets",
    "paracetemol": "paracetamol",
    "paracetomol": "paracetamol",
    "parecetamol": "paracetamol",
    "paracetmol": "paracetamol",
    "paracet": "paracetamol",
    "paras": "paracetamol",
    "parcetamol": "paracetamol",
    "paracetamols": "paracetamol",
    "paracetamal": "paracetamol",
    "parasetamol": "paracetamol",
    "ibroprofen": "ibuprofen",
    "iboprofen": "ibuprofen",
    "ibuprofin": "ibuprofen",
    "ibrufen": "ibuprofen",
    "ibuprophen": "ibuprofen",
    "ibrupofen": "ibuprofen",
    "fone": "phone",
    "kno": "know",
    "knw": "know",
    "dunno": "dont know",
    "idk": "i dont know",
    "tho": "though",
    "altho": "although",
    "mom": "mum",
    "mam": "mum",
    "mummy": "mum",
    "mumma": "mum",
    "mommy": "mum",
    "theyre": "they are",
    "theyve": "they have",
    "theyll": "they will",
    "ull": "you will",
    "everyis": "everyones",
    "someis": "someones",
    "youll": "you will",
    "yull": "you will",
    "m8": "mate",
    "m8s": "mates",
    "gud": "good",
    "l8r": "later",
    "selfharm": "self harm",
    "selfharming": "self harming",
    "selfharmed": "self harmed",
    "overdoze": "overdose",
    "ambulence": "ambulance",
    "ambulanse": "ambulance",
    "amblance": "ambulance",
    "beause": "because",
    "becasue": "because",
    "suicde": "suicide",
    "alive": "alive",
    "breath": "breathe",
    "breth": "breathe",
    "brethe": "breathe",
    "bleedin": "bleeding",
    "stepdad": "stepdad",
    "evry": "every",
    "evryone": "everyone",
    "evrything": "everything",
    "everythin": "everything",
    "livin": "living",
    "nite": "night",
    "wanted": "wanted",
    "wont": "wont",
    "wnat": "want",
    "wnated": "wanted",
    "kil": "kill",
    "kms": "kms",
    "kys": "kys",
    "lyf": "life",
    "lyfe": "life",
    "tierd": "tired",
    "tird": "tired",
    "scard": "scared",
    "scarred": "scared",
    "skared": "scared",
    "thretened": "threatened",
    "threatend": "threatened",
    "thretening": "threatening",
    "threatning": "threatening",
    "hospitle": "hospital",
}

_SUIC_NOUN = linear.compile(r"\b(?=s[a-z]*i)s[uoa]{1,2}[ie]{0,2}[sc]{1,2}[ie]{0,2}de?\b")
_SUIC_ADJ = linear.compile(
    r"\b(?=s[a-z]*i)s[uoa]{1,2}[ie]{0,2}[sc]{1,2}[ie]{0,2}d(?:i?a|e|u)?l+e?\b"
)

_MULTIWORD: tuple[tuple[linear.Pattern, str], ...] = tuple(
    (linear.compile(p), r)
    for p, r in (
        (r"\bmy ?sel[fv]e?s?\b", "myself"),
        (r"\bme ?self\b", "myself"),
        (r"\b(?:ur|your|you|ya) ?self\b", "yourself"),
        (r"\bany ?more\b", "anymore"),
        (r"\bn ?e more\b", "anymore"),
        (r"\bno ?where\b", "nowhere"),
        (r"\bno were\b", "nowhere"),
        (r"\bsome where\b", "somewhere"),
        (r"\bany where\b", "anywhere"),
        (r"\bcan not\b", "cant"),
        (r"\bdo not\b", "dont"),
        (r"\bdoes not\b", "doesnt"),
        (r"\bdid not\b", "didnt"),
        (r"\bwill not\b", "wont"),
        (r"\bwould not\b", "wouldnt"),
        (r"\bcould not\b", "couldnt"),
        (r"\bhave not\b", "havent"),
        (r"\bis not\b", "isnt"),
        (r"\bto nite\b|\bto night\b", "tonight"),
        (r"\bover ?do[sz]e\b", "overdose"),
        (r"\bover ?do[sz]e?d\b", "overdosed"),
        (r"\bover ?do[sz]ing\b", "overdosing"),
        (r"\bself ?harm", "self harm"),
        (r"\bsewer ?slide\b", "suicide"),
        (r"\bun ?aliv(e|ing)\b", r"unaliv\1"),
        (r"\bgood ?bye\b", "goodbye"),
        (r"\bstep (dad|mum|father|mother|brother|sister)\b", r"step\1"),
        (r"\bco ?codamol\b", "cocodamol"),
        (r"\binfront\b", "in front"),
        (r"\bcar ?park\b", "car park"),
        (r"\bmulti ?stor[e]?y\b", "multi storey"),
        (r"\bsofa ?surf", "sofa surf"),
        (r"\bno one\b", "no one"),
        (r"\bsome one\b", "someone"),
        (r"\bsome body\b", "somebody"),
        (r"\bevery one\b", "everyone"),
        (r"\bhe is\b", "hes"),
        (r"\bshe is\b", "shes"),
    )
)

_VERBS_AFTER_I = (
    r"kill|end|do|take|hurt|cut|jump|hang|overdose|od|never|just|probably|prob|actually|"
    r"literally|be|die|top|slit|go|walk|drown|burn|throw|run|sleep|kms|kys|make|try|have|"
    r"get|not|definitely|def|finish|stab|starve|unalive|swallow|neck|leave|disappear|want"
)
_VERBS_AFTER_HE = (
    r"come|kill|hurt|find|be|get|do|beat|go|stab|smash|batter|break|never|just|actually|"
    r"literally|hit|burn|rape|throw|send|share|post|leak|end|make|know|see|track|turn|wait|"
    r"try|ruin|shoot|slash|show|put|tell|batter|hunt|murder"
)
_CONTEXTUAL: tuple[tuple[linear.Pattern, str], ...] = (
    (linear.compile(rf"\bill (?=(?:{_VERBS_AFTER_I})\b)"), "i will "),
    (linear.compile(rf"\bid (?=(?:rather|{_VERBS_AFTER_I})\b)"), "i would "),
    (linear.compile(rf"\bhell (?=(?:{_VERBS_AFTER_HE})\b)"), "he will "),
    (linear.compile(rf"\bshell (?=(?:{_VERBS_AFTER_HE})\b)"), "she will "),
    (linear.compile(rf"\bhed (?=(?:{_VERBS_AFTER_HE})\b)"), "he would "),
    (linear.compile(r"(?<=[a-z] )2(?= [a-z])"), "to"),
    (linear.compile(r"(?<=[a-z] )4(?= [a-z])"), "for"),
)


def _runs(word: str) -> list[tuple[str, int]]:
    """Split ``word`` into runs of one letter: ``"kiiill"`` gives ``[(k,1), (i,3), (l,2)]``."""
    return [(letter, len(list(group))) for letter, group in itertools.groupby(word)]


def _fix_repeats(word: str) -> str:
    """Shorten runs of three or more of one letter in a word.

    Args:
        word: One lower-case word.

    Returns:
        The word with each run of three or more cut to two letters when that spells a
        known word with a real double letter, otherwise to one letter. A word with no
        such run is returned as it is.

    """
    runs = _runs(word)
    long_runs = [i for i, (_, n) in enumerate(runs) if n >= 3]
    if not long_runs:
        return word

    def _spell(doubles: set[int]) -> str:
        return "".join(
            letter * (n if n < 3 else 2 if i in doubles else 1)
            for i, (letter, n) in enumerate(runs)
        )

    two = _spell(set(long_runs))
    if two in _DOUBLE_WORDS:
        return two
    one = _spell(set())
    if one in _DOUBLE_WORDS:
        return one
    # Mixed runs ("kiiilllll"): try keeping a double on each run in turn.
    if 1 < len(long_runs) <= 4:
        for keep in long_runs:
            candidate = _spell({keep})
            if candidate in _DOUBLE_WORDS:
                return candidate
    return one


def _last_stop_only(text: str) -> str:
    """Keep only the last of several ``.``/``,`` tokens in a row (". , ." becomes ".")."""
    tokens = text.split(" ")
    kept = [
        token
        for token, after in zip(tokens, [*tokens[1:], ""], strict=True)
        if not (token in _STOP_TOKENS and after in _STOP_TOKENS)
    ]
    return " ".join(kept)


_STOP_TOKENS = frozenset({".", ","})


def _textspeak(word: str) -> str:
    return _TEXTSPEAK.get(word, word)


def _ascii(text: str) -> str:
    """Every character outside ASCII becomes a space (after accents were taken off)."""
    return "".join(c if c < "\x80" else " " for c in text)


def normalise(text: str) -> str:
    """Normalise a message for matching.

    Lower-cases, strips accents, straightens quotes, removes apostrophes,
    shortens stretched letters, undoes simple leet-speak, expands text-speak
    and fixes common misspellings of the words the rules look for. Sentence
    punctuation is kept as separate ``.`` and ``,`` tokens; every other
    symbol becomes a space.

    Args:
        text: The raw message.

    Returns:
        Lower-case words and ``.``/``,`` tokens separated by single spaces.

    """
    text = text[:_MAX_CHARS]
    text = text.translate(_JOKE_EMOJI_TABLE)
    text = text.casefold().translate(_SPECIAL_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_DQUOTE_TABLE)
    text = _RE_OD_D.sub("oded", text)
    text = _ascii(text.translate(_APOSTROPHE_TABLE))
    for pattern, repl in _RE_LEET:
        text = pattern.sub(repl, text)
    text = _RE_AMPERSAND.sub(" and ", text)
    text = _RE_STOPS.sub(" . ", text)
    text = _RE_COMMA.sub(" , ", text)
    text = _RE_OTHER.sub(" ", text)
    text = _RE_WORD.sub(lambda m: _fix_repeats(m.group() or ""), text)
    text = _RE_ING.sub(r"\1ing", text)
    text = _RE_TOKEN.sub(lambda m: _textspeak(m.group() or ""), text)
    text = _SUIC_ADJ.sub("suicidal", text)
    text = _SUIC_NOUN.sub("suicide", text)
    for pattern, repl in _MULTIWORD:
        text = pattern.sub(repl, text)
    text = _RE_SPACES.sub(" ", text).strip()
    for pattern, repl in _CONTEXTUAL:
        text = pattern.sub(repl, text)
    text = _last_stop_only(text)
    return _RE_SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# Shared pattern pieces (all work on normalised text)
# ---------------------------------------------------------------------------


def _gap(n: int) -> str:
    """Return a pattern for up to ``n`` words (or commas) followed by a space."""
    return rf"(?:(?:[a-z0-9]+|,) ){{0,{n}}}"


G1, G2, G3, G4, G5 = _gap(1), _gap(2), _gap(3), _gap(4), _gap(5)
ANYMORE = r"(?:anymore|any longer|no more|no longer|much longer)"
JOKE = r"(?:lol\w*|lmf?ao\w*|rofl|ha(?:ha)+\w*|he(?:he)+\w*|jk|xd|jokes|joking|kidding|ha ha)"
PILLS = (
    r"(?:pills?|tablets?|paracetamol|ibuprofen|aspirin|cocodamol|codeine|meds|medication|"
    r"medicine|medicines|antidepressants?|anti depressants?|sertraline|fluoxetine|citalopram|"
    r"mirtazapine|amitriptyline|diazepam|xanax|xans|valium|tramadol|zopiclone|propranolol|"
    r"quetiapine|olanzapine|lithium|insulin|painkillers?|pain killers?|nurofen|calpol|"
    r"benadryl|piriton|antihistamines?|sleeping (?:pills|tablets)|prescription|naproxen|"
    r"gabapentin|pregabalin|morphine|methadone|oxycodone|capsules?)"
)
QTY = (
    r"(?:\d{2,}|[5-9]|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|hundred|"
    r"dozen|loads|load|lots|lot|alot|bunch|handful|handfuls|heaps|too many|so many|"
    r"all(?! my (?:meds|tablets|pills|medication) (?:today|this morning|for today|on time|"
    r"as normal|like normal|as prescribed))|every|whole|entire|full|box|boxes|packet|"
    r"packets|pack|packs|bottle|bottles|strip|strips|tub|tubs|blister|blisters|several|"
    r"everything|anything i could find)"
)
DRUGS = (
    r"(?:drugs|ket|ketamine|coke|cocaine|mdma|md|molly|ecstasy|pills|xanax|xans|spice|heroin|"
    r"gear|fentanyl|valium|diazepam|codeine|tramadol|meds|tablets|paracetamol|pingers|"
    r"weed|crack|acid|mushrooms|shrooms|alcohol|vodka|drink|booze|of (?:it|them|that|those))"
)
AGENT = (
    r"(?:he|she|they|hes|shes|someone|somebody|some (?:guy|man|men|lads?|boys|girls|people|bloke)|"
    r"a (?:man|guy|lad|bloke|woman|girl|gang|group)|(?:this|that) (?:man|guy|lad|bloke|woman|girl)|"
    r"these (?:men|guys|lads)|people|men|lads|(?:the|some) (?:older|olders|elders)|"
    r"(?:^|(?<=[.,] ))(?:dad|mum|boyfriend|bf|girlfriend|gf|partner|stepdad|stepmum|ex|carer|"
    r"landlord|brother|uncle)|"
    r"(?:my|his|her|the|their|mums|mum|dads) (?:ex|boyfriend|girlfriend|partner|husband|wife|dad|"
    r"father|mum|mother|step\w*|carer|carers|foster (?:carer|carers|dad|mum|parents?)|"
    r"landlord|landlady|brother|sister|uncle|aunt|auntie|cousin|flatmate|housemate|roommate|"
    r"neighbour|neighbours|mates?|friends?|boss|manager|pimp|dealer|dealers|nan|grandad|"
    r"keyworker|son|babys dad|kids dad|baby daddy|older brother|older sister|family|boys|"
    r"man|guy|lad|bloke|gang|olders|elders|fella|fiance|missus|other half|bd|bm|stepbrother|"
    r"foster brother|foster sister|mums boyfriend|mums partner|dads girlfriend))"
)
PRES_AUX = (
    r"(?:(?:is|was|keeps|kept|has|have|had|been|just|always|started|keep|now|again|also|"
    r"literally|actually|then|still|even|often|sometimes|constantly|will|would|tried to|"
    r"trying to|try to|wants to|want to|going to|threatened to|threatening to|did|does|"
    r"used to|has been|have been|now) )*"
)
HARM_VERB = (
    r"(?:hit|hits|hitting|hurt|hurts|hurting|beat|beats|beating|batter|batters|battered|"
    r"battering|punch|punches|punched|punching|kick|kicks|kicked|kicking|slap|slaps|slapped|"
    r"slapping|strangle|strangles|strangled|strangling|choke|chokes|choked|choking|stab|stabs|"
    r"stabbed|stabbing|attack|attacks|attacked|attacking|assault|assaults|assaulted|"
    r"assaulting|rape|rapes|raped|raping|abuse|abuses|abused|abusing|push|pushes|pushed|"
    r"pushing|shove|shoves|shoved|shoving|grab|grabs|grabbed|grabbing|throttle|throttled|"
    r"headbutt|headbutted|bit|bites|biting|burnt|burned|burns|smack|smacks|smacked|"
    r"smacking|whack|whacked|thump|thumped|thumps|pinned|pins|drag|dragged|drags|"
    r"touch|touches|touched|touching|molest|molested|molesting|spat on|spit on|spits on|"
    r"hold|held|holds|tie|tied|ties|lock|locked|locks|threaten|threatens|threatened|"
    r"threatening|stalk|stalks|stalked|stalking|strip|stripped|film|filmed|spike|spiked|"
    r"drug|drugged|follow|follows|followed|following|kidnap|kidnapped|beat up|beaten up|"
    r"batter|strangle|lamped|lamps|lamping|decked|glassed|bottled|booted|leathered|"
    r"battered|twatted|knocked|punched|kneed|elbowed)"
)
HARM_EXCLUDE = (
    r"(?! (?:up|back|with|off|out|in (?:a|the|every) (?:game|match|race)|at (?:fifa|pool|"
    r"chess|cards|football|games?)|to it|on (?:insta|instagram|tiktok|snap|snapchat|twitter|"
    r"x|facebook|fb|ig|twitch|youtube))\b)"
)
BODY = (
    r"(?:arms?|wrists?|legs?|thighs?|skin|stomach|belly|hips?|body|chest|face|ankles?|"
    r"forearms?|shoulders?|neck|throat)"
)
ACCIDENT = (
    r"(?! (?:by accident|accidentally|on (?:the |a |some )?(?:oven|iron|kettle|pan|hob|stove|"
    r"cooker|grill|tray|glass|paper|tin|can|knife|corner|door|table|bed|stairs|fence|"
    r"radiator|nail)|cooking|shaving|chopping|ironing|baking|playing|at (?:the )?(?:gym|work|"
    r"football|training|school|college)|in (?:the )?(?:gym|kitchen)|doing|lifting|running|"
    r"falling|when i fell|training|opening|making|with (?:the )?(?:oven|iron|kettle|pan|"
    r"straighteners|hair straighteners|knife while)))"
)


def _c(pattern: str) -> linear.Pattern:
    """Compile a pattern with word boundaries around it."""
    return linear.compile(rf"\b(?:{pattern})\b")


# ---------------------------------------------------------------------------
# Figures of speech: masked out before the risk rules run
# ---------------------------------------------------------------------------

_FIGURES: tuple[tuple[str, str], ...] = (
    ("fig.dying_to", r"dying (?:to|for) [a-z]+"),
    (
        "fig.die_of",
        r"(?:dying|died|die|dead|nearly died|could die|going to die) (?:of|from) "
        r"(?:laughter|laughing|embarrassment|shame|cringe|boredom|thirst|hunger|heat|cuteness|"
        r"excitement|jealousy|happiness|the heat|old age)",
    ),
    (
        "fig.died_laughing",
        rf"(?:died|dying|dead|die|crying) (?:laughing|of laughter)|"
        rf"(?:died|dying|dead|crying) {JOKE}",
    ),
    ("fig.dye_hair", r"(?:dying|die|dyed|dye|dyeing) (?:my|your|her|his|their) hair"),
    ("fig.killing_me", r"(?<!chest )(?<!chest is )(?<!chest are )(?<!heart is )killing me"),
    (
        "fig.kill_for",
        r"(?:could|would|will|gonna|going to) (?:\w+ )?(?:kill|murder) "
        r"(?:for )?(?:a|an|some|for)(?: [a-z]+)?|kill(?:ing)? (?:some )?time|murder (?:a|an|some) "
        r"[a-z]+",
    ),
    (
        "fig.kill_me_now",
        rf"(?:someone|somebody|anyone|just|please|ugh|omg|god|lord|honestly) "
        rf"kill me(?: now| already| please)?|(?<!to )(?<!will )(?<!he )(?<!she )kill me now|"
        rf"kill me (?:{JOKE})|shoot me (?:now|{JOKE})",
    ),
    (
        "fig.device_dead",
        r"(?:phone|battery|laptop|charger|tablet|ipad|pc|computer|console|xbox|"
        r"ps[345]|switch|headphones|airpods|earphones|torch|car|plant|plants|wifi|signal|internet|"
        r"chat|group chat|gc|vibe|vibes|party|town|club|pen|game|hamster|goldfish|fish) "
        r"(?:[a-z]+ ){0,2}(?:dead|dying|died|die|dies|going to die|about to die)",
    ),
    (
        "fig.dead_adj",
        r"dead (?:funny|good|nice|tired|hard|easy|bored|boring|serious|quick|busy|"
        r"cheap|expensive|proud|happy|excited|sound|jealous|dear|sure|cute|lush|embarrassing|"
        r"annoying|late|early|slow|quiet|posh|sweet|fit|bad|rough|long|keen|chuffed|lucky|weird|"
        rf"strange|on|right|set|end|loud|cold|hot|nervous)|deadass|(?:i am|literally|actually) "
        rf"(?:so |literally )?dead (?:{JOKE})",
    ),
    (
        "fig.sick_of",
        r"sick (?:and tired )?of(?! (?:living|life|being alive|being here|existing|"
        r"everything and|it all and))",
    ),
    ("fig.starving", r"starv(?:ing|ed)(?! myself)"),
    (
        "fig.to_death",
        r"(?:bored|boring|love|loved|tickled|laughed|worried|annoyed|tortured|done|roasted|"
        r"roasting|roast|roasts|nagged|nagging|nags|talked|talking|worked|working|teased|"
        r"teasing|mocked|mocking|cooked|overcooked|flogged|flogging|played|hyped|hugged|"
        r"squeezed|spammed|spamming|bombarded|pestered|pestering|bugged|bugging|cringed|"
        r"cringe|stressed|embarrassed) (?:[a-z]+ )?to death",
    ),
    (
        "fig.feel_like_death",
        r"(?:feel|feels|feeling|felt|look|looks|looking|looked) (?:like|as if|as though) "
        r"death(?: warmed (?:up|over))?(?! (?:is|would|will|could|might|sounds|seems|be|was|"
        r"feels|to|would be|is the|is my|is better|is easier)\b)",
    ),
    (
        "fig.dead_limb",
        r"(?:arm|arms|leg|legs|hand|hands|foot|feet|fingers?|toes?|bum|backside|butt|side|"
        r"shoulder|jaw|gums?|lips?) (?:[a-z]+ ){0,2}?dead(?! (?:body|man|person))|"
        r"dead (?:arm|leg)s?",
    ),
    (
        "fig.could_hurt_them",
        r"(?<=\bi )(?:could|would|couldve|could have|could honestly|could literally|could "
        r"actually|could genuinely) (?:literally |actually |honestly |happily |seriously |"
        r"genuinely |just |easily )?(?:strangle|throttle|murder|kill|slap|batter|punch|smack|"
        r"swing for|deck|lamp|strangled|throttled|murdered|killed|slapped|punched) (?:my "
        r"[a-z]+|him|her|them|the [a-z]+|that [a-z]+|this [a-z]+|you|someone|somebody|"
        r"everyone|[a-z]+s)(?! ?self)",
    ),
    ("fig.bleed_dry", r"bleed(?:ing|s)? (?:me|us|him|her|them|you|everyone|people) dry"),
    (
        "fig.gym_dead",
        r"(?:gym|gym session|workout|work out|leg day|arm day|spin class|parkrun|5k|10k|"
        r"marathon|half marathon|cardio|hiit|crossfit|pt session|circuits|bootcamp|squats|"
        r"push ups|burpees) (?:[a-z0-9]+ ){0,3}?(?:[.,] )*(?:i am |im |i was |literally |"
        r"actually |absolutely |completely |totally |basically |proper |so |just )*(?:dead|ded|"
        r"dying)(?= [.,~]|$| lol| lmao| haha| xd| ~)",
    ),
    ("fig.kms_joke", rf"kms (?:[a-z0-9]+ ){{0,3}}{JOKE}|{JOKE} (?:[a-z0-9]+ ){{0,2}}kms"),
    (
        "fig.kys_insult",
        r"(?<!to )(?<!should )(?<!will )(?<!going )(?<!might )(?<!gonna )"
        r"(?<!just )(?<!i )kys|(?:go |just )?kill yourself|kill yourselves",
    ),
    (
        "fig.overdose_treat",
        r"overdos\w* on (?:chocolate|sugar|caffeine|coffee|netflix|tv|"
        r"sweets|food|pizza|cake|love|anime|kpop|k pop|memes|tiktok|vitamin c|energy drinks|"
        r"redbull|monster|cheese|tea)",
    ),
    (
        "fig.heart_attack",
        r"(?:gave|give|giving|nearly gave|almost gave|nearly had|almost had|"
        r"nearly having|going to give|nearly gives?) (?:me |him |her |you |us )?a heart attack",
    ),
    (
        "fig.stroke",
        r"(?:having|had|have|give me|giving me|gave me) a stroke (?:reading|trying|"
        r"looking|watching|over|at)|(?:reading|looking at) this (?:is )?(?:giving me|gave me) "
        r"a stroke",
    ),
    (
        "fig.cant_breathe_laughing",
        rf"cant breathe?(?: [a-z]+){{0,2}} (?:{JOKE}|laughing)|"
        rf"(?:laughing|{JOKE}|crying laughing) (?:so hard |that much )?(?:i )?cant breathe?",
    ),
    (
        "fig.going_to_die_if",
        rf"(?:going to|gonna) die (?:of|if|when|before|from|in this|waiting|"
        rf"laughing|{JOKE})",
    ),
    (
        "fig.thought_die",
        r"(?:thought|felt like|felt|swear) (?:that )?i (?:was|were) going to "
        r"die",
    ),
    (
        "fig.hit_me_up",
        r"hit me (?:up|back|with|on)|(?:it|this|that|reality|suddenly|then) "
        r"(?:just |really |finally )?hit me|beat (?:me|us) (?:at|to it|in (?:a|the|every)|\d+|"
        r"by \d+|on penalties|easily|again at)|"
        r"(?:push|pushes|pushed|pushing) me to|follow(?:s|ed|ing)? me (?:on|back)|"
        r"grab(?:bed|s)? me (?:a|an|some|one|something|the)|hurt (?:my feelings|me "
        r"(?:emotionally|by|when (?:he|she|they|hes|shes) (?:cheated|lied|left|said|dumped|"
        r"ghosted|broke)))",
    ),
    (
        "fig.killing_myself_at",
        r"killing myself (?:at|with|over|for|to|working|studying|trying|"
        r"doing|laughing|in the gym)|could (?:[a-z]+ )?kill myself (?:for|over)|"
        r"(?:kick|kicking) myself",
    ),
    (
        "fig.brick_wall",
        r"(?:like )?bang(?:ing)? my head (?:against|on|off) a brick wall|"
        r"like banging my head",
    ),
    (
        "fig.accident",
        r"(?:accidentally|accidently|by mistake) (?:[a-z]+ )?(?:cut|burnt|burned|"
        r"hurt|hit|stabbed|scratched) myself",
    ),
    (
        "fig.family_kill_me",
        r"(?:mum|dad|nan|gran|grandma|teacher|boss|manager|pa|worker|coach|"
        r"sister|brother|sis|bro|mates?|friends?|bestie|tutor|lecturer|landlady|carer|aunt|"
        r"auntie|uncle) (?:is |will |would |going to |literally |actually |honestly |so |"
        r"properly )*kill me",
    ),
    ("fig.nearly_died", r"(?:nearly|almost|literally) died"),
    ("fig.killed_it", r"kill(?:ed|ing|s)? it\b(?! all)"),
    ("fig.suicide_film", r"suicide (?:squad|mission|run|doors?|lane|sprints?|blonde)"),
    ("fig.end_me", r"(?:going to|gonna|will|is going to) end me"),
)

_FIGURE_RE = linear.compile(
    "|".join(rf"(?P<g{i}>\b(?:{pattern})\b)" for i, (_, pattern) in enumerate(_FIGURES))
)
_FIGURE_NAMES = tuple(name for name, _ in _FIGURES)


def _mask_figures(text: str) -> tuple[str, list[str]]:
    """Replace figures of speech with a neutral ``~`` token.

    Args:
        text: Normalised message.

    Returns:
        The masked text and the names of the figure rules that matched.

    """
    fired: list[str] = []

    def _replace(match: linear.Match) -> str:
        group = match.lastgroup
        if group is not None:
            name = _FIGURE_NAMES[int(group[1:])]
            if name not in fired:
                fired.append(name)
        return "~"

    return _FIGURE_RE.sub(_replace, text), fired


# ---------------------------------------------------------------------------
# Risk rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """One risk rule.

    Attributes:
        name: Rule name reported in :attr:`RiskAssessment.rules`.
        category: One of :data:`CATEGORIES`.
        regex: Compiled pattern, run on normalised and masked text.
        who: Whose risk the match must be about, judged from the nearest
            subject before it: ``"self_or_none"`` (not a third party),
            ``"self"`` (the writer), ``"person"`` (anyone named, not no-one),
            ``"third"`` (someone else) or ``"any"``.
        negatable: Suppress when a negation ("dont", "never") comes just
            before the match.
        jokeable: Suppress when a joke marker ("lol") is near the match.
        future: Suppress when the clause is framed as future or conditional
            ("next month", "if i"), unless it says tonight or now.
        over: Suppress when the clause says the event is over or was some
            days or weeks ago ("the hospital sorted it", "last week"), unless
            it says it is still going on.
        requires: Patterns that must each also occur somewhere in the message.
        excludes: A pattern that, found anywhere in the message, shows an
            everyday meaning ("party", "shaving") and suppresses the rule.

    """

    name: str
    category: str
    regex: linear.Pattern
    who: str = "self_or_none"
    negatable: bool = True
    jokeable: bool = False
    future: bool = False
    over: bool = False
    requires: tuple[linear.Pattern, ...] = ()
    excludes: linear.Pattern | None = None


def _rule(
    name: str,
    category: str,
    pattern: str,
    *,
    who: str = "self_or_none",
    negatable: bool = True,
    jokeable: bool = False,
    future: bool = False,
    over: bool = False,
    requires: str | tuple[str, ...] | None = None,
    excludes: str | None = None,
) -> _Rule:
    """Build a :class:`_Rule`, compiling its patterns."""
    if requires is None:
        needed: tuple[str, ...] = ()
    elif isinstance(requires, str):
        needed = (requires,)
    else:
        needed = requires
    return _Rule(
        name=f"{category}.{name}",
        category=category,
        regex=_c(pattern),
        who=who,
        negatable=negatable,
        jokeable=jokeable,
        future=future,
        over=over,
        requires=tuple(_c(p) for p in needed),
        excludes=_c(excludes) if excludes else None,
    )


_DEATH = (
    r"(?:kill myself|kms|end (?:it all|it(?! (?:with|for|between|off|there|here|now with))|"
    r"my life|my own life|things(?! with)|everything(?! with)|myself|this life|my pain|"
    r"it for good)|take my (?:own )?life(?! (?:back|in|into|seriously|forward|on|and turn))|"
    r"commit suicide|do suicide|suicide|top myself|off myself|unalive(?: myself)?|"
    r"hang myself|drown myself|gas myself|shoot myself|stab myself|poison myself|"
    r"slit my (?:wrists?|throat)|"
    r"jump (?:off|from|in front of|under|onto|into) (?:a |the |this |that )?(?:[a-z]+ )?"
    r"(?:bridge|roof|building|cliff|car park|multi storey|balcony|tower|block|flats|motorway|"
    r"ledge|train|tracks|platform|river|sea|lorry|bus|car|window|canal)|"
    r"throw myself (?:off|in front of|under|into) (?:a |the )?[a-z]+|"
    r"(?:step|walk|run) (?:into|in front of|under) (?:a |the )?(?:train|car|bus|lorry|traffic|"
    r"road|sea|river|canal)|not (?:be here|exist|wake up|be alive|be around)|never wake up|"
    r"sleep (?:forever(?! (?:on|at|this|every|today|tomorrow|after|when))|and never wake up|"
    r"and not wake up)|"
    r"go to sleep and (?:never|not) wake up|disappear (?:forever|for good|permanently)|"
    r"stop (?:existing|living)|leave this (?:world|earth)|be gone forever)"
)
_DEATH_GERUND = (
    r"(?:suicide|killing myself|ending (?:it all|it(?! (?:with|between))|my life|my own life|"
    r"things(?! with)|everything(?! with))|dying|death|taking my (?:own )?life|"
    r"not being (?:here|alive|around)|not waking up|hanging myself|jumping (?:off|in front)|"
    r"topping myself|unaliving(?: myself)?|how to die|ways to die|drowning myself)"
)
_INTENT = (
    r"(?:want|wanted|wants|going|plan|planning|planned|plans|decided|decide|ready|about|"
    r"trying|try|tried|tempted|need|needs|got|have|has|urge|urges|wish|prepared|intend|"
    r"intending|intends|like|able|brave enough|scared|afraid)"
)
_MODAL = r"(?:will|shall|should|might|could|would|may|must|just|gonna|definitely|probably)"

_SUICIDE: tuple[_Rule, ...] = (
    _rule("intent", "suicide", rf"{_INTENT} to (?:just |finally |actually |really )?{_DEATH}"),
    _rule(
        "modal",
        "suicide",
        rf"{_MODAL} (?:just |finally |actually |really |literally )?"
        rf"{_DEATH}",
    ),
    _rule(
        "want_die",
        "suicide",
        r"(?:want|wanted|wants|wish|wished|ready|plan|planning|"
        r"decided|trying|tried|tempted|need|needs|urge|like|deserve) to (?:just |really )?"
        r"(?:die|be dead|be with (?:my )?[a-z]+ in heaven)|wanting to (?:die|be dead)",
    ),
    _rule(
        "going_die",
        "suicide",
        r"(?:going|about) to (?:just )?(?:die|be dead)(?: "
        r"(?:tonight|today|soon|anyway|on purpose|by my own hand|this week|tomorrow|"
        r"before morning))?",
        who="self",
        jokeable=True,
    ),
    _rule(
        "kill_myself",
        "suicide",
        r"kill myself|killing myself|kms|end my (?:own )?life|"
        r"ending my (?:own )?life|take my own life|taking my own life|top myself|"
        r"topping myself|hang myself|hanging myself|unalive myself|unaliving(?: myself)?|"
        r"commit suicide|committing suicide|slit my (?:wrists?|throat)|end it all",
        jokeable=False,
    ),
    _rule("kys_self", "suicide", r"(?:i|to|should|will|going|might|gonna|just) kys"),
    _rule(
        "contemplate",
        "suicide",
        rf"(?:thinking|think|thought|thinking seriously|"
        rf"considering|consider|contemplating|planning|plan|researching|googling|looking up|"
        rf"obsessed with|cant stop thinking|keep thinking|dreaming|fantasising|feel like|"
        rf"feeling like|felt like|feels like) "
        rf"(?:about|of|on|over)? ?{G1}{_DEATH_GERUND}",
    ),
    _rule(
        "passive",
        "suicide",
        rf"(?:dont|never|no longer|not|not sure (?:if )?i|dont think i|"
        rf"dont know if i|not sure i even|dont think i even) (?:really |even )?(?:want|"
        rf"wanna|wish) "
        rf"to (?:be here {ANYMORE}|be here no more|live(?! (?:with|in|there|here|near|at|on|"
        rf"alone|together|somewhere|anywhere|where|by|like that|in|round|around|further|"
        rf"closer|far|close))|exist|be alive|wake up(?! (?:early|at|for|tomorrow morning|"
        rf"in the morning|so early))|go on {ANYMORE}|carry on|keep going|be around {ANYMORE}|"
        rf"do this {ANYMORE}|be on this (?:earth|planet)|be in this world|live {ANYMORE}|"
        rf"be alive {ANYMORE}|do life|be me {ANYMORE}|live like this)",
    ),
    _rule(
        "wish_dead",
        "suicide",
        r"wish(?:ing)? (?:that )?i (?:was|were|could be|had|would|"
        r"could just|could|wouldnt|didnt|wasnt|werent|never|had never) (?:just )?(?:dead|"
        r"never born|not born|not alive|not here {ANYMORE}|gone forever|died|been born|"
        r"die|disappear forever|disappear for good|not wake up|never wake up|stop existing|"
        r"sleep forever|exist|wake up(?! (?:early|at|on time))|alive|here {ANYMORE}|"
        r"around {ANYMORE}|on this earth)".replace("{ANYMORE}", ANYMORE),
    ),
    _rule("better_off_dead", "suicide", r"better off dead|rather be dead(?! than)"),
    _rule(
        "better_off",
        "suicide",
        r"(?:better off|happier|better|easier|safer) without me|"
        r"better off (?:without me|if i (?:was|were|am) "
        r"(?:gone|dead|not here|not around|never born)|if i (?:wasnt|werent) (?:here|around|"
        r"alive))|(?:no one|nobody|noone) (?:will|would|wont|is going to) (?:have to|need to|"
        r"ever have to) (?:deal with|worry about|put up with|look after|bother with|chase) me"
        r"(?: (?:anymore|after tonight|again|soon|ever again))?|(?:easier|better) (?:for "
        r"(?:everyone|everybody|them|all|my [a-z]+) )?(?:if|when) i (?:was|were|am|wasnt|"
        r"werent) (?:gone|dead|not here|not around|here|around)|rather be dead(?! than)|"
        r"(?:no one|nobody|noone|none of them) (?:would|will|wud|is going to|gonna) "
        r"(?:care|notice|miss me|even notice|give a [a-z]+|even care)(?: (?:if|when) i "
        r"(?:die|died|was gone|was dead|killed myself|disappeared|wasnt here|am gone|"
        r"was not here))?(?=(?: [.,~]| |$))",
        who="any",
        negatable=False,
    ),
    _rule(
        "hopeless",
        "suicide",
        rf"(?:cant|dont think i can|dont know if i can|dont know how "
        rf"i can|not sure i can|unable to) (?:go on(?= (?:{ANYMORE}|like this|living|with "
        rf"life|with this life)|\s*[.,~]|$)|carry on(?= (?:{ANYMORE}|like this|living|with "
        rf"life)|\s*[.,~]|$)|keep going(?= (?:{ANYMORE}|like this)|\s*[.,~]|$)|do this "
        rf"{ANYMORE}|do it {ANYMORE}|cope {ANYMORE}|cope with (?:life|living|being alive)|"
        rf"take (?:it|this|any more|much more|no more|life)(?: {ANYMORE}| (?:any|much) "
        rf"more)|live like this|handle (?:it|this|life|anything) {ANYMORE}|keep living|"
        rf"be here {ANYMORE}|face (?:another day|tomorrow|life|living)|see a way out|"
        rf"see a future|do life {ANYMORE}|do life|live {ANYMORE}|stay alive|keep myself "
        rf"safe|be alive {ANYMORE})",
        negatable=False,
    ),
    _rule(
        "no_point",
        "suicide",
        r"(?:no|not any|isnt any|aint no|dont see the|cant see "
        r"the|cant see any|dont see any) (?:point|reason|purpose) (?:in |to |of |for )?"
        r"(?:living|being alive|going on|carrying on|life|me being (?:here|alive|around)|"
        r"existing|being here|waking up|me|to live|to go on|to carry on|staying alive|"
        r"anything {ANYMORE}|in anything {ANYMORE}|in me)|nothing (?:left )?to live for|"
        r"(?:whats|what is) the point (?:in |of )?(?:living|life|being alive|going on|"
        r"carrying on|existing|me|anything {ANYMORE}|staying alive|waking up|being here)|"
        r"(?:had enough|fed up) (?:of|with) (?:living|life|being alive|existing|this life|"
        r"my life|everything and|it all and)|"
        r"(?:life|it) (?:isnt|is not|aint|not) worth (?:living|it {ANYMORE})|not worth "
        r"living|(?:tired|sick|done) (?:of|with) (?:living|life|being alive|existing|"
        r"being here|this life|my life)|give up on (?:life|living|everything)|giving up "
        r"on (?:life|living|everything)|given up on (?:life|living)|want it all to (?:stop|"
        r"end)|want everything to (?:stop|end)|want (?:the pain|this pain|it) to end "
        r"(?:forever|for good)".replace("{ANYMORE}", ANYMORE),
    ),
    _rule(
        "no_way_out",
        "suicide",
        rf"(?:dont|cant|do not|cannot) see (?:the|any) point "
        rf"(?:{ANYMORE}|in (?:anything|life|living|going on|trying) {ANYMORE}|in anything|"
        rf"in life|in living)|(?:there is|theres|is) no point {ANYMORE}|(?:see|find|is|"
        rf"theres|there is|there is just|got) no way out(?! of (?:the|my|this|a) (?:contract|"
        rf"tenancy|lease|deal|course|job|room|building))|cant (?:see|find) (?:a|any) way out"
        rf"(?! of (?:the|my|this|a) (?:contract|tenancy|lease|deal|course|job|room|"
        rf"building))",
    ),
    _rule(
        "something_stupid",
        "suicide",
        r"(?:going to|will|might|scared i will|afraid i "
        r"will|about to|want to|could|worried i will|scared i might|afraid i might|"
        r"before i) (?:[a-z]+ )?do something (?:stupid|silly|dumb|bad|drastic|to myself)"
        r"(?! (?:like|at|in) )",
    ),
    _rule(
        "do_it_tonight",
        "suicide",
        r"(?:going to|will|ready to|about to|want to|decided "
        r"to|gonna|finally going to|finally) (?:just )?do it (?:tonight|now|today|right now|"
        r"this time)|tonight is the night|(?:pills|tablets|rope|noose|blade|razor) "
        r"(?:are |is )?(?:out )?(?:ready|lined up|counted out|all set)",
        requires=rf"{PILLS}|rope|noose|bridge|die|dead|kill myself|end it|suicide|"
        rf"goodbye|overdose|jump|blade|razor|cant go on|cant do this",
    ),
    _rule(
        "want_out",
        "suicide",
        r"want out(?: of (?:life|this life|this world|here for good))?"
        r"(?= [.,~]|$| now| tonight| for good)",
        requires=r"life|living|alive|die|dead|point|exist|cant do this|cant go on",
    ),
    _rule(
        "jump",
        "suicide",
        r"(?:going to|about to|ready to|want to|will|gonna|might|"
        r"should i|just going to) (?:just )?jump(?= [.,~]|$| now| tonight| right now| off)",
        jokeable=True,
    ),
    _rule(
        "think_about_it",
        "suicide",
        r"(?:think|thinking|thought) about (?:it|doing it|"
        r"that) (?:a lot|all the time|every day|everyday|constantly|every night|loads|more "
        r"and more|so much|again)",
        requires=r"kill myself|killing myself|suicide|suicidal|dying|die|end it|ending it|"
        r"end my life|overdose",
    ),
    _rule(
        "method",
        "suicide",
        r"(?:how|ways?|best way|easiest way|quickest way|painless "
        r"ways?|fastest way|surest way|most painless way) (?:to|of|do i|can i|could i|would i|"
        r"should i|does someone|does a person) (?:[a-z]+ )?(?:kill myself|die|end (?:it|my "
        r"life)|commit suicide|hang myself|tie a noose|kill yourself|unalive)|how (?:many|"
        r"much) (?:[a-z0-9]+ ){0,4}(?:would|will|does it take to|to|it takes to|needed to|"
        r"enough to|do i need to|to take to|should i take to|until i|before i|can) "
        r"(?:kill (?:me|you|someone|a person|myself)|die|od|overdose|be fatal|be lethal|"
        r"end it)|(?:lethal|fatal|deadly) (?:dose|amount)|(?:what|which) (?:pills|tablets|"
        r"meds|drugs) (?:would|will|can|could) kill (?:me|you|someone)",
    ),
    _rule(
        "means",
        "suicide",
        r"(?:got|have|bought|buy|buying|found|tied|tie|tying|made|make|"
        r"making|ready|holding|hidden|hid|saved|sorted|set up|setting up|put up|hung|"
        r"tested|brought) (?:[a-z]+ ){0,3}(?:rope|noose|ligature)|(?:rope|noose|ligature) "
        r"(?:is |are )?(?:ready|up|tied|set up|round my neck|around my neck)|noose|"
        r"(?:rope|belt|cord|scarf) (?:round|around) my neck",
    ),
    _rule(
        "place",
        "suicide",
        r"(?:i am|stood|standing|sat|sitting|up|right now|now|currently|"
        r"climbed|climbing|waiting) (?:on|at|up on|on top of|at the top of|on the edge of|at "
        r"the edge of|over|onto|up to) (?:a |the |this |that )?(?:bridge|roof|rooftop|ledge|"
        r"cliff|cliff edge|edge|tracks|train tracks|railway|railway line|railway tracks|"
        r"motorway bridge|multi storey|car park roof|top floor|balcony edge|tower block|"
        r"top of the car park|top of (?:a|the) (?:building|block|flats|car park))",
    ),
    _rule(
        "goodbye",
        "suicide",
        r"(?:written|wrote|writing|write|left|leaving|finished|done|"
        r"typed|sent|sending) (?:[a-z]+ ){0,2}(?:goodbye|suicide|last|final) (?:letters?|"
        r"notes?|messages?|texts?)|(?:this is|these are) my (?:last|final) (?:message|text|"
        r"goodbye|words)|this is goodbye(?! for now)|goodbye (?:everyone|world|forever|cruel "
        r"world)|(?:wont|will not|may not|might not|not going to) be (?:here|alive|around) "
        r"(?:tomorrow|much longer|by (?:the )?(?:morning|tomorrow|tonight|weekend|monday|"
        r"next week|time)|for much longer|in the morning|after tonight|anymore)|by the time "
        r"(?:you|someone|anyone|they) (?:read|reads|see|sees|get|gets) this|(?:given|giving|"
        r"gave) away (?:all )?(?:of )?my (?:stuff|things|belongings|possessions)|my suicide "
        r"(?:note|letter|plan)|(?:i have|i) (?:already |just |finally |now )?(?:said|done) my "
        r"goodbyes|(?:saying|said) my (?:last |final )?goodbyes",
        negatable=False,
    ),
    _rule(
        "suicidal",
        "suicide",
        r"(?:i am|i|i was|been|getting|feel|feeling|felt|feels|get|"
        r"gone|going|so|really|very|proper|well|bare|extremely|quite|bit|little|more|"
        r"really really|actively) suicidal|suicidal (?:again|tonight|right now|today|at the "
        r"moment|thoughts|feelings|urges|ideation|plans?)",
    ),
    _rule(
        "suicide_plan",
        "suicide",
        r"(?:my|having|have|getting|get|keep having|been having|"
        r"struggling with|dealing with|battling|with) (?:[a-z]+ ){0,2}(?:suicidal|suicide) "
        r"(?:thoughts|feelings|urges|ideation|plans?|attempt)|(?:attempt|attempting|try|"
        r"trying|tried) (?:at )?suicide",
    ),
    _rule(
        "final_sleep",
        "suicide",
        r"(?:go to sleep|fall asleep|sleep) and (?:never|not) "
        r"(?:wake up|wake)",
    ),
)

# Everyday plans that "tonight is the night" or "its happening tonight" may be about.
_EVENT_WORDS = (
    r"party|parties|gig|concert|date|match|game|film|movie|premiere|festival|prom|wedding|"
    r"birthday|bday|excited|cant wait|wish me luck|interview|exam|moving|move|flat|college|"
    r"course|uni|job|apply|applying|holiday|night out|going out|drinks|club|clubbing|"
    r"celebrat\w*|buzzing|hyped|yay|first day|driving test|test|results|keys|tattoo|"
    r"piercing|haircut|propos\w*|ask (?:her|him) out|tell (?:her|him|them|my [a-z]+)|"
    r"coming out|meet (?:him|her|them)|meeting|visit|visiting|contact|fight night|show|"
    r"between|which one|choose|chose|option"
)
# Reasons for not needing a thing any more that have nothing to do with dying.
_NO_NEED_REASONS = (
    r"now (?:that )?i|got (?:a|my|me) (?:new|car|bike|lift|job|licence|license)|passed|"
    r"moving|moved|move|new (?:one|flat|job|place|phone|card|pass|coat)|bought|buying|"
    r"getting (?:a|my)|driving|bike|car|upgrad\w*|replac\w*|refund\w*|cancel\w*|swap\w*|"
    r"instead|finish\w*|leaving (?:college|school|uni|the course|my job)|graduat\w*|"
    r"expir\w*|sell\w*|sold|summer|warm|weather|broken|broke|lost|thanks for (?:the|your|all "
    r"the) (?:help|info|advice)|(?:sorted|fixed|found) (?:it|now)|got (?:it|one) (?:now|sorted)"
)
_LOVED_ONES = (
    r"(?:everyone|everybody|all of (?:them|you|my [a-z]+)|each of (?:them|you|my [a-z]+)|"
    r"them all|(?:my|me) (?:family|mum|dad|nan|brothers?|sisters?|kids|friends|mates|carers?|"
    r"foster (?:family|carers?|parents?|mum|dad)|little (?:brother|sister)|sis|bro|son|"
    r"daughter|boyfriend|girlfriend|partner|worker|pa|gran|grandad|grandma|auntie|aunt|"
    r"uncle|cousins?|babys?|baby|nephew|niece|best (?:friend|mate)|bestie))"
)
_MY_THINGS = (
    r"(?:stuff|things|belongings|possessions|clothes|phone|trainers|xbox|ps[345]|games|"
    r"money|jewellery|savings|pets?|cat|dog|room|bits|records|music|books|art|drawings|"
    r"teddy|teddies|makeup|bag|bags)"
)
_SUICIDE_INDIRECT: tuple[_Rule, ...] = (
    _rule(
        "plan_time",
        "suicide",
        r"(?:tonight|today)(?: is|s) (?:the|my) (?:night|day)(?= [.,~]|$| i (?:finally |actually "
        r"|really )?(?:do it|go|die|end it|end everything|leave|will do it|kill myself|am going "
        r"to do it)(?= [.,~]|$| for good| forever))|"
        r"(?:doing|do|going to do|will do|am doing|to do) it (?:tonight |later |today |then "
        r"|later tonight )?(?:when|once|after|while|before) (?:everyone|everybody|they|the "
        r"(?:house|staff|others|carers)|my (?:carers?|flatmates?|housemates?|mum|dad|family|nan|"
        r"foster carers?|partner)|no one|nobody|anyone|everyones|everybodys|theyre|they are|"
        r"no ones|nobodys) (?:is |are |has |have |goes |go |gone "
        r"|falls? |fell |gets |wakes )?(?:asleep|in bed|gone to bed|go to bed|goes to bed|"
        r"sleeping|out|gone out|left|goes out|looking|around|home|awake|wakes up|up)|"
        r"(?:its|it is|it will be|its going to be|it is going to be|its going to|it is going "
        r"to|it will|its gonna|all|everything is|everythings) (?:all )?(?:happening|happen|"
        r"be happening|be over|over|done|end|ending|planned|sorted|set|ready)(?: [.,])? "
        r"(?:for )?(?:tonight|today|right now|later tonight|this evening)|"
        r"(?:^|(?<=[.,] ))(?:(?:ok|okay|right|well|so|yeah|anyway|thats it|sorry) (?:[.,] )?)*"
        r"(?:i have|i) (?:finally |just |now |already )?(?:decided|made (?:my|the|up my) "
        r"(?:decision|mind)|made my mind up)(?=(?: [.,~])*$)|"
        r"(?:i have|i) (?:finally |just |now |already )?(?:decided|made (?:my|the|up my) "
        r"(?:decision|mind)|made my mind up) (?:[.,] )?(?:tonight|its (?:tonight|happening|time)|"
        r"it is (?:tonight|happening|time)|this is it|there is no going back|no going back|"
        r"i am (?:doing|going to do) it)",
        who="any",
        excludes=_EVENT_WORDS,
    ),
    _rule(
        "no_need",
        "suicide",
        r"(?:wont|will not|will never|wont ever|not going to|wouldnt|aint going to|dont think i "
        r"will) (?:be )?(?:need|needing|needed|using|wanting|have any use for) (?:it|them|this|"
        r"that|these|those|any of (?:it|them|this|that|my [a-z]+)|anything|(?:my|me|the) "
        r"[a-z]+(?: [a-z]+)?)(?: [a-z]+){0,2}? (?:after (?:tonight|today|this weekend|this week|"
        r"tomorrow|i am gone|this)|where i am going|anymore|any more|no more|ever again|much "
        r"longer|for much longer)|(?:wont|will not) be needing (?:any of (?:it|them|this|my "
        r"[a-z]+)|(?:my|me) [a-z]+(?: (?!tonight|today|tomorrow|this|for|at|till|until)[a-z]+)?)"
        r"(?= [.,~]|$)",
        who="any",
        negatable=False,
        excludes=_NO_NEED_REASONS,
    ),
    _rule(
        "letters",
        "suicide",
        rf"(?:wrote|written|writing|write|left|leaving|finished|done|typed|sorted) "
        rf"(?:[a-z]+ ){{0,2}}?(?:letters|notes|cards|messages|voice notes|videos) (?:for|to) "
        rf"{_LOVED_ONES}|(?:wrote|written|writing|left|leaving|finished|done) (?:[a-z]+ )?"
        rf"(?:a letter|a note|a message) (?:for|to) (?:everyone|everybody|all of (?:them|you)|"
        rf"each of (?:them|you)|them all)",
        who="any",
        excludes=r"birthday|bday|christmas|xmas|valentine\w*|thank you (?:cards|letters|notes)|"
        r"application\w*|council|mp|complaint|appeal|court|judge|job|cv|reference|pen ?pal|"
        r"prison|visa|university|ucas|santa|wedding|teacher|school|college|homework|"
        r"assignment|invit\w*|party|leaving do|bins?|cleaning|washing up|dishes|rota|kitchen|"
        r"fridge|noise|parcel|rent|bills",
    ),
    _rule(
        "found_in_morning",
        "suicide",
        r"(?:they|someone|somebody|he|she|you|my [a-z]+|the (?:staff|carers?|police)|mum|dad|"
        r"staff|everyone) (?:will|would|are going to|is going to|gonna|should|can|might) "
        r"find (?:them|me|my body|the (?:letters?|notes?)|my (?:letters?|notes?)|"
        r"everything)(?: all)? (?:in the morning|tomorrow(?: morning)?|when (?:they|he|she|you|"
        r"everyone) (?:wake|wakes|get up|gets up|come|comes|get back|gets back)|first thing|"
        r"after i am gone|when i am gone)",
        who="any",
        excludes=r"keys|phone|wallet|purse|bag|cat|dog|lost|missing|parcel|present|presents|"
        r"surprise|gift|easter|santa|stocking|treasure|hunt|birthday|bday|cake",
    ),
    _rule(
        "say_goodbye",
        "suicide",
        r"(?:wanted|want|wanna|just|need|needed|had|have|going|came|come|wanting) to say "
        r"(?:bye|goodbye|my goodbyes|farewell|a last goodbye|thank you for everything|thanks for "
        r"everything|sorry for everything|sorry|i love (?:you|them)) (?:to (?:you|everyone|"
        r"someone|somebody|you all|my [a-z]+) )?(?:before i (?:go|leave|do it|die|end it|am "
        r"gone)(?: for good| forever)?(?= [.,~]|$| and| because| i)|one (?:last|final) time|for "
        r"the (?:last|final) time|for good|forever|while i (?:still )?can)|(?:this is|its) the "
        r"last time (?:you|anyone|you all|any of you|anybody|you guys) (?:will |are going to )?"
        r"(?:hear from me|see me|speak to me|talk to me)|(?:you|anyone|nobody|no one) (?:wont|"
        r"will not|will never|will) (?:ever )?(?:hear from|see) me (?:again|ever again)",
        who="any",
        negatable=False,
        excludes=r"see (?:you|ya)|next (?:week|time|session|month|year)|speak soon|talk soon|"
        r"be back|ttyl|brb|catch you|chat later|until next|till next|holiday|useless|rubbish|"
        r"crap|shit|waste of time|deleting|delete|uninstall\w*|unsubscribe|complain\w*|bed|"
        r"work|shift|college|school",
    ),
    _rule(
        "after_gone",
        "suicide",
        r"(?:after|when|once|for when|for after) i am (?:gone|dead|not here|not around|no "
        r"longer here)(?! (?:to|for|on|out|home|back|away|abroad|travelling|off|in|into|up|"
        r"down|over|round|through|at|with))|(?:after|when|once) i (?:die|have died|am dead|am "
        r"gone|kill myself)(?: [.,])? (?:[a-z]+ ){0,2}?(?:can|should|will|gets?|is to|to) "
        r"(?:have|keep|get|take|look after)|something (?:to remember me by|of mine to remember)",
        who="any",
        negatable=False,
    ),
    _rule(
        "giving_away",
        "suicide",
        rf"(?:given|giving|gave|give) (?:away )?(?:all|most|everything) (?:of )?(?:my )?"
        rf"{_MY_THINGS}?(?: away)?(?= [.,~]|$| to| so| because| and)|"
        rf"(?:given|giving|gave) (?:all )?my {_MY_THINGS} away",
        who="any",
        negatable=False,
        excludes=r"charity|oxfam|vinted|ebay|depop|sell\w*|sold|declutter\w*|clear\w* out|"
        r"moving|move|moved|too small|dont fit|grown out|donat\w*|food ?bank|shelter|"
        r"refuge|car boot|clothes swap",
    ),
    _rule(
        "who_gets",
        "suicide",
        rf"(?:sorting|sorted|sort|decided|deciding|decide|working|worked|figuring|figured|"
        rf"planning|planned|written|writing|wrote|listing|choosing|chosen|chose) (?:out |down )?"
        rf"who (?:gets|will get|should get|can have|is having|has|to give|should have|will "
        rf"have|gets to have|is getting|can keep|keeps) (?:all |each of )?(?:of )?my "
        rf"{_MY_THINGS}|(?:you|u|she|he|they|my [a-z]+) can (?:have|keep) (?:all )?(?:of )?my "
        rf"{_MY_THINGS} (?:after|when|once) (?:tonight|i am gone|i go|i have gone|i am not here)",
        who="any",
        excludes=r"move|moving|moved|flat|uni|university|prison|storage|holiday|abroad|"
        r"travelling|army",
    ),
)

_SH_VERB = (
    r"(?:cut|cuts|cutting|slash|slashing|slashed|slit|slitting|burn|burns|burnt|burned|"
    r"burning|hurt|hurts|hurting|harm|harms|harming|harmed|scratch|scratched|scratching|"
    r"scrape|scraped|scraping|carve|carved|carving|punch|punched|punching|hit|hitting|bang|"
    r"banged|banging|starve|starving|starved|stab|stabbed|stabbing|bruise|bruised|bruising|"
    r"bite|biting|bit|choke|choking|strangle|strangling|poison|poisoning|poisoned|punish|"
    r"punishing|punished|mutilate|mutilating)"
)
_SH_NOUN = r"(?:self harm(?:ing|ed|s)?|sh|cutting|harming myself|burning myself)"
_SH_END = (
    r"(?=(?: (?:again|tonight|today|now|right now|so bad|so badly|really bad|badly|deep|"
    r"deeper|myself|every night|every day|loads|more|still))*(?: [.,~]| and| but| so| because|"
    r" i|$))"
)

_SELF_HARM: tuple[_Rule, ...] = (
    _rule("myself", "self_harm", rf"{_SH_VERB} myself{ACCIDENT}"),
    _rule(
        "body",
        "self_harm",
        rf"(?:cut|cuts|cutting|slash|slashed|slashing|slit|slitting|"
        rf"burnt|burned|burning|burn|scratched|scratching|carved|carving|stabbed|stabbing|"
        rf"scraped|scraping) (?:my|me) (?:own )?{BODY}{ACCIDENT}",
    ),
    _rule(
        "head_wall",
        "self_harm",
        r"(?:bang|banging|banged|hit|hitting|smash|smashing) my "
        r"head (?:against|on|off|into) (?:the|a|my) (?:wall|floor|door|mirror)",
    ),
    _rule(
        "noun",
        "self_harm",
        r"(?:i|i am|i have|i have been|been|keep|still|i still|i keep|"
        r"used to|i used to|"
        r"i just|just|i sometimes|sometimes|i often|i have started) (?:really )?"
        r"(?:self harm(?:ing|ed)?|sh|shing)(?! (?:support|services?|team|groups?|leaflet|"
        r"info|information|advice))",
    ),
    _rule(
        "relapse",
        "self_harm",
        rf"(?:relapsed|relapse|relapsing|slipped up|started|start|"
        rf"starting|gone back to|went back to|back to|going back to|went back|"
        rf"cant stop) (?:on |with |into )?{G1}(?:self harm(?:ing)?|sh|cutting|harming|burning "
        rf"myself|cutting myself)|(?:self harm(?:ing|ed)?|sh|cutting|cut|harmed|burned|"
        rf"burnt) again{_SH_END}|been cutting",
    ),
    _rule(
        "again",
        "self_harm",
        r"(?:started|starting|doing it|done it|did it|happened|"
        r"relapsed|slipped up|gone back to it|went back to it|back on it) (?:again|today|"
        r"tonight|last night)(?= [.,~]|$| and| but| so| because| i | now| tonight| today| last)|"
        r"relapsed(?= [.,~]|$| and| but| so| today| tonight| last)",
        requires=r"cut\w*|self harm\w*|sh|burn\w* myself|hurt\w* myself|blades?|razors?|"
        r"scars?",
    ),
    _rule(
        "urge",
        "self_harm",
        rf"(?:urge|urges|urged|tempted|craving|cravings|itching|want|"
        rf"wanted|need|needs|going|about|close|trying not) to (?:self harm|sh|cut|relapse)"
        rf"{_SH_END}",
    ),
    _rule(
        "tools",
        "self_harm",
        r"(?:got|have|holding|bought|found|hid|hiding|hidden|sharpened|"
        r"took apart|broke open|broken open|get|getting|took out|taken out|looking at) "
        r"(?:[a-z]+ ){0,3}(?:razor|razors|blades?|razor blades?|sharpener blades?)"
        r"(?! (?:for|to) (?:shave|shaving|my legs|my beard))|(?:knife|blade|razor|glass) "
        r"(?:to|against|on) my (?:wrists?|arms?|skin|throat|neck|legs?)",
    ),
    _rule(
        "wounds",
        "self_harm",
        r"(?:fresh|new|deep|open) (?:cuts|wounds|burns) (?:on|all "
        r"over) my|(?:make|making|made) myself (?:sick|throw up|vomit|bleed)",
    ),
)

_BODY_PARTS = (
    r"(?:arms?|wrists?|legs?|thighs?|skin|stomach|tummy|belly|hips?|body|chest|face|ankles?|"
    r"forearms?|shoulders?|neck|throat|hands?|palms?|fingers?|knuckles?|feet|foot|back|side|"
    r"flesh|calf|calves|upper arm|inner arm)"
)
_HOT_THINGS = (
    r"(?:hob|iron|oven|cooker|stove|grill|pan|fire|flames?|lighter|candle|straighteners|"
    r"boiling water|boiling kettle|kettle|cigarette|fag|hot plate|hotplate|element|gas ring|"
    r"ring|hot (?:radiator|water|tap|metal|pan|knife|spoon)|red hot [a-z]+|toaster|heater)"
)
_SELF_HARM_INDIRECT: tuple[_Rule, ...] = (
    _rule(
        "carve",
        "self_harm",
        rf"(?:carve|carves|carved|carving|etch|etched|etching|gouge|gouged|gouging|engrave|"
        rf"engraved|engraving|slice|sliced|slicing|hack|hacked|hacking) (?:[a-z]+ ){{0,3}}?"
        rf"(?:into|in to|in|on|onto|across|along|up|down|over) my (?:own )?(?:left |right |"
        rf"upper |lower |inner )?{_BODY_PARTS}{ACCIDENT}|(?:cut|cuts|cutting|scratch|scratched|"
        rf"scratching|scrape|scraped|scraping) (?:[a-z]+ ){{0,3}}?(?:into|in to) my (?:own )?"
        rf"(?:left |right |upper |lower |inner )?{_BODY_PARTS}{ACCIDENT}|(?:dig|digging|dug|"
        rf"digs) (?:my )?(?:nails|fingernails|a (?:knife|blade|compass|pin|needle|pen)|the "
        rf"(?:knife|blade|compass|pin|needle)) (?:in|into|in to) my (?:own )?{_BODY_PARTS}",
        excludes=r"tattoo\w*|pumpkin|wood|clay|soap|turkey|chicken|meat|the roast|cake",
    ),
    _rule(
        "burn_with",
        "self_harm",
        rf"(?:press|pressed|pressing|presses|put|putting|puts|held|hold|holding|holds|stuck|"
        rf"sticking|shoved|shove|lay|laid|place|placed|placing|rest|rested|keep|kept) my (?:own )?"
        rf"(?:left |right )?{_BODY_PARTS} (?:[a-z]+ ){{0,2}}?(?:on|onto|against|to|under|in|"
        rf"into|over) (?:the |a |my |an )?(?:lit |hot |boiling |burning |red hot )?{_HOT_THINGS}"
        rf"{ACCIDENT}|"
        rf"(?:held|hold|holding|holds|put|putting|press|pressed|pressing|stub|stubbed|stubbing|"
        rf"touch|touched|touching) (?:a |the |my |an )?(?:lit |hot |burning |red hot )?"
        rf"(?:lighter|cigarette|fag|cig|ciggie|flame|match|candle|hot knife|hot spoon|hot metal|"
        rf"iron|straighteners|lighter flame|hot coin|hot key) (?:out )?(?:to|on|against|into|"
        rf"onto|across) my (?:own )?(?:left |right |inner )?{_BODY_PARTS}",
        excludes=r"accident\w*|by mistake|didnt mean|without thinking|wasnt looking|slipped|"
        r"tripped|cooking|baking|making (?:dinner|tea|food|breakfast|lunch|toast)|ironing|"
        r"straightening my hair|clean\w*|warm (?:up|them|my)|warming|cold|freezing|oops|"
        r"wash\w*|test\w* (?:if|whether)",
    ),
    _rule(
        "burn_with_it",
        "self_harm",
        rf"(?:press|pressing|put|putting|hold|holding|stick|sticking|shove|lay|place|keep) "
        rf"my (?:own )?(?:left |right )?{_BODY_PARTS} (?:on|onto|against|in|into|over) "
        rf"(?:it|that|there)(?: again)?{ACCIDENT}",
        requires=r"\b(?:hob|iron|oven|cooker|stove|grill|lighter|candle|straighteners|kettle|"
        r"heater|fire)\b",
        excludes=r"accident\w*|by mistake|cooking|baking|ironing|warm (?:up|them|my)|warming|"
        r"cold|freezing|clean\w*",
    ),
    _rule(
        "blades",
        "self_harm",
        r"(?:my|new|fresh|more|spare|hidden|secret|sh) (?:sh |self harm )?(?:blades|blade|"
        r"razor blades|sharpener blades)|(?:got|bought|found|have|get|getting|hid|hidden|"
        r"hiding|got some|have got) (?:some )?(?:new|more|other) ones",
        requires=r"blades?|razor blades?",
        excludes=r"shav\w*|beard|gillette|venus|wilkinson|bic|skat\w*|rollerblad\w*|mower|"
        r"hockey|fan|wiper\w*|blender|stanley|craft|diy|plaster\w*|carpet|lino|scooter|"
        r"windscreen|propeller|for (?:my|the) (?:razor|shaver|trimmer|clippers)|hair|"
        r"lawn|grass|garden|kitchen|food processor",
    ),
    _rule(
        "till_bleed",
        "self_harm",
        r"(?:punch|punches|punched|punching|hit|hits|hitting|smash|smashed|smashing|bang|"
        r"banged|banging|scratch|scratched|scratching|scrub|scrubbed|scrubbing|rip|ripped|"
        r"ripping|claw|clawed|clawing|slap|slapped|slapping|kick|kicked|kicking|headbutt|"
        r"headbutted|headbutting) (?:[a-z]+ ){0,4}?(?:till|until|til|untill|so hard) "
        r"(?:my (?:[a-z]+ )?|i |it |they |there is |theres |the )?(?:[a-z]+ )?(?:bleed|bleeds|"
        r"bled|bleeding|bruise|bruises|bruised|bruising|break|broke|broken|cracked|crack|split|"
        r"splits|blood|swell|swelled|swollen)",
        excludes=r"punch(?:ing)? bag|boxing|sparring|gym|training|pads|mitts|heavy bag|"
        r"punchbag|eczema|psoriasis|bites?|itch\w*|chicken ?pox|hives|rash",
    ),
)

_TOOK = (
    r"(?:took|taken|swallowed|necked|downed|popped|ate|eaten|drank|drunk|overdosed on|"
    r"oded on|chucked down|had|done|just took|have taken|has taken)"
)
_TAKE_FUTURE = (
    r"(?:going to|want to|about to|will|might|planning to|plan to|thinking of|tempted to|"
    r"ready to|need to|should i|gonna|could) (?:just )?(?:take|swallow|neck|down|pop|eat)"
)

_OVERDOSE: tuple[_Rule, ...] = (
    _rule("took_qty", "overdose", rf"{_TOOK} {G3}{QTY} {G3}{PILLS}", who="any"),
    _rule(
        "take_qty",
        "overdose",
        rf"{_TAKE_FUTURE} {G3}{QTY} {G3}{PILLS}|{_TAKE_FUTURE} "
        rf"(?:them|these|those|it) all|{_TAKE_FUTURE} (?:the lot|the whole lot|everything "
        rf"in the cupboard)",
        requires=PILLS,
    ),
    _rule(
        "overdose",
        "overdose",
        r"(?:taken|took|had|done|take|taking|do|doing|having|"
        r"attempted|just had|have had) an? (?:overdose|od)|(?:i|i have|have|has|just|think "
        r"i|i think i|might have|i might have|he|she|they|hes|shes|friend|mate|may have|"
        r"just|i just|i have just|already|i already) (?:overdosed|oded)|overdosing|"
        r"(?:going|want|wants|about|plan|planning|thinking of|tempted|try|trying|tried|"
        r"need|ready|decided) to (?:overdose|od)(?! on (?:chocolate|sugar))|"
        r"(?:will|might|could|should|gonna|just) (?:overdose|od)\b",
        who="any",
    ),
    _rule(
        "overdose_on_purpose",
        "overdose",
        r"(?:^|[.,] )(?:overdosed|oded)\b|"
        r"(?:overdosed|oded|od|overdose|took (?:them|it|pills|tablets)) (?:on purpose|"
        r"deliberately|to (?:die|end it))",
        who="any",
    ),
    _rule(
        "pills_ready",
        "overdose",
        rf"{QTY} {G1}{PILLS} (?:out )?(?:in front of me|"
        rf"lined up|ready|counted out|next to me|in my hand|on the table|by my bed)",
    ),
    _rule(
        "stockpile",
        "overdose",
        rf"(?:saving|saved|stockpiling|stockpiled|hoarding|hoarded|"
        rf"collecting|collected|storing|stored|been saving|keeping|kept|hiding|hidden|hid) "
        rf"(?:up )?{G2}{PILLS}(?! for (?:my|a|the) (?:holiday|trip))|enough {PILLS} to "
        rf"(?:kill|die|od|overdose|end)",
    ),
    _rule(
        "poison",
        "overdose",
        r"(?:drank|drunk|swallowed|drinking|swallowing|ate|eaten|had|"
        r"took|taken|necked) (?:some |a |the |a bottle of |loads of |a load of |a cup of )?"
        r"(?:bleach|poison|antifreeze|anti freeze|washing up liquid|weed killer|rat poison|"
        r"cleaning (?:stuff|product|liquid|products)|dettol|toilet cleaner|fairy liquid|"
        r"white spirit|paint thinner|lighter fluid)",
        who="any",
    ),
    _rule(
        "mixed",
        "overdose",
        rf"(?:mixed|mixing|taken|took|had) {G3}{PILLS} {G2}(?:with|and) "
        rf"{G2}(?:alcohol|vodka|drink|booze|wine|beer|cider|spirits)",
        who="any",
    ),
    _rule(
        "too_much",
        "overdose",
        rf"(?:took|taken|had|done|snorted|smoked|injected|necked|"
        rf"dropped|swallowed) (?:way |far )?too (?:much|many) (?:[a-z]+ )?{DRUGS}",
        who="any",
    ),
)

# Downers: taken together, or on top of drink, they stop people breathing.
_DOWNERS = (
    r"(?:benzos?|xanax|xans|valium|vallies|diazepam|pregabalin|pregab|gabapentin|gabbies|"
    r"blues|street valium|etizolam|tramadol|codeine|cocodamol|heroin|gear|methadone|"
    r"subutex|buprenorphine|ket|ketamine|ghb|gbl|spice|zopiclone|sleeping (?:pills|tablets)|"
    r"morphine|oxycodone|oxy|fentanyl|downers|opiates|opioids|alcohol|drink|booze|vodka|"
    r"drinking|wine|cans|cider|lean)"
)
_AMOUNT = (
    r"(?:like |about |around |roughly |maybe |over |nearly |almost |at least |another |"
    r"more than )?(?:\d{2,}|[5-9]|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"loads|a load|a handful|handfuls|a whole (?:pack|packet|box|bottle|strip|tub)|the whole "
    r"(?:pack|packet|box|bottle|strip|tub)|half (?:a|the) (?:pack|packet|box|bottle|tub))"
)
_SEDATED = (
    r"(?:(?:eyes|eyelids|head|body|legs|arms|everything|vision) (?:is |are |keep |keeps )?"
    r"(?:going |getting |gone |went |feel |feels |feeling )?(?:really |so |proper |well |very "
    r")?(?:heavy|blurry|dark|black|fuzzy|numb)|cant keep my eyes open|(?:drifting|slipping|"
    r"going) (?:off|under|away)|cant stay awake|(?:heart|heartbeat) (?:is )?(?:racing|"
    r"pounding|going mad|going crazy|slowing(?: down)?|really slow))"
)
_TAKEN_THEM = (
    rf"(?:taking|i took|i have taken|i have took|necking|swallowing|popping|i necked|"
    rf"i swallowed|i popped|i have had|i had) (?:them|those|these|all|the lot|everything|"
    rf"it all|that many|so many|{QTY}|{PILLS}|{_DOWNERS})|(?:taking|necking|swallowing|"
    rf"popping)(?= [.,~]|$)"
)
_OVERDOSE_INDIRECT: tuple[_Rule, ...] = (
    _rule(
        "into_mouth",
        "overdose",
        rf"(?:tipped|tip|tipping|emptied|empty|emptying|poured|pour|pouring|shoved|shove|"
        rf"stuffed|crammed|chucked|threw|put|putting|necked|downed|swallowed) {G3}"
        rf"(?:{QTY}|them|it|the lot|all of (?:them|it)) {G4}(?:in|into|down) my (?:mouth|throat|"
        rf"gob|neck)|(?:emptied|tipped|poured|counted out|popped|pressed out|pushed out|got out) "
        rf"{G3}(?:{QTY}|them|it|the lot|all) {G5}(?:and|then|,) (?:i )?(?:just )?(?:swallowed|"
        rf"necked|took|downed|ate|had) (?:them|it|the lot|all of them|all|every one|em)",
        who="any",
        over=True,
        requires=rf"{PILLS}|(?:pack|packet|box|strip|blister|tub|bottle)s?(?! of)",
    ),
    _rule(
        "took_lot",
        "overdose",
        r"(?:took|taken|swallowed|necked|popped|downed|have taken|just took|chucked back) "
        r"(?:a |the |my |another |two |2 |three |3 |all )?(?:whole |entire |full )?(?:handful|"
        r"handfuls|pack|packs|packet|packets|box|boxes|strip|strips|blister|blisters|tub|lot|"
        r"bottle)(?= [.,~]|$| of (?:them|my|it|those|these|pills|tablets|meds)| and| but| so| i| "
        r"now| tonight| just| because| in one go| at once| an hour ago)",
        who="any",
    ),
    _rule(
        "washed_down",
        "overdose",
        rf"(?:washed|washing|wash|washes|chased|chasing|chase|knocked|knocking|got|get|getting|"
        rf"forced|forcing|necked|necking|downed|downing|swallowed|put|shoved) (?:them|it|em|the "
        rf"(?:lot|pills|tablets)|all of them|those|these|"
        rf"{PILLS}|{QTY} {G2}{PILLS}) (?:all )?down with (?:[a-z]+ ){{0,2}}?(?:vodka|alcohol|"
        rf"booze|drink|wine|beer|cider|spirits|whisky|whiskey|rum|gin|lager|cans|a can|brandy|"
        rf"jager|buckfast|tequila|sambuca|stella|more pills|lean|codeine|energy drink|monster|"
        rf"redbull|red bull|a bottle of [a-z]+)",
        who="any",
        over=True,
    ),
    _rule(
        "doubled",
        "overdose",
        rf"(?:doubled|tripled|doubling|tripling|quadrupled) (?:up )?(?:on )?(?:my|me|the|his|"
        rf"her|their) (?:usual |normal |daily |prescribed )?(?:dose (?:of )?(?:my )?)?"
        rf"(?:{PILLS}|{_DOWNERS}|dose|script|prescription|meds)|(?:took|taken|had|take|taking|"
        rf"necked|drank|drunk) (?:double|triple|twice|three times|2x|3x|x2|x3|double the|"
        rf"triple the) (?:my |the |me |his |her )?(?:usual |normal |daily |prescribed )?"
        rf"(?:dose|{PILLS}|{_DOWNERS}|script|amount)|(?:took|taken|had|drank|necked) (?:my |me )?"
        rf"(?:{PILLS}|{_DOWNERS}|script|dose) (?:twice|two times|three times)(?: today| tonight| "
        rf"in one go| at once)",
        who="any",
        over=True,
        excludes=r"(?:doctor|doctors|gp|psychiatrist|nurse|pharmacist|prescriber|consultant|"
        r"clinic|keyworker|team|they|drug worker|cgl) (?:have |has |just |wants to |want to |is "
        r"going to |said (?:to|i can|i should) )?(?:doubled|increased|upped|put|raised|"
        r"double|up)|forgot|missed (?:a|my|yesterday|one|it)|prescribed|dosette|advice",
    ),
    _rule(
        "on_top",
        "overdose",
        rf"{_DOWNERS} (?:[a-z]+ ){{0,2}}?on top(?! of)|{_DOWNERS} (?:[a-z]+ ){{0,2}}?on top "
        rf"of (?:[a-z]+ ){{0,3}}?(?:{_DOWNERS}|{PILLS}|everything|it all|the lot|all that|all "
        rf"of it)|(?:{PILLS}|drugs|pills) (?:[a-z]+ ){{0,2}}?on top of (?:[a-z]+ ){{0,2}}?"
        rf"{_DOWNERS}|(?:drank|drunk|drinking|been drinking|necked|took|taken|had|done|smoked|"
        rf"sniffed|snorted|injected|used) (?:[a-z]+ ){{0,3}}?on top of (?:[a-z]+ ){{0,2}}?"
        rf"(?:{_DOWNERS}|{PILLS})",
        who="any",
        over=True,
        requires=r"took|taken|had|have had|necked|popped|drank|drunk|drinking|done|did|"
        r"swallowed|smoked|using|used|been on|taking",
    ),
    _rule(
        "already_taken",
        "overdose",
        rf"(?:already|just|i have|i|i have just|i just|i have already|i already) (?:had|taken|"
        rf"took|swallowed|necked|done|popped|used|drank|drunk) {_AMOUNT}",
        who="any",
        over=True,
        requires=(
            r"how (?:many|much)|too (?:many|much)|is (?:it|that|this) (?:safe|ok|okay|dangerous|"
            r"bad|too)|will i (?:be ok|be okay|be alright|be fine|die)|am i (?:going to be|gonna "
            r"be) (?:ok|okay|alright|fine)|should i (?:be )?(?:worried|go to)|what happens|"
            r"(?:lethal|fatal|deadly|max|maximum) (?:dose|amount)",
            rf"{PILLS}|xanax|xans|benzos?|ket|ketamine|coke|cocaine|mdma|pingers|heroin|gear|"
            rf"spice|methadone|of them|of these|mg|dose",
        ),
    ),
    _rule(
        "asked_after",
        "overdose",
        rf"(?:is|are|would|will|does|do) {QTY} {G2}{PILLS} (?:be |kill |hurt )?(?:too many|too "
        rf"much|dangerous|safe|ok|okay|an overdose|enough to|me|bad|fatal|lethal)",
        who="any",
        requires=r"already (?:had|taken|took|swallowed|necked|done|popped)|just (?:took|taken|"
        r"had|swallowed|necked|popped)|i have (?:taken|had|took|swallowed|necked)|i took|"
        r"i necked|i swallowed",
    ),
    _rule(
        "sedated",
        "overdose",
        rf"{_SEDATED} (?:[a-z]+ ){{0,4}}?after {_TAKEN_THEM}|after {_TAKEN_THEM}(?: [a-z]+)"
        rf"{{0,4}} (?:my )?{_SEDATED}",
        who="any",
        over=True,
    ),
)

_THREAT_VERB = (
    r"(?:kill|hurt|stab|beat|batter|shoot|burn|smash|slash|rape|murder|end|break|jump|bang|"
    r"do|come for|come after|cut|acid|knife|shank|choke|strangle|bury|torch|get)"
)
_HARMED: tuple[_Rule, ...] = (
    _rule(
        "agent_harm",
        "harmed_or_threatened",
        rf"{AGENT} {PRES_AUX}{HARM_VERB} "
        rf"(?:me|us|my (?:face|head|neck|throat|arm|arms|body)|me up){HARM_EXCLUDE}",
        who="any",
    ),
    _rule(
        "hiding",
        "harmed_or_threatened",
        r"hiding (?:from (?:him|her|them|my [a-z]+)|in "
        r"(?:the|my|a) (?:bathroom|toilet|wardrobe|cupboard|bedroom|room|loo)(?= "
        r"(?:because|from|hes|shes|they|he|she|and he|and she|and they|so he|so she)))",
        who="any",
    ),
    _rule(
        "cant_go_home",
        "harmed_or_threatened",
        r"cant go (?:back )?home",
        requires=r"scared|afraid|frightened|terrified|hes|shes|he will|she will|hit|hurt|kill|"
        r"beat|threat\w*|not safe|coming back|waiting for me|knife|violent|drunk and",
        who="any",
    ),
    _rule(
        "spiked",
        "harmed_or_threatened",
        r"(?:drink|drinks) (?:was|were|has been|have been|"
        r"got|been|must have been|is|might have been) spiked",
        who="any",
    ),
    _rule(
        "thrown_at",
        "harmed_or_threatened",
        rf"{AGENT} {PRES_AUX}(?:threw|throws|"
        rf"throwing|chucked|chucks|chucking|lobbed|hurled|smashed) (?:a |an |the |his |her |"
        rf"their |my )?(?:[a-z]+ )?[a-z]+ (?:at|over) me",
        who="any",
    ),
    _rule(
        "passive",
        "harmed_or_threatened",
        r"(?:i am|i was|i got|got|been|i have been|"
        r"keep getting|i get|being|getting|just got|just been) (?:[a-z]+ )?(?:beaten|"
        r"battered|attacked|assaulted|raped|stabbed|jumped|mugged|abused|strangled|choked|"
        r"kidnapped|threatened|stalked|sexually assaulted|punched|beat up|beaten up|spiked|"
        r"drugged|molested|followed home|held down|hit by (?:him|her|them|my [a-z]+|someone|"
        r"a man)|hurt by (?:him|her|them|my [a-z]+|someone|a man)|being followed|"
        r"touched (?:by|up|inappropriately))(?! (?:a |an )?(?:game|match|fifa))",
        who="any",
    ),
    _rule(
        "threat_modal",
        "harmed_or_threatened",
        rf"(?:going to|gonna|will|is going to|are "
        rf"going to|wants to|want to|tried to|trying to|try to|coming to|will come and|going "
        rf"to come and|could|would) (?:[a-z]+ ){{0,2}}{_THREAT_VERB} (?:me|my (?:face|head|"
        rf"legs|neck)|us)(?! (?:a|an|the|some|one) )(?! up (?:a|the|some))"
        rf"(?! (?:lol|off at|at|from|in the|round at) )",
        who="person",
        negatable=False,
        jokeable=True,
        excludes=r"(?:mum|mam|dad|nan|gran|grandma|grandad|carers?|foster [a-z]+|pa|worker|"
        r"sister|brother|aunt|auntie|uncle|cousin|mates?|friends?|bestie|taxi|uber|lift|police) "
        r"(?:is |are |will |can |could |said (?:she|he|they) (?:will|would|can) )?(?:coming|come|"
        r"going to come|gonna come) (?:[a-z]+ ){0,2}?(?:to |and )?get me",
    ),
    _rule(
        "threat",
        "harmed_or_threatened",
        rf"(?:threaten|threatens|threatened|threatening|"
        rf"said|says|saying|told me|telling me|swore|swears|swearing|promised|keeps "
        rf"saying|texted|texting|text|messaged|messaging|sent me|sending me) "
        rf"(?:[a-z]+ ){{0,4}}"
        rf"{_THREAT_VERB} (?:me|my (?:face|head|legs|neck)|us)(?! (?:a|an|the|some|one) )"
        rf"(?! up (?:a|the|some))(?! (?:lol|off at|at|from|in the|round at) )",
        who="any",
        negatable=False,
    ),
    _rule(
        "threat_family",
        "harmed_or_threatened",
        rf"(?:threaten|threatens|threatened|"
        rf"threatening|said|says|saying|told me|telling me|swore|swears|promised|keeps "
        rf"saying|texted|messaged|going to|will|is going to|are going to|wants to|tried to) "
        rf"(?:[a-z]+ ){{0,4}}{_THREAT_VERB} my (?:house|flat|door|family|mum|kids|baby|"
        rf"sister|brother|son|daughter|nan|car|dog)",
        who="not_self",
        negatable=False,
    ),
    _rule(
        "threat_person",
        "harmed_or_threatened",
        r"(?:threatening|threatened|threatens|"
        r"threaten) (?:me|us)(?! (?:with|into) (?:court|legal|eviction|a fine|bailiffs|"
        r"sanctions?|the police|a ccj|debt collectors))",
        who="person",
        negatable=False,
    ),
    _rule(
        "threat_general",
        "harmed_or_threatened",
        r"(?:hes|shes|they are|they|he|she|"
        r"someone|someones|people|people are|they keep|he keeps|she keeps) (?:[a-z]+ )?"
        r"(?:threatening|threatened) (?:me|us|my)(?! (?:with|into) (?:court|legal|eviction|"
        r"a fine|bailiffs|sanctions?|the police|a ccj|debt collectors))|(?:death|rape) "
        r"threats?|threatening "
        r"(?:messages|texts|calls) (?:from|off)",
        who="any",
    ),
    _rule(
        "fear",
        "harmed_or_threatened",
        r"(?:scared|afraid|frightened|terrified|worried|"
        r"petrified|panicking) (?:that )?(?:he|she|they|hes|shes|my [a-z]+|someone|them) "
        r"(?:will |is going to |are going to |going to |might |could |is gonna |would |"
        r"is )?(?:come "
        r"back|find me|hurt me|kill me|do something|get me|come round|turn up|be waiting|"
        r"hit me|break in|come after me|come for me)|(?:scared|afraid|frightened|terrified|"
        r"petrified) (?:of|for) my life|(?:fear|fearing) for my (?:life|safety)|(?:i am|i "
        r"think i am|i might be|i could be|we are|i feel like i am|i feel) in danger|(?:scared|"
        r"afraid|frightened|terrified|petrified) of (?:him|her|them|my (?:boyfriend|"
        r"girlfriend|partner|ex|dad|stepdad|stepmum|mum|husband|brother|carer|foster carer|"
        r"landlord|dealer|pimp))",
        who="any",
    ),
    _rule(
        "weapon",
        "harmed_or_threatened",
        r"(?:he|she|they|hes|shes|someone|somebody|"
        r"a man|a guy|man|guy|there is a man|theres a man|theres a guy|[a-z]+ has|[a-z]+ "
        r"is|got|pulled|pulling) (?:[a-z]+ ){0,2}(?:has |have |got |is holding |pulled |"
        r"holding |waving |carrying |with |had |pulled out |came at me with |threatening me "
        r"with |has got |got out )?(?:a |his |her |their |the |out a |out his |out her )?"
        r"(?:knife|gun|blade|machete|weapon|bat|hammer|shank|zombie knife|axe|crowbar|"
        r"screwdriver|acid)(?! (?:crime|amnesty|in the game|and fork|to (?:cut|eat|spread)|"
        r"for (?:the|my|cutting|dinner|food)|block|sharpener))|(?:pulled|pulling|held|holding|"
        r"put) (?:a )?(?:knife|gun|blade) (?:on|to|against|at) (?:me|my)|(?:gun|knife|blade) "
        r"(?:to|against|at) my (?:head|throat|neck|face)",
        who="any",
    ),
    _rule(
        "intruder",
        "harmed_or_threatened",
        r"(?:he|she|they|hes|shes|they are|someone|"
        r"somebody|someones|theres someone|there is someone|some (?:guy|guys|man|men|lads?|"
        r"boys|people|bloke|blokes)|a (?:man|guy|lad|bloke|gang|group)|(?:the|some) "
        r"(?:olders|elders|dealers?)|(?:his|her|their) (?:mates|boys|friends)|my ex|my "
        r"dealer|strangers?) (?:[a-z]+ )?(?:outside (?:my|the) (?:door|flat|house|window|"
        r"room|building)|banging on (?:my|the) (?:door|window)|trying to (?:get in|break in|"
        r"kick (?:the|my) door|break the door)|kicking (?:my|the) door|waiting for me "
        r"outside|at my door|following me|followed me home|watching me from|broke in|"
        r"broken in|smashed (?:my|the) (?:window|door))",
        who="any",
        negatable=False,
    ),
    _rule(
        "confined",
        "harmed_or_threatened",
        r"(?:wont|will not|doesnt|dont|not) let me "
        r"(?:leave|go home|out of (?:the|his|her|their|this) (?:house|flat|room|sight|car)|"
        r"out|go|escape|get out|see (?:my )?(?:friends|family|anyone|nobody|my mum))"
        r"(?! (?:with|to (?:the|a) (?:party|pub|club|cinema)))|"
        r"(?:locked|locking|keeping|keeps|kept) me (?:in|inside|here|prisoner|locked|"
        r"hostage|trapped)(?! (?:the )?loop)|held (?:me )?against my will|(?:i am|im) "
        r"(?:being )?(?:held|kept) (?:here|prisoner|hostage)|trapped (?:in|here|inside) "
        r"(?:the|this|his|her|their|a)? ?(?:house|flat|room|car|here)?(?= (?:and|with|by|"
        r"because)| [.,~]|$)",
        who="any",
        negatable=False,
    ),
    _rule(
        "rape",
        "sexual_abuse",
        r"(?:raped|sexually assaulted|forced (?:himself|"
        r"herself|themselves) on) (?:me|by)|(?:made|forced|forcing|makes|make) me (?:have "
        r"sex|sleep with|do sexual|do stuff i didnt want|touch)",
        who="any",
    ),
)

# People who come round to help, not to hurt.
_HELPERS = (
    r"\b(?:(?:mate|mates|friend|friends|mum|mam|nan|gran|bestie|carer|aunt|auntie|cousin) "
    r"(?:is |are |will |said (?:she|he|they) (?:will|would|is) )?(?:coming|come|on (?:his|her|"
    r"their) way)|pa|personal adviser|social worker|sw|keyworker|key worker|support worker|worker|"
    r"mentor|advocate|council|housing officer|delivery|courier|postman|dpd|amazon|taxi|uber|"
    r"engineer|plumber|electrician|inspector|landlord to fix|police|officer|nurse|doctor|gp|"
    r"midwife|health visitor|therapist|counsellor|iro|youth worker|fix|repair|boiler)\b"
)
_SLANG_HARM = (
    r"(?:sort me out(?! (?:with|a|an|some|my|for (?:money|cash|rent|food|a|an|some|the|my|"
    r"tonight|later|tomorrow)))|do me in|do me over|do me(?= [.,~]|$| "
    r"tonight| later| when| if| properly| now| bad)|teach me a lesson|have me over|mess me up|"
    r"fuck me up|f me up|merk me|wet me|shank me|bang me out|knock me out|put me in (?:hospital|"
    r"a and e|the hospital|a wheelchair|the ground|a box)|deal with me(?! about)|finish me(?: "
    r"off)?|jump me|rush me|cut me|smash me|batter me|end me|kill me|hurt me|stab me|beat me "
    r"up|slap me|burn me|torch my (?:house|flat|car|door|place))"
)
_WEAPONS = (
    r"(?:baseball bat|bat|knife|knives|broken bottle|bottle|blade|machete|hammer|glass|brick|"
    r"pole|stick|chair|screwdriver|scissors|iron bar|bar|weapon|gun|axe|crowbar|belt|shank|"
    r"golf club|pipe|spanner|kettle|pan|plank|rock|stone|wrench|hockey stick|poker|cleaver|"
    r"razor|padlock|lock|chain|fists|zombie knife|acid|sword|bleach)"
)
_HARMED_INDIRECT: tuple[_Rule, ...] = (
    _rule(
        "coming_for",
        "harmed_or_threatened",
        rf"(?:coming|come|comin|on (?:his|her|their|the|my) way|heading|turning up|turn up|"
        rf"pulling up|pull up|going to come|gonna come|will come) (?:[a-z]+ ){{0,3}}?(?:to |and )?"
        rf"{_SLANG_HARM}",
        who="any",
        jokeable=True,
        excludes=_HELPERS,
    ),
    _rule(
        "came_at",
        "harmed_or_threatened",
        rf"(?:coming|came|come|comes|comin|ran|running|run|runs|went|goes|going|lunged|"
        rf"lunging|lunges|charged|charging|swung|swinging|swings|flew|flying|launched|pulled|"
        rf"pulling|swiped|swiping|go|gone) (?:at|for) me (?:with|holding|waving) (?:a |an |his |"
        rf"her |their |the |some |my |a broken )?(?:[a-z]+ )?{_WEAPONS}|(?:coming|came|comes|"
        rf"comin|lunged|lunging|charged|charging|flew|flying|launched|ran|running|swung|"
        rf"swiped|swiping) at me(?= [.,~]|$| again| now| right now| and| so| but| in| from| "
        rf"when| because)|(?:went|going|goes|gone|lunged|swung|swinging|swings|tried to go|"
        rf"trying to go) for me(?= [.,~]|$| again| now| right now| with| and| so| but| when| "
        rf"because)",
        who="any",
        excludes=r"interview\w*|job|role|position|vot\w*|picked|chose|chosen|team|selected|"
        r"instead|promotion|audition\w*",
    ),
    _rule(
        "menace",
        "harmed_or_threatened",
        r"(?:photo|photos|pic|pics|picture|pictures|video|vid|snap|screenshot|selfie)s? (?:of|"
        r"outside|in front of) (?:my|our|me (?:at|outside) my) (?:front )?(?:door|flat|house|"
        r"building|window|street|road|block|car|school|college|work|place|address|gate|"
        r"letterbox|home|bedroom window)|(?:we|i) (?:know|knows) where (?:you|ya) (?:live|stay|"
        r"are|sleep|work)|(?:watch|mind) (?:your|yer|ya) back|(?:you are|youre|your) (?:dead|"
        r"finished|done for|getting it|going to get it|gonna get it)(?= [.,~]|$| when| if| "
        r"tonight| bro| fam| mate| blud| now)|its on sight|on sight|see (?:you|ya) (?:tonight|"
        r"soon|later|tomorrow|when you get home|at home|at yours)",
        who="any",
        negatable=False,
        jokeable=True,
        requires=(
            r"photo|photos|pic|pics|picture|pictures|video|vid|snap|screenshot|door|know where|"
            r"watch (?:your|yer|ya) back|threat\w*|scared|afraid|terrified|frightened|on sight|"
            r"coming for|outside|waiting|shaking|panicking|dead",
            r"said|says|saying|sent|send|texted|text|texts|messaged|message|messages|dm\w*|snap"
            r"\w*|voice ?notes?|wrote|posted|keeps? saying|told me|rang|called|calling|shouted|"
            r"shouting|threat\w*",
        ),
        excludes=r"fix\w*|repair\w*|broken|damp|mould|mold|maintenance|engineer|estate agent|"
        r"letting agent|insurance|landlord|council|deposit|inventory|housing",
    ),
    _rule(
        "know_where",
        "harmed_or_threatened",
        r"(?:know|knows|knew|found out|find out|finds out|worked out|figured out|got|have|has|"
        r"tracked down|tracked) (?:where i (?:live|stay|am staying|am|sleep|work|go to "
        r"(?:college|school|uni))|my (?:new )?(?:address|location))",
        who="any",
        requires=r"on (?:their|his|her|the|my) way|coming|outside|heading|turn(?:ing|ed)? up|"
        r"waiting|threat\w*|scared|afraid|terrified|frightened|hurt|kill|get me|after me|"
        r"looking for me|dead|watch|find me|come (?:round|for|after)|panicking|hiding|run|"
        r"stab|beat|batter",
        excludes=_HELPERS,
    ),
)

# A child or a pet asleep in the car.
_NAPPING = (
    r"|(?:my|the|our) (?:baby|son|daughter|kid|toddler|little one|dog|cat|puppy) (?:is |s )?"
    r"(?:sleeping|asleep|napping|having a nap)"
)
# Trips and travel: sleeping in a car or a tent on the way to a festival.
_TRAVEL = (
    r"festival|camping|campsite|glastonbury|road trip|on the way (?:to|back|home)|journey|"
    r"holiday|trip|ferry|flight|airport|long drive|overnight (?:coach|bus|train)|"
    r"national express|megabus|sleepover|for fun|my (?:train|coach|lift|flight)|my bus (?:is|"
    r"was|leaves|got)|picking me up|pick me up|train to|moving day|removal van|delayed|"
    r"cancelled train|dofe|duke of edinburgh|scouts|cadets|(?:coach|bus|flight) to|heading "
    r"to|off to|on my way to|going back to uni"
)
_NOWHERE: tuple[_Rule, ...] = (
    _rule(
        "nowhere_to",
        "nowhere_safe_tonight",
        r"nowhere (?:for (?:me|us|me and [a-z]+) )?(?:to |safe to |else to |safe )?"
        r"(?:sleep|stay|kip|crash|go(?! (?:for|at|on|over|during|in) (?:christmas|xmas|the "
        r"holidays|holidays|easter|summer|half term|new year|weekends|the weekend|lunch|"
        r"uni holidays|the summer))|rest|be|live (?:tonight|right now|now|from today))|"
        r"nowhere safe",
        future=True,
        who="any",
    ),
    _rule(
        "got_nowhere",
        "nowhere_safe_tonight",
        r"(?:got|have|has|with|theres|there is|left "
        r"with|ended up with|end up with|had) (?:absolutely |literally |just |totally )?"
        r"nowhere(?! (?:near|else|close|special|with|fast|good))(?= [.,~]| and| but| tonight|"
        r" now| right now| to| safe|$)",
        future=True,
        who="any",
    ),
    _rule(
        "nowhere_tonight",
        "nowhere_safe_tonight",
        rf"tonight {G5}nowhere|nowhere {G4}"
        rf"tonight|(?:no|not got a|not got any|havent got a|dont have a|without a) (?:bed|"
        rf"place|room|roof|home|where|sofa|couch|floor) {G4}tonight|(?:dont|havent|not) "
        rf"(?:got|have) "
        rf"(?:anywhere|any where|a place|somewhere) (?:to |safe to )?(?:sleep|stay|go|kip|"
        rf"crash)(?: tonight)?",
        future=True,
        who="any",
    ),
    _rule(
        "where_tonight",
        "nowhere_safe_tonight",
        r"(?:where|somewhere) (?:can|do|could|will|"
        r"should|am) i (?:going to )?(?:sleep|stay|go|kip|crash) (?:tonight|right now|now)|"
        r"need (?:somewhere|a place|a bed|a roof|a room|emergency (?:housing|accommodation|"
        r"shelter)|a hostel|shelter) (?:[a-z]+ ){0,3}(?:tonight|right now|asap|now)|"
        r"(?:emergency|crisis) (?:accommodation|housing|bed|shelter) (?:for )?tonight|"
        r"(?:homeless|on the streets?|sleeping rough|out on the street) (?:tonight|right now|"
        r"from tonight|as of tonight)",
        who="any",
    ),
    _rule(
        "rough",
        "nowhere_safe_tonight",
        r"(?:sleeping|sleep|slept|have to sleep|gonna "
        r"sleep|going to sleep|kipping|kip|spend the night|spending the night|spent the "
        r"night|stuck) (?:rough|on the streets?|outside|in (?:a|the|my) (?:park|doorway|car|"
        r"tent|bus station|train station|stairwell|bin shed|street|bus shelter|alley|"
        r"underpass|garage|shed|field|woods)|on (?:a|the) (?:bench|street|night bus|buses|"
        r"stairs)|on buses)(?! (?:in the )?(?:festival|camping|trip))|"
        r"(?:i am|i|living|been|ended up|end up|gonna be|going to be|will be|now|currently) "
        r"(?:[a-z]+ )?on the (?:streets(?! of)|street(?= [.,~]|$| now| tonight| and "
        r"(?:have|got|i have) nowhere| with nothing))",
        future=True,
        who="any",
        excludes=_TRAVEL + _NAPPING,
    ),
    _rule(
        "kicked_out",
        "nowhere_safe_tonight",
        r"(?:kicked|thrown|chucked|locked|turfed|put|"
        r"booted|threw|kicking|throwing|kick|throw|chuck|lock) (?:me |us )?out(?! of "
        r"(?:college|school|class|uni|university|the course|my course|the group|the game|"
        r"the club|the team|a lesson|lessons|the lesson|the chat|the group chat|the gym|"
        r"work|the shop|the pub|the bar|the library|training))",
        who="any",
        requires=r"tonight|nowhere|on the streets?|freezing|cold|right now|just now|no money|"
        r"middle of the night|no keys|cant get (?:back )?in|outside|sleep|no phone|its (?:late|"
        r"dark|pitch black|midnight)|pitch black|midnight|late at night|at night|\d+ ?(?:pm|am)\b|"
        r"with (?:my|me|all my) (?:bags|stuff)|(?:an|half an|one|two|a couple of) hours? ago|"
        r"just now|earlier tonight",
    ),
    _rule(
        "not_safe",
        "nowhere_safe_tonight",
        r"(?:i am|i feel|feel|feeling|i) (?:really |so |"
        r"just |totally |completely )?(?:not|un) ?safe(?! (?:sharing|using|giving|putting|"
        r"telling|talking|with this|on this|online|buying|paying|driving|walking alone at))|"
        r"(?:dont|never|no longer|doesnt|not) (?:really |even )?feel(?:ing)? (?:very |that |"
        r"totally |at all )?safe(?! (?:sharing|using|giving|putting|telling|talking|with "
        r"this|on this|online|buying|paying|driving))|not safe (?:at home|here|to go (?:back )?"
        r"home|in (?:my|the|this|our) (?:house|flat|home|room|place|hostel|placement)|"
        r"where i am|with (?:him|her|them|my [a-z]+)|going home|tonight|to stay|to go back|"
        r"at my (?:house|flat|place|mums|dads)|living (?:here|there|with [a-z]+))|unsafe "
        r"(?:at home|here|tonight|where i am|in my)",
        who="any",
        negatable=False,
    ),
    _rule(
        "scared_home",
        "nowhere_safe_tonight",
        r"(?:scared|afraid|frightened|terrified|too "
        r"scared|petrified) to (?:go|be) (?:back )?(?:home|there|back|in my (?:flat|house|"
        r"room))|cant go (?:back )?home (?:tonight|because (?:he|she|they|my|of (?:him|her|"
        r"them))|hes|shes|they are|he will|she will|they will|hes there|shes there)|"
        r"(?:changed|has changed|have changed|changing) the locks|(?:evicted|kicked out|"
        r"thrown out) (?:today|tonight|this morning|just now)|locked out (?:[a-z]+ ){0,4}"
        r"(?:tonight|freezing|cold|nowhere|middle of the night|no phone|no money|its midnight|"
        r"midnight|its late|its dark|\d+ ?(?:am|pm)\b)|(?:wont|"
        r"will not|doesnt) let me (?:back )?in(?:to)? (?:the|my|his|her)? ?(?:house|flat|"
        r"home)?(?: tonight)?",
        who="any",
        negatable=False,
    ),
)

_PUBLIC_PLACES = (
    r"(?:park|bus station|train station|coach station|station|street|streets|bench|car park|"
    r"high street|town centre|town|city centre|mcdonalds|maccies|doorway|stairwell|bus stop|"
    r"underpass|a and e|hospital|library|shopping centre|precinct|playground|field|woods|"
    r"canal|beach|garage|subway|square|cemetery|graveyard|church)"
)
_STAY_PLACES = (
    r"(?:(?:place|room|bed|sofa|house|flat|where) i was (?:meant|supposed|going|gonna|planning"
    r"|hoping) to (?:stay|sleep|kip|crash|go|be)|(?:my |the |a )?(?:mates|friends|nans|cousins|"
    r"aunties|sisters|brothers|boyfriends|girlfriends|mums|dads|exs) (?:sofa|place|house|flat|"
    r"room|spare room)|emergency (?:accommodation|bed|housing|placement)|(?:the |my |a )?"
    r"(?:hostel|b and b|bed|room|placement|accommodation|sofa|night shelter|shelter|stay|"
    r"sofa surf))"
)
_NIGHT_OR_STRANDED = (
    r"tonight|right now|nowhere|no where|stranded|stuck (?:out|outside|here|on the street)|its "
    r"(?:late|dark|midnight|\d+ ?(?:am|pm)|\d+)|so late|middle of the night|on the street|in "
    r"the street|outside|sleep|dont know where|no idea where|cold|freezing|dark|park|station"
)
_NIGHT = (
    r"tonight|all night|over ?night|the night|at night|till (?:the )?morning|its (?:late|dark)|"
    r"\d+ ?am\b"
)
_NOWHERE_INDIRECT: tuple[_Rule, ...] = (
    _rule(
        "nowhere_else",
        "nowhere_safe_tonight",
        r"(?:got|have|has|with|theres|there is|no) (?:absolutely |literally |just )?(?:nowhere|no "
        r"where|no place|no one) else(?: to (?:go|stay|sleep|kip|crash))?",
        future=True,
        who="any",
        requires=_NIGHT + r"|to (?:go|stay|sleep|kip|crash)",
    ),
    _rule(
        "turned_away",
        "nowhere_safe_tonight",
        r"(?:hostel|night shelter|shelter|refuge|emergency (?:accommodation|housing|bed)|b and "
        r"b|the council|housing (?:office|team)) (?:[a-z]+ ){0,4}?(?:turned me away|wont take "
        r"me|wont have me|cant take me|is full|was full|are full|were full|had no (?:room|"
        r"rooms|beds?|space)|have no (?:room|rooms|beds?|space)|got no (?:room|rooms|beds?|"
        r"space))",
        who="any",
        excludes=r"last (?:year|month|week)|years ago|when i was",
    ),
    _rule(
        "wont_let_me_stay",
        "nowhere_safe_tonight",
        r"(?:wont|will not|wouldnt|cant|refused to|dont) (?:let|have) me (?:stay|sleep|kip|"
        r"crash|stop)(?! (?:out|up|late|in bed|off))(?: (?:there|round|over|at theirs|anymore|"
        r"any more))*",
        who="any",
        requires=_NIGHT + r"|anymore|any more|nowhere|no where|late",
    ),
    _rule(
        "anywhere_tonight",
        "nowhere_safe_tonight",
        r"(?:anywhere|any where|any place|anyplace|somewhere) (?:i can|i could|to|for me to) "
        r"(?:stay|sleep|kip|crash|go|be safe) (?:tonight|right now|now|for the night)",
        who="any",
    ),
    _rule(
        "cant_stay_tonight",
        "nowhere_safe_tonight",
        r"(?:cant|can not|not allowed to|unable to) (?:stay|sleep|go back|be) (?:there|here|"
        r"home|at (?:home|my [a-z]+|the [a-z]+)|in (?:my|the|our) [a-z]+) (?:[a-z]+ ){0,2}?"
        r"(?:tonight|right now|anymore tonight)",
        who="any",
    ),
    _rule(
        "no_room_tonight",
        "nowhere_safe_tonight",
        r"(?:no|not any|isnt any|wasnt any) (?:room|space|spaces|beds?|places?) (?:left )?"
        r"(?:at|in|for me at|for me in) (?:the |a |any )?(?:hostel|shelter|night shelter|"
        r"refuge|emergency (?:accommodation|housing)|b and b)|(?:hostel|shelter|night shelter|"
        r"refuge|council) (?:has|have|had|got) no (?:room|space|spaces|beds?|places?)",
        who="any",
        excludes=r"last (?:year|month|week)|years ago|when i was",
    ),
    _rule(
        "out_in_the_cold",
        "nowhere_safe_tonight",
        r"(?:i am|sat|sitting|lying|laying|stuck|stood|standing|waiting) (?:[a-z]+ ){0,2}?"
        r"(?:on a bench|in the park|in a park|outside (?:my|the|a|his|her) [a-z ]{0,25}?"
        r"(?:house|flat|door|home|hostel|block))",
        who="any",
        requires=_NIGHT + r"|freezing|cold|snow\w*|rain\w*|pitch black|midnight|\d+ ?am\b|"
        r"wont (?:answer|let me in|open)|nowhere|no where",
        excludes=_TRAVEL + r"|picnic|football|with (?:my )?(?:dog|mates|friends) for",
    ),
    _rule(
        "released_nowhere",
        "nowhere_safe_tonight",
        r"(?:out of|released from|let out of|discharged from|left) (?:custody|prison|jail|"
        r"the cells|a young offenders|yoi|hospital|rehab)|(?:placement|tenancy|hostel place|"
        r"foster placement|supported (?:housing|lodgings)) (?:[a-z]+ ){0,2}?(?:ended|finished|"
        r"stopped|broke down|fell through) (?:today|tonight|this morning|yesterday)",
        who="any",
        requires=r"nowhere|no where|anywhere|nobody sorted|no one sorted|dont know where|no "
        r"idea where|no bed|no place|tonight|on the street",
    ),
    _rule(
        "in_car_tonight",
        "nowhere_safe_tonight",
        r"(?:in|on) (?:my|a|the|his|her|me) (?:car|van|tent|shed|garage) (?:[a-z]+ ){0,2}?"
        r"(?:for the night|tonight|all night|overnight|over night|again tonight)",
        who="any",
        excludes=_TRAVEL + r"|festival|camping trip|road trip",
    ),
    _rule(
        "out_of_sofas",
        "nowhere_safe_tonight",
        r"(?:run out of|ran out of|no more|out of) (?:sofas|couches|floors|places to (?:stay|"
        r"sleep|go)|mates to stay with|friends to stay with|people to stay with)",
        who="any",
    ),
    _rule(
        "staying_public",
        "nowhere_safe_tonight",
        r"(?:staying|stay|spending the night|spend the night|spent the night|stopping|stuck|"
        r"riding|ride) (?:[a-z]+ ){0,3}?(?:in|at|on) (?:a |the |some )?(?:bus station|train "
        r"station|coach station|station|mcdonalds|maccies|night bus|buses|streets|street|"
        r"a and e|stairwell|doorway)|(?:sitting|sat) (?:[a-z]+ ){0,2}?in (?:a |the )?(?:bus "
        r"station|train station|station|mcdonalds|maccies|a and e|stairwell|doorway)|"
        r"(?:walking|wandering|roaming) (?:round |around |about )?the streets",
        who="any",
        requires=_NIGHT,
        excludes=_TRAVEL,
    ),
    _rule(
        "homeless_now",
        "nowhere_safe_tonight",
        r"(?:i am|i|now|been|currently|literally|basically) (?:[a-z]+ )?homeless",
        who="any",
        negatable=True,
        requires=r"tonight|right now|raining|rain|pouring|cold|freezing|snow|no money|"
        r"nowhere|no where|on the streets?|outside|tonight|its (?:late|dark)|no food|"
        r"since (?:today|this morning)",
        excludes=r"last (?:year|month|week)|years ago|when i was|used to be|was homeless",
    ),
    _rule(
        "sleep_place",
        "nowhere_safe_tonight",
        r"(?:sleep|sleeping|slept|kip|kipping|crash|crashing|doss|dossing|bed down|bedding "
        r"down|have to sleep|got to sleep) (?:[a-z]+ ){0,2}?(?:in|at|on|under) (?:a |the |my "
        r"|some |this )?(?:[a-z]+ )?(?:a and e|waiting room|hospital waiting room|bus station|"
        r"train station|coach station|station|bus stop|stairwell|stairway|stairs|landing|"
        r"corridor|hallway|bin store|bin shed|car park|multi storey|underpass|subway|doorway|"
        r"bench|park|field|woods|tent|car|van|mcdonalds|maccies|24 hour [a-z]+|laundrette|"
        r"church|phone box|cemetery|graveyard|garage|shed|night bus|buses|street|alley|"
        r"beach|playground|canal|bridge|garden|shop doorway|cash point|cashpoint)"
        r"(?! (?:on the way|at the festival|at glastonbury))",
        future=True,
        who="any",
        excludes=_TRAVEL + _NAPPING,
    ),
    _rule(
        "fell_through",
        "nowhere_safe_tonight",
        rf"{_STAY_PLACES} (?:[a-z]+ ){{0,6}}?(?:fell through|has fallen through|fallen through|"
        rf"falls through|fell apart|cancelled|canceled|said no|said i cant|wont have me|cant "
        rf"have me|let me down|pulled out|backed out|didnt happen|isnt happening|is full|was "
        rf"full|are full|turned me away|kicked me out|has gone|went wrong)",
        future=True,
        who="any",
        requires=_NIGHT_OR_STRANDED,
        excludes=_TRAVEL,
    ),
    _rule(
        "left_placement",
        "nowhere_safe_tonight",
        r"(?:had to leave|have to leave|left|kicked out of|thrown out of|chucked out of|"
        r"booted out of|asked to leave|made to leave|told to leave|moved out of|evicted from|"
        r"removed from|ran away from|run away from|walked out of) (?:my |the |me )?"
        r"(?:placement|foster (?:placement|home|carers?|carers house|family|house)|supported "
        r"(?:housing|lodgings|accommodation)|semi independent(?: [a-z]+)?|hostel|childrens "
        r"home|care home|residential|b and b|emergency accommodation|lodgings|digs|flat|house|"
        r"mums|dads|nans|home)",
        future=True,
        who="any",
        requires=r"tonight|nowhere|no where|dont know where|park|station|street|streets|"
        r"outside|bags|sleep|no money|stranded|cold|freezing|dark|nobody|no one to",
        excludes=r"last year|years ago|now i (?:am|have)|my own (?:flat|place)|moved into|"
        r"new (?:flat|place|home)|uni|university",
    ),
    _rule(
        "with_bags",
        "nowhere_safe_tonight",
        rf"(?:i am|sat|sitting|stood|standing|stuck|waiting|been|wandering|walking|stranded|"
        rf"left|i have been) (?:[a-z]+ ){{0,2}}?(?:in|at|on|round|around|outside|by) (?:a |the "
        rf"|some )?{_PUBLIC_PLACES} (?:[a-z]+ ){{0,3}}?with (?:all )?(?:of )?(?:my|me|our) "
        rf"(?:bags|stuff|things|suitcases?|belongings|case|rucksack|bin bags|everything|whole "
        rf"life|life)|with (?:all )?(?:of )?my (?:bags|stuff|things|suitcases?|belongings|bin "
        rf"bags|whole life) (?:[a-z]+ ){{0,2}}?(?:in|at|on|round|around|outside) (?:a |the )?"
        rf"{_PUBLIC_PLACES}",
        future=True,
        who="any",
        excludes=_TRAVEL,
    ),
)

_SELL_OBJ = (
    r"(?:drugs|weed|crack|coke|gear|food|packages|parcels|stuff for (?:them|him)|bags|lines|"
    r"a line|county|for (?:them|him|her|the olders|the elders)|it for (?:them|him)|"
    r"cannabis|heroin|pills|shots|deals|bits)"
)
_EXPLOITATION: tuple[_Rule, ...] = (
    _rule(
        "made_to_deal",
        "criminal_exploitation",
        rf"(?:make|makes|made|making|force|forces|forced|"
        rf"forcing|got|get|gets|pressured|pressuring|want|wants|telling|told|threatening|"
        rf"using) me (?:to )?(?:sell|selling|shot|shotting|deal|dealing|run|running|carry|"
        rf"carrying|deliver|delivering|hold|holding|stash|stashing|move|moving|plug|"
        rf"plugging|drop|dropping|hide|hiding|cotch|cotching|keep|keeping|bring|bringing|"
        rf"travel|go) {G2}{_SELL_OBJ}",
        who="any",
    ),
    _rule(
        "have_to_deal",
        "criminal_exploitation",
        rf"(?:have to|got to|had to|need to|forced to|"
        rf"made to|supposed to) (?:sell|deliver|run|carry|hold|stash|move|drop off|shot|"
        rf"deal|plug|cotch) {G2}{_SELL_OBJ}|(?:shotting|shotting for|plugging for|running "
        rf"lines|running a line|run a line|working the line)",
        who="any",
    ),
    _rule(
        "county_lines",
        "criminal_exploitation",
        r"(?:i|i am|me|they|he|she|doing|do|did|run|"
        r"running|work|working|involved in|involved with|sent|sending|send|made|make|caught up "
        r"in|stuck in|trapped in|in|on|into|got|get|getting|dragged into|groomed into|"
        r"pulled into) (?:[a-z]+ ){0,3}county lines?|trap (?:house|flat)|trapping|cuckoo\w*|"
        r"(?:taken|took|taking) over my (?:flat|place|house|home)|(?:dealers|they|people|men|"
        r"he|she|them) (?:are |is )?(?:using|staying in|living in|dealing from|selling from|"
        r"dealing out of|selling out of|running drugs from) my (?:flat|place|house|home)",
        who="any",
    ),
    _rule(
        "debt",
        "criminal_exploitation",
        r"(?:my debt|the debt|pay (?:it|this|that) off|i owe|"
        r"owe (?:them|him|her|my dealer|some people|people|"
        r"the olders|the elders)|owed|owing|drug debt|debt to (?:them|him|a dealer|my dealer)|"
        r"in debt to|a debt)",
        who="any",
        requires=r"hurt|kill|stab|beat|batter|or else|do me|come for me|threat\w*|work it "
        r"off|pay it off by|make me|made me|working for them|run for them|find me|"
        r"smash|shoot|take it out on|my family|scared|run drugs|sell\w*|deal\w*",
    ),
    _rule(
        "sexual",
        "sexual_abuse",
        r"(?:older )?(?:men|guys|man|lads|boys|blokes|people|"
        r"olders|he|they|she|them|his mates|their mates|his friends|someone|somebody|my "
        r"boyfriend|my bf|my partner|my ex|my landlord|my dealer) (?:[a-z]+ ){0,6}(?:make|"
        r"made|making|makes|want|wants|forcing|force|forced|pressuring|pressure|pressured|"
        r"told|tell|tells|get|gets|got|expect|expects|expecting) me (?:to )?(?:do (?:sexual|"
        r"sex|stuff|things|it|bits|favours)|have sex|sleep with|send (?:nudes|pics|photos|"
        r"videos|pictures|nude)|go with|meet (?:men|guys|his mates|their mates|people|"
        r"strangers)|suck|give (?:him|them) head|strip|take my clothes off|do porn|sex work|"
        r"sell (?:myself|my body|sex)|be with (?:his|their) (?:mates|friends))",
        who="any",
    ),
    _rule(
        "sex_for",
        "sexual_abuse",
        r"(?:sex|sleep with (?:him|them|someone|people|men|guys|"
        r"my landlord)|sleeping with (?:him|them|someone|people|men|guys)) (?:for|in "
        r"exchange for|so i (?:can |could |have |get |will have )?(?:have|get|stay|keep|can)|"
        r"to (?:get|have|pay|keep)|instead of|or (?:i|he|they) (?:will|would|cant)) "
        r"(?:a |somewhere|money|rent|the rent|a bed|drugs|food|a place|a roof|cash|a room|"
        r"my room)|(?:selling|sell|sold) (?:myself|my body|sex)|(?:on the game|pimp|"
        r"pimping me|pimped)|(?:wants|want|asked|asking|expects) (?:sex|me to sleep with "
        r"him|sexual favours) (?:for|instead of|as) (?:rent|the rent|a room|payment)|pay "
        r"(?:the rent |it |him |them )?(?:in other ways|another way|with sex|in kind|with "
        r"my body)",
        who="any",
    ),
    _rule(
        "sextortion",
        "sexual_abuse",
        r"(?:threaten\w*|going to|gonna|will|said (?:he|she|"
        r"they)?(?: will| would| is going to)?|says (?:he|she|they)(?: will| would)?|or "
        r"(?:he|she|they) (?:will|would)) (?:[a-z]+ ){0,2}(?:share|post|send|leak|show|put|"
        r"expose|upload|spread) (?:[a-z]+ ){0,2}(?:my )?(?:nudes|pics|pictures|photos|"
        r"videos|vids|images|nude)|(?:blackmail\w*|sextort\w*) (?:me|by)|(?:being|been|am|"
        r"getting) (?:blackmailed|sextorted)|(?:sending|sent|send) (?:[a-z]+ ){0,3}(?:pics|"
        r"nudes|photos|videos)(?= .{0,80}(?:threaten|or else|blackmail|leak|expose))",
        who="any",
    ),
    _rule(
        "asking_pics",
        "sexual_abuse",
        r"(?:keeps|keep|kept|always|been|is|hes|shes|"
        r"constantly|he|she|they|man|men|guy) (?:[a-z]+ )?asking (?:me )?(?:for|to send) "
        r"(?:nudes|pics|pictures|photos|videos|nude|naked)|(?:older|\d\d year old|grown|"
        r"adult) (?:man|men|guy|guys|bloke|woman|lad) (?:[a-z]+ ){0,2}(?:wants|asked|asking|"
        r"keeps asking|messaging|messages|texting|texts|wants me|keeps messaging|sending) "
        r"(?:me|to meet)|(?:keep|keeps|kept|been|always|constantly) giving me (?:free )?"
        r"(?:drugs|weed|alcohol|vodka|gifts|money|pills|coke)",
        who="any",
    ),
    _rule(
        "groomed",
        "sexual_abuse",
        r"(?:is|hes|shes|being|been|was|getting|they are|"
        r"someone is|he is|she is|keeps|keep) grooming me|(?:i am|i think i am|i have been|"
        r"i am being|being|getting|i feel|might be|being|been) (?:being )?groomed",
        who="any",
    ),
    _rule(
        "documents",
        "criminal_exploitation",
        r"(?:took|taken|take|takes|keep|keeps|kept|keeping|"
        r"holding|hold|holds|has|have|got) my (?:passport|id|documents|papers|visa|brp|"
        r"bank cards?)(?! (?:for|to) (?:check|verify|copy|scan|photocopy))",
        who="third",
    ),
    _rule(
        "made_to_work",
        "criminal_exploitation",
        r"(?:being|been|am|was|getting|get) (?:made|forced|"
        r"pressured) to (?:work|sell|deal|steal|beg|have sex|sleep with|shoplift|run|carry|"
        r"hold)",
        who="any",
    ),
    _rule(
        "control",
        "criminal_exploitation",
        r"(?:took|taken|take|takes|has|have|kept|keeps|keeping|"
        r"keep|holding|got|hold|holds) (?:all )?my (?:phone|passport|id|documents|papers|"
        r"bank cards?|card|"
        r"money|keys|benefits|wages|pay) (?:[a-z]+ ){0,4}(?:wont|will not|dont|not|refuse|"
        r"refusing|so i cant|and make|until i)|(?:working|work|worked) (?:for (?:no|free|"
        r"nothing)|without (?:pay|money|being paid))(?: and| but)? (?:[a-z]+ ){0,3}(?:cant|"
        r"not allowed to|wont let me) (?:leave|go)",
        who="any",
    ),
)

_PIC_WORDS = (
    r"(?:pics?|pictures?|photos?|nudes?|videos?|vids?|images?|screenshots?|recordings?|clips?|"
    r"naked)"
)
_EXPLOITATION_INDIRECT: tuple[_Rule, ...] = (
    _rule(
        "sextortion_unless",
        "sexual_abuse",
        rf"(?:send|share|post|leak|show|put|spread|upload|expose|sending|sharing|posting|"
        rf"leaking|showing|putting|spreading|uploading|exposing|sent|posted|shared|leaked) "
        rf"(?:them|it|those|these|my (?:[a-z]+ )?{_PIC_WORDS}|the (?:[a-z]+ )?{_PIC_WORDS}|"
        rf"{_PIC_WORDS} of me|me) (?:[a-z]+ ){{0,5}}?(?:unless i|if i (?:dont|do not|wont|cant|"
        rf"refuse|block|tell|stop)|or else|until i)|(?:pay|send (?:him|them|her) (?:money|cash|"
        rf"more|\d+)|give (?:him|them|her) (?:money|cash|\d+)) (?:[a-z0-9]+ ){{0,4}}?or (?:he|"
        rf"she|they|hes|shes|they are|he will|she will|they will|it|them) (?:[a-z]+ ){{0,2}}?"
        rf"(?:send|share|post|leak|show|put|spread|upload|expose|sending|sharing|posting|"
        rf"leaking|showing)",
        who="any",
        negatable=False,
        requires=_PIC_WORDS + r"|webcam|sexual|explicit",
    ),
    _rule(
        "pay_with_sex",
        "sexual_abuse",
        r"pay (?:it |this |that |the debt |the rent |him |them |what i owe |my debt |it all |"
        r"them back |him back )?(?:off |back )?(?:with (?:sex|my body|sexual favours|favours)|"
        r"by (?:having sex|sleeping with|doing (?:stuff|things|sexual [a-z]+|favours)|sucking|"
        r"giving)|in (?:kind|sex)|another way)|(?:work|working|worked) (?:it|the debt|this|that) "
        r"off (?:by|with) (?:sex|sleeping with|having sex|doing (?:stuff|things|favours)|"
        r"[a-z]+ing (?:his|their) (?:mates|friends))",
        who="any",
    ),
    _rule(
        "passed_around",
        "sexual_abuse",
        r"(?:make|made|makes|making|force|forced|forces|forcing|take|takes|took|taking|send|"
        r"sends|sent|sending|want|wants|wanted|expect|expects|expected|get|gets|got|pressure|"
        r"pressures|pressured|pressuring|bring|brings|brought|tell|tells|told) me (?:[a-z]+ )"
        r"{0,6}?(?:do (?:stuff|things|bits|it|sexual [a-z]+|favours|sex stuff|sex things)|have "
        r"sex|sleep|hook up|mess around|fool around|get with|be with|go with|go upstairs|go in "
        r"(?:a|the) (?:room|bedroom)|be alone) (?:with|for|to) (?:(?:his|their|them|older|these|"
        r"those|random|other|some|the|all his|all their|loads of) (?:[a-z]+ )?(?:mates|friends|"
        r"men|guys|boys|lads|blokes|people|olders|customers|mans|man|strangers)|her (?:[a-z]+ )?"
        r"(?:men|guys|lads|blokes|male friends|customers|olders))|(?:make|made|makes|making|"
        r"force|forced|forces|take|takes|took|taking|send|sends|sent) me (?:to )?(?:go |come )?"
        r"(?:to |round to |over to )?(?:[a-z]+ )?(?:parties|party|flats?|houses?|hotels?|hotel "
        r"rooms?|airbnbs?) (?:[a-z]+ ){0,3}?"
        r"(?:with|for|full of) (?:older|his|their|random|grown|adult) (?:[a-z]+ )?(?:men|guys|"
        r"mates|friends|lads|blokes|people|strangers)",
        who="any",
    ),
    _rule(
        "going_country",
        "criminal_exploitation",
        r"(?:send|sends|sending|sent|take|takes|taking|took|taken|going|go|goes|gone|went|been|"
        r"do|doing|did|done) (?:me |us |him |her |them )?(?:out )?(?:country|cunch)(?! (?:music|"
        r"walk|walks|walking|side|house|park|club|pub|fair|show|dance|road|lane|star|singer|"
        r"song|estate|cottage|file))|(?:send|sends|sending|sent|take|takes|taking|took|taken|"
        r"going|go|goes|gone|went|been) (?:me |us |him |her |them )?ot(?! (?:shift|hours|pay|at "
        r"work|appointment|assessment|session|report|referral))|(?:gave|given|give|giving|"
        r"hold|holding|holds|answer|answering|run|running|runs|carry|carrying|got) (?:me )?(?:the "
        r"|a |their |his )?(?:line|trap|graft|work|burner|deal) phone",
        who="any",
        excludes=r"overtime|shift|rota|payslip|occupational|therapist|physio|appointment|"
        r"assessment|walking|walk|hike|music|holiday|caravan|cottage|national trust|band|"
        r"singer|artist|album|song|songs|radio",
    ),
    _rule(
        "plugging",
        "criminal_exploitation",
        r"(?:make|makes|made|making|force|forces|forced|forcing|got|get|gets|getting|want|"
        r"wants|wanted|told|tell|telling|have|has|had|need|needs|supposed|pressure\w*|keep|"
        r"keeps|expect|expects) (?:me )?(?:to )?plug(?:ging)?(?: (?:it|them|stuff|drugs|the "
        r"(?:drugs|stuff|package|packages|bits|bags|food)|packages?|bits|bags))?(?! (?:in|it in|"
        r"into|them in|my|your|his|her|their|a|an|the (?:charger|phone|laptop|kettle|tv|hole|gap|"
        r"leak|speaker))\b)|plugging (?:for|it for|stuff for|drugs for) (?:them|him|her|the "
        r"(?:olders|elders|dealers?|gang|man|lads))|(?:been|keep|am|was|started|i am) plugging"
        r"(?! (?:my|your|his|her|their|the|a|an|in|it in|stuff on|on|music|songs?|mixtape|"
        r"channel|page|account|business))",
        who="any",
        requires=r"it|them|they|he|him|she|her|olders|elders|dealer\w*|drugs|package\w*|bits|"
        r"bags|owe|debt|line|county|trap|inside|up (?:my|there)|cling|wrapped|hide|stash",
        excludes=r"charger|socket|plug in|mixtape|music|channel|youtube|tiktok|socials|"
        r"instagram|insta|business|promot\w*|gap|leak|sink|bath|plughole|spark plug",
    ),
    _rule(
        "leverage",
        "criminal_exploitation",
        r"(?:they|he|she|hes|shes|them|people|dealers|olders|elders|some (?:guys|men|lads|"
        r"people|boys)|the (?:olders|elders|dealers?|gang|man|guy|guys|lads|boys|men|people)|his "
        r"(?:mates|boys|friends)|their (?:mates|boys)|my (?:ex|dealer)) (?:[a-z]+ ){0,3}?"
        r"(?:know|knows|found out|find out|have found|know about|got|have|has|knew|sent me|"
        r"showed me|said) (?:where|what school|which school|the address) (?:my|me) (?:little |"
        r"baby |younger |big |older |kid |twin |step |half )?(?:brother|sister|mum|nan|family|"
        r"kids?|son|daughter|baby|gran|dad|girlfriend|boyfriend|siblings|bro|sis|cousin|brothers|"
        r"sisters|nephew|niece|foster (?:carers?|family|mum|dad)|carers?|grandma|grandad) "
        r"(?:[a-z]+ )?(?:lives|live|is|stays|stay|goes|go|works|work|sleeps|is staying|lives "
        r"now|at|is at)|(?:or|else) (?:they|he|she) (?:will|would|are going to|is going to|"
        r"gonna) (?:go after|hurt|get|come for|do|visit|pay a visit to|go round to) my (?:little "
        r"|baby |younger )?(?:brother|sister|mum|nan|family|kids?|son|daughter|baby|gran|dad|"
        r"siblings)",
        who="any",
        negatable=False,
    ),
)

_MEDICAL: tuple[_Rule, ...] = (
    _rule(
        "breathing",
        "medical_emergency",
        r"(?:cant|struggling to|hard to|can barely|"
        r"cannot|finding it hard to|unable to|trouble) breathe?(?:ing)?(?! (?:through|out of) "
        r"(?:my|his|her|your) nose)|(?:not|isnt|stopped|"
        r"has stopped|hes stopped|shes stopped|no longer|wont start) breathing|cant catch "
        r"(?:my|his|her|their) breath|gasping for (?:air|breath)",
        who="any",
    ),
    _rule(
        "unconscious",
        "medical_emergency",
        r"unconscious|unresponsive|not responding|"
        r"(?:wont|isnt|not|cant get (?:him|her|them|my [a-z]+) to) (?:wake up|waking up|"
        r"wake|come round)|cant wake (?:him|her|them|my [a-z]+|up my)",
        who="third",
        negatable=False,
    ),
    _rule(
        "collapse",
        "medical_emergency",
        r"collapsed(?! (?:lung|in the game|deal))",
        who="person",
        negatable=False,
    ),
    _rule(
        "seizure",
        "medical_emergency",
        r"(?:is|hes|shes|started|keeps|keep|been|they are|"
        r"he is|she is) fitting(?! (?:room|"
        r"in|into|a|the|my|well|nicely|perfectly|together|out))|(?:having|had|has|is "
        r"having|just had|keeps having) (?:a |another )?(?:seizure|seizures|fits|fit and)|"
        r"seizing|convulsing|(?:turning|turned|gone|going|lips|face) (?:are |is )?"
        r"(?:going |gone |turning )?blue(?! (?:from|because of|cause of|after) (?:the |a |my |"
        r"that |eating |drinking |having )?(?:slush\w*|sweets?|lolly|lollies|lipstick|paint|dye|"
        r"ink|pen|ice lolly|blue raspberry|juice|food colouring|makeup|face paint))",
        who="any",
        negatable=False,
    ),
    _rule(
        "bleeding",
        "medical_emergency",
        r"bleeding (?:loads|a lot|alot|badly|bad|heavily|"
        r"so much|really bad|really badly|everywhere|wont stop|non stop|nonstop|like mad|like "
        r"crazy|and it wont stop|through|out|heavy|lots)|(?:wont|cant|doesnt|not) stop "
        r"(?:the )?bleeding|bleeding (?:still )?(?:wont|hasnt|doesnt|isnt) stop|(?:blood|it) "
        r"(?:wont|will not|doesnt|isnt) stop(?:ping)?(?! (?:me|him|her))|(?:losing|lost) "
        r"(?:a lot of|loads of|alot of|so much|lots of) blood|blood everywhere|(?:deep|bad|"
        r"big|huge) (?:cut|wound|gash)(?! (?:in|to) (?:the|my) (?:budget|benefits|money|"
        r"hours|pay|funding))|need(?:s)? stitches|(?:coughing|throwing|bringing) up blood|"
        r"(?:vomiting|being sick|puking) blood|bleeding (?:from|out of) (?:my|his|her|their) "
        r"(?:head|face|mouth|ears?|nose and|neck|wrists?|arms?|stomach|belly|chest)|"
        r"(?:pregnant|preggers) and (?:bleeding|in "
        r"(?:a lot of|loads of|so much|really bad) pain|cramping)",
        who="any",
        negatable=False,
    ),
    _rule(
        "stabbed_shot",
        "medical_emergency",
        r"(?:been|got|was|just got|just been|is|has "
        r"been|have been|hes been|shes been|i am|he|she) (?:[a-z]+ )?(?:stabbed|shot)"
        r"(?! (?:in (?:the|a) game|in fortnite|in cod|at))",
        who="any",
    ),
    _rule(
        "chest",
        "medical_emergency",
        r"chest pains?|pains? in (?:my|his|her|their) chest|"
        r"chest (?:is |feels )?(?:really |so |very )?(?:hurts|hurting|tight|killing me|"
        r"crushing|on fire|heavy)|(?:having|had|has|is having|think (?:i|he|she|they) "
        r"(?:is|am|are|has|have|had|having|s)?(?: having| had)?) (?:a )?(?:heart attack|"
        r"stroke)",
        who="any",
    ),
    _rule(
        "allergy",
        "medical_emergency",
        r"(?:anaphylactic|anaphylaxis|allergic reaction)"
        r"(?! (?:last|when i was|years))|throat (?:is )?(?:closing|swelling|swollen|closing "
        r"up)|tongue (?:is )?(?:swelling|swollen)|cant swallow|face (?:is )?(?:swelling|"
        r"drooping)|(?:slurring|slurred) (?:my|his|her)? ?(?:words|speech)|cant feel my "
        r"(?:legs|arm|arms|face|side|left)",
        who="any",
    ),
    _rule(
        "head_injury",
        "medical_emergency",
        r"(?:hit|banged|smashed|cracked) (?:my|his|her|"
        r"their) head (?:[a-z]+ ){0,6}(?:bleeding|blood|dizzy|sick|throwing up|passed out|"
        r"knocked out|confused|cant see|double vision|concussion|wont wake)|head injury|"
        r"hit by a (?:car|bus|van|lorry|train)",
        who="any",
    ),
    _rule(
        "ambulance",
        "medical_emergency",
        r"(?:need|needs|call|calling|ring|ringing|get|"
        r"phone|send|sent for|waiting for|called) (?:an |the |a )?ambulance|(?:should|do|"
        r"can) i (?:call|ring|phone) (?:999|an ambulance|the ambulance)",
        who="any",
        negatable=False,
    ),
    _rule(
        "baby",
        "medical_emergency",
        r"baby (?:isnt|is not|not|wont|stopped|has stopped) "
        r"(?:breathing|waking|moving|responding)|baby (?:is |has )?(?:gone|turned|turning) "
        r"blue",
        who="any",
        negatable=False,
    ),
    _rule(
        "dying_now",
        "medical_emergency",
        r"(?:i think|feel like|feels like|i feel like) "
        r"(?:i am|i) (?:actually |really )?dying(?! (?:to|for|of))",
        who="any",
        jokeable=True,
    ),
)

_SPORT = (
    r"boxing|boxer|sparring|spar|kickboxing|mma|ufc|muay thai|jiu jitsu|bjj|wrestling|bout|"
    r"(?:first|second|third|fourth|fifth|final|last|opening|\d+(?:st|nd|rd|th)?) round|in the "
    r"ring|fight night|my fight|title fight|match|game|tournament|competition|cup|league|ko|"
    r"tko|ref|referee|knockout|on points|judges|gloves|headguard"
)
_DIABETES = (
    r"diabetic|diabetes|type (?:1|one|2|two)|insulin|hypo|blood sugar|sugar levels?|sugars|"
    r"glucose|dka"
)
_DIABETIC_STRONG = (
    r"(?:confused|disoriented|disorientated|talking (?:nonsense|rubbish|gibberish|funny|"
    r"weird)|not making (?:any )?sense|making no sense|slurring|out of it|acting (?:drunk|weird|"
    r"strange|odd|aggressive)|cant stand(?: up)?|falling over|wont wake|unresponsive|passing "
    r"out|passed out|fainting|fainted|fitting|having a (?:bad |severe |really bad )?hypo|"
    r"going hypo|(?:blood )?sugars? (?:is |are |levels? (?:is |are )?)?(?:really |very |so "
    r"|dangerously )?(?:low|high) and (?:[a-z]+ )?(?:wont|isnt|not)|(?:blood )?sugars? (?:is |are "
    r"|levels? (?:is |are )?)?(?:crashed|crashing|dropping fast|wont come up|wont go up|\d+(?:"
    r" \d)?)|fruity breath|breath smells? (?:sweet|fruity|like pear drops)|breathing (?:fast|"
    r"funny|weird|heavy|deep))(?! (?:about|by|with|what|why|how|as to|over|at (?:the )?gym))"
)
_DIABETIC_WEAK = r"(?:shaking|shaky|trembling|sweating|sweaty|clammy|pale|dizzy|drowsy|grey)"
_MEDICAL_INDIRECT: tuple[_Rule, ...] = (
    _rule(
        "baby_limp",
        "medical_emergency",
        r"(?:baby|babys|newborn|little one|toddler|my son|my daughter|my kid|my child|the kid|"
        r"the child|my little boy|my little girl) (?:is|has|has gone|gone|went|turned|turning|"
        r"looks|looking|seems|going|gone all|is all|went all|feels|is going|is really|looks "
        r"really|has turned|is turning|keeps going|s|is gone|s gone) (?:all |really |very |so "
        r"|a bit |kind of |quite |totally |completely )?(?:blue|floppy|limp|grey|gray|lifeless|"
        r"purple|not breathing|not moving|unresponsive|not responding|cold and blue)",
        who="any",
        negatable=False,
    ),
    _rule(
        "cant_wake",
        "medical_emergency",
        r"(?:cant|cannot|couldnt|can not|unable to|tried to|trying to|try to|been trying to) "
        r"(?:get |seem to )?(?:wake|rouse|wake up) (?:him|her|them|my [a-z]+|the (?:baby|kid|"
        r"child|[a-z]+)|baby)(?: up)?|(?:cant|cannot|couldnt) get (?:him|her|them|my [a-z]+|the "
        r"[a-z]+) to (?:wake|come round|respond|open (?:his|her|their) eyes|answer)",
        who="any",
        negatable=False,
        jokeable=True,
        excludes=r"for (?:work|school|college|uni|his shift|her shift|the bus)|alarm|lazy|"
        r"lie in|every morning|in the mornings|on time|weekends?",
    ),
    _rule(
        "colour",
        "medical_emergency",
        r"(?:lips|lip|face|skin|fingers|fingertips|fingernails|nails|mouth) (?:are |is |have |"
        r"has |look |looks |looking |going |gone |turning |turned |went |are going |is going |"
        r"are turning |is turning |have gone |has gone |gone all |going all )+(?:really |all |"
        r"a bit |very |so |kind of |quite |like )?(?:blue|grey|gray|purple|blueish|greyish)"
        r"(?! (?:with|from) (?:rage|anger|laughing|laughter|embarrassment|crying|coughing))|"
        r"(?:he|she|hes|shes|they|they are|he is|she is|they have|he has|she has|him|her) (?:is "
        r"|are )?(?:going|gone|turning|turned|went|has gone|have gone) (?:really |all |a bit |"
        r"very |so )?(?:blue|purple)(?! (?:with|from) (?:rage|anger|laughing|laughter|"
        r"embarrassment))",
        who="any",
        over=True,
        excludes=r"slush\w*|lipstick|lip stick|lip ?liner|sweets?|lolly|lollies|colouring|"
        r"paint\w*|dye|dyed|makeup|make up|eyeshadow|tattoo|bruise\w*|veins?|chelsea|everton|"
        r"rangers|city fan|ink|pen|blue raspberry|filter|nail varnish|nail polish|gel nails",
    ),
    _rule(
        "sick_unconscious",
        "medical_emergency",
        r"(?:passed out|unconscious|out cold|knocked out|collapsed|not moving|wont wake(?: up)?|"
        r"unresponsive|flat out|spark out|paralytic|comatose|asleep) (?:[a-z]+ ){0,6}?(?:being "
        r"sick|throwing up|vomiting|puking|choking|sick everywhere|lying in (?:his|her|their) "
        r"(?:own )?sick|in (?:his|her|their) (?:own )?(?:sick|vomit))|"
        r"(?:being sick|throwing up|vomiting|puking|choking on (?:his|her|their) (?:own )?(?:sick|"
        r"vomit)|sick everywhere) (?:[a-z]+ ){0,6}?(?:passed out|unconscious|out cold|on (?:his|"
        r"her|their) back|wont wake|not waking|not responding|unresponsive|spark out|not moving)",
        who="not_self",
        negatable=False,
        over=True,
    ),
    _rule(
        "diabetic",
        "medical_emergency",
        rf"{_DIABETIC_STRONG}|{_DIABETIC_WEAK}(?: and| ,)? (?:[a-z]+ ){{0,2}}?{_DIABETIC_WEAK}",
        who="any",
        over=True,
        requires=_DIABETES,
        excludes=r"gym|workout|run|running|exercise|hot weather|heatwave|nervous|anxious|"
        r"anxiety|interview|exam",
    ),
    _rule(
        "burns",
        "medical_emergency",
        r"(?:skin|it|flesh)(?: on (?:my|his|her|their|the) [a-z]+)? (?:is |has |keeps |started "
        r"|starting |has started |is all |all )?(?:peeling|coming|falling|bubbling|hanging|"
        r"sliding|melting|melted|bubbled) (?:off|away)|(?:skin|it|flesh)(?: on (?:my|his|her|"
        r"their|the) [a-z]+)? (?:is |has |has gone |gone |went |)?(?:all )?(?:bubbled|bubbling|"
        r"melted|melting|charred|black|white and leathery|leathery|blistered all over)|"
        r"(?:second|third|2nd|3rd|full thickness) degree burns?|(?:burn|burns|scald|scalds|"
        r"blister|blisters) (?:is |are )?(?:huge|massive|really big|enormous|bigger than (?:my|"
        r"a|his|her) (?:hand|palm|fist)|the size of (?:my|a|his|her) (?:hand|palm|arm|fist)|all "
        r"over (?:my|his|her|their) (?:[a-z]+ )?(?:arm|leg|chest|back|face|body|hand))",
        who="any",
        over=True,
        requires=r"burn\w*|burnt|scald\w*|boiling|fire|flames?|hot (?:oil|water|fat|pan|metal)|"
        r"chemical|acid|bleach|oven|hob|kettle|iron|caustic|drain cleaner|oil|fat|steam|pan|"
        r"chip pan|grill|stove|cooker|candle|lighter|firework\w*|bbq|barbecue|petrol|"
        r"exhaust",
        excludes=r"sunburn|sun burn|sunbed|the sun|face mask|peel off mask|chemical peel|"
        r"tattoo|eczema|dermatitis|psoriasis|cold sore|dry skin|moistur\w*|shoes|trainers|"
        r"heels|new boots|nail varnish|toast|pizza|chicken|paint|wallpaper|sticker",
    ),
    _rule(
        "swelling",
        "medical_emergency",
        r"(?:lips?|face|tongue|throat|mouth|neck|cheeks?) (?:is |are |has |have |keeps? |"
        r"started |starting |gone |going |all |really |so |blown |getting |has started )*"
        r"(?:swelling|swollen|swelled|puffing up|puffed up|blowing up|blown up|ballooning|"
        r"closing)(?: up)?|eyes? (?:is |are |has |have )?(?:swelling|swollen|swelled|puffed up)"
        r" shut|(?:used|use|using|need|needs|needed|gave (?:him|her|them) (?:his|her|their|my)|"
        r"injected|jabbed) (?:an |my |his |her |their |the )?epi ?pen",
        who="any",
        over=True,
        excludes=r"crying|cried|dentist|filler|fillers|piercing|tooth|teeth|wisdom|botox|"
        r"hay ?fever|sunburn|punch\w*|hit me|black eye|stye|conjunctivitis|pink eye|mumps|"
        r"injections|lip ?flip|cold sore|spot|abscess (?:is|was) (?:fine|better)|glands?|"
        r"tonsil\w*|sore throat|strep|flu",
    ),
    _rule(
        "knocked_out",
        "medical_emergency",
        r"(?:got|been|was|is|has been|have been|hes been|shes been|just got) knocked "
        r"(?:out|unconscious)(?! of)",
        who="any",
        over=True,
        excludes=_SPORT,
    ),
)

# An overdose or a medical emergency that is over ("the hospital sorted it", "last week")
# is not an emergency now.
_FAMILIES: tuple[tuple[_Rule, ...], ...] = (
    _SUICIDE + _SUICIDE_INDIRECT,
    _SELF_HARM + _SELF_HARM_INDIRECT,
    tuple(replace(rule, over=True) for rule in _OVERDOSE + _OVERDOSE_INDIRECT),
    _HARMED + _HARMED_INDIRECT,
    _NOWHERE + _NOWHERE_INDIRECT,
    _EXPLOITATION + _EXPLOITATION_INDIRECT,
    tuple(replace(rule, over=True) for rule in _MEDICAL + _MEDICAL_INDIRECT),
)
_FAMILY_UNIONS: tuple[linear.Pattern, ...] = tuple(
    linear.compile("|".join(f"(?:{rule.regex.pattern})" for rule in family)) for family in _FAMILIES
)

# ---------------------------------------------------------------------------
# Context checks
# ---------------------------------------------------------------------------

_CONTEXT_NAMES = (
    "ctx.negated",
    "ctx.third_party",
    "ctx.no_subject",
    "ctx.joke",
    "ctx.media",
    "ctx.past",
    "ctx.future",
    "ctx.hypothetical",
    "ctx.info",
    "ctx.unchecked",
)
_FIGURATIVE_CONTEXTS = frozenset({"ctx.joke", "ctx.media", "ctx.past"})

RULE_NAMES: frozenset[str] = frozenset(
    [rule.name for family in _FAMILIES for rule in family]
    + list(_FIGURE_NAMES)
    + list(_CONTEXT_NAMES)
)

_FIRST = frozenset({"i", "me", "myself", "mine", "ive", "id", "im"})
_THIRD_PRONOUNS = frozenset(
    {
        "he",
        "she",
        "they",
        "hes",
        "shes",
        "theyre",
        "theyve",
        "theyll",
        "theyd",
        "hed",
        "someone",
        "somebody",
        "anyone",
        "anybody",
        "people",
        "yall",
        "youre",
        "who",
    }
)
_THIRD_NOUNS = frozenset(
    {
        "friend",
        "friends",
        "mate",
        "mates",
        "bestie",
        "bff",
        "sister",
        "brother",
        "sis",
        "bro",
        "cousin",
        "son",
        "daughter",
        "kid",
        "kids",
        "child",
        "children",
        "boyfriend",
        "girlfriend",
        "partner",
        "husband",
        "wife",
        "mum",
        "dad",
        "nan",
        "gran",
        "grandma",
        "grandad",
        "ex",
        "flatmate",
        "housemate",
        "roommate",
        "classmate",
        "neighbour",
        "everyone",
        "you",
        "baby",
        "student",
        "students",
        "client",
        "person",
        "man",
        "woman",
        "guy",
        "girl",
        "lad",
        "stepdad",
        "stepmum",
        "uncle",
        "aunt",
        "auntie",
        "carer",
        "teenager",
        "teenagers",
        "pal",
        "colleague",
        "bloke",
        "lads",
    }
)
_SUBJECT_FOLLOW = frozenset(
    {
        "who",
        "that",
        "is",
        "was",
        "has",
        "have",
        "had",
        "keeps",
        "kept",
        "says",
        "said",
        "thinks",
        "feels",
        "felt",
        "told",
        "tells",
        "just",
        "always",
        "really",
        "also",
        "never",
        "still",
        "wants",
        "wanted",
        "tried",
        "will",
        "would",
        "might",
        "can",
        "cant",
        "could",
        "does",
        "did",
        "doesnt",
        "didnt",
        "are",
        "were",
        "sometimes",
        "often",
        "constantly",
        "literally",
        "actually",
        "been",
        "seems",
        "seemed",
        "texted",
        "messaged",
        "posted",
        "used",
        "ever",
        "may",
        "must",
        "should",
        "wont",
        "isnt",
        "keep",
        "tries",
        "talks",
        "talked",
        "mentioned",
        "admitted",
        "and",
        "took",
        "taken",
        "passed",
        "fell",
        "went",
        "started",
        "got",
        "drank",
        "collapsed",
        "smoked",
        "ate",
        "swallowed",
        "hasnt",
        "aint",
        "needs",
        "looks",
    }
)
# Subjects of a "what if it happened to someone" question: these pronouns, or
# "a friend", "your mate" and the like.
_GENERIC_PEOPLE = frozenset({"someone", "somebody", "anyone", "anybody", "people", "they"})
_GENERIC_NOUNS = frozenset({"friend", "mate", "person", "child", "kid", "baby", "stranger"})
_NEGATORS = frozenset(
    {
        "not",
        "dont",
        "never",
        "wont",
        "wouldnt",
        "didnt",
        "doesnt",
        "isnt",
        "arent",
        "aint",
        "no",
        "nor",
        "havent",
        "hasnt",
        "shouldnt",
        "neither",
        "stopped",
        "cant",
    }
)
_NEG_BOUNDARY = frozenset(
    {
        "i",
        "and",
        "but",
        "so",
        "because",
        "if",
        "when",
        "why",
        "that",
        "what",
        "how",
        "or",
        "though",
        "then",
        "lie",
        "ngl",
        "tbh",
        "honestly",
        "think",
        "know",
        "sure",
        "mean",
        "~",
        "wish",
        "feel",
        "saying",
    }
)

_RE_FINE_BOUNDARY = linear.compile(
    r"[.,]|\b(?:but|though|although|however|whereas|(?<!right )now|and i|so i|because i)\b"
)
_RE_COARSE_BOUNDARY = linear.compile(
    r"[.]|\b(?:but|though|although|however|whereas|(?<!right )now|and i|and now|so now|then i)\b"
)
_RE_JOKE = linear.compile(rf"\b{JOKE}\b")
_RE_MEDIA = linear.compile(
    r"\b(?:(?:in|from|watching|watched|playing|played|reading|read|listening to|about|on) "
    r"(?:the |that |this |a |an |my |his |her |some )?(?:game|games|film|movie|films|movies|"
    r"show|tv show|series|episode|season|book|novel|story|song|songs|lyrics|video|vid|clip|"
    r"tiktok|youtube|anime|manga|comic|level|fortnite|minecraft|roblox|gta|call of duty|"
    r"fifa|sims|the sims|valorant|apex|among us|warzone|zelda|pokemon|netflix|eastenders|"
    r"hollyoaks|corrie|coronation street|soap|drama|podcast|play|musical|rap|drill)|"
    r"(?:my|the|his|her) (?:character|avatar|sim|player|guy|team)|"
    r"(?:the|this|that) (?:song|film|movie|book|game|show|episode|tiktok|video|series|rap|"
    r"drill|lyrics?) (?:[a-z]+ ){0,3}(?:where|when|about|makes|made|is|was|has|had|goes|"
    r"called)|(?:lyrics?|song|track|rap|verse) (?:go|goes|say|says|where))\b"
)
# News and posts: checked only in the short clause around a match, so that "saw on the news
# the bridge is closed, im going to jump" is still caught.
_RE_NEWS = linear.compile(
    r"\b(?:(?:on|in|from) the (?:news|papers?|radio|local news)|(?:news|article|headline|"
    r"report) (?:about|on|said|says)|(?:saw|seen|read|heard|watched) (?:[a-z]+ ){0,3}(?:on|in) "
    r"(?:the )?(?:news|paper|papers|facebook|twitter|tiktok|reddit|youtube))\b"
)
_RE_PAST = linear.compile(
    r"\b(?:used to|years? ago|months? ago|ages ago|long time ago|a while ago|last year|"
    r"last (?:month|summer|winter|spring|autumn|christmas|xmas|easter|term|birthday|new year|"
    r"halloween)|"
    r"the year before|when i was (?:[a-z]+ ){0,2}(?:young|younger|little|small|a kid|a child|"
    r"a teen|a teenager|kid|child|in care|at school|in school|in foster care|in year \w+|"
    r"\d+|[a-z]+teen|ten|eleven|twelve|a baby|growing up|living)|as a (?:kid|child|teen|"
    r"teenager|baby)|in the past|back then|back in|years back|growing up|in (?:19|20)\d\d|"
    r"at (?:primary|secondary|high) school|(?:\d+|a|one|two|three|four|five|six|few|couple "
    r"of|several|many) (?:years|months) (?:ago|clean|free|back)|havent (?:[a-z]+ ){0,3}since|"
    r"not since|(?:dont|do not) (?:[a-z]+ )?anymore|recovered|over the years|in my past|"
    r"previous(?:ly)?|once before|(?:my )?history of)\b"
)
_RE_PRESENT = linear.compile(
    r"\b(?:now|right now|(?<!never )(?<!not )again|tonight|today|currently|at the moment|"
    r"these days|lately|"
    r"recently|this (?:morning|evening|afternoon|week)|started|relapsed|keep (?:on )?[a-z]+ing|"
    r"cant stop|"
    r"still (?:do|does|am|is|are|happening|doing it|going on|want|wants|cut|self harm|"
    r"hits|hurts me|beats|cutting|harming|think about (?:it|dying|suicide|killing))|"
    r"last night|yesterday|just now|earlier)\b"
)
_RE_AGAIN = linear.compile(
    r"\b(?:(?<!never )(?<!not )again|same (?:way|thing|again)|(?:feel|feeling) (?:like )?"
    r"(?:that|it) again|"
    r"relapsed|started again|back to|starting to)\b"
)
# "never again", "never want that again": the past is over, not happening again.
_RE_NEVER_AGAIN = linear.compile(r"\b(?:never|not) (?:[a-z]+ ){0,3}again\b")


def _again(text: str) -> bool:
    """True if ``text`` says something is happening again (not "never again")."""
    return _RE_AGAIN.search(_RE_NEVER_AGAIN.sub(" ", text)) is not None


def _present(text: str) -> bool:
    """True if ``text`` has a word placing it now (not "never again")."""
    return _RE_PRESENT.search(_RE_NEVER_AGAIN.sub(" ", text)) is not None


_RE_FUTURE = linear.compile(
    r"\b(?:next (?:week|month|year|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|term)|in (?:a|\d+|two|three|four|few|couple of) (?:days|weeks|months)|"
    r"will have(?! to)|going to have(?! to)|might have|might be|could be|would be|"
    r"if (?:i|we|they|my|he|she)|when (?:my|the|i) (?:[a-z]+ ){0,3}(?:ends|end|finishes|leave|"
    r"move|turn|get)|"
    r"after (?:my|the|i)|by (?:next|the end)|from (?:next|monday|the \d+)|soon|worried "
    r"(?:that|about)|scared (?:that )?i (?:will|might))\b"
)
_RE_NOWISH = linear.compile(r"\b(?:tonight|right now|now|today|this (?:evening|afternoon))\b")
# Health events that are over: treated, sorted, or some days or weeks back.
_RE_OVER = linear.compile(
    r"\b(?:last (?:week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"the other (?:day|week|night)|(?:a|one|two|three|four|five|six|few|couple of|\d+) "
    r"(?:days|weeks) ago|(?:hospital|doctors?|gp|paramedics?|ambulance|nurses?|a and e|they|"
    r"docs?|the crew) (?:have |has )?(?:sorted|fixed|checked|treated|discharged|stitched|"
    r"sent (?:me|him|her|them) home|said (?:i|he|she|they|it) (?:was|were|is|am|are) "
    r"(?:fine|ok|okay|alright))|(?:sorted|fixed|treated) (?:it|me|him|her|them) out|"
    r"(?:i am|hes|shes|he is|she is|they are|its|it is|all|everything is|everythings|"
    r"we are|baby is|babys) (?:fine|ok|okay|alright|better|recovered|all good|sorted|safe) "
    r"now|(?:got|been|was|were|is|are) (?:sorted|discharged|checked out|given the all clear)|"
    r"all clear|recovered|made a full recovery|when (?:she|he|i|they) (?:was|were) born)\b"
)
_RE_ONGOING = linear.compile(
    r"\b(?:right now|again|currently|at the moment|happening|just now|keeps|keep|wont stop|"
    r"as we speak|atm|still (?:fitting|bleeding|not|unconscious|having|going|happening|there|"
    r"wont|cant|isnt|blue|grey|swelling|swollen|asleep|out))\b"
)
# Questions about what to do if it ever happened to someone, or about learning first aid.
_RE_HYPOTHETICAL = linear.compile(
    r"\b(?:(?:if|in case|incase|what if|whenever|should) (?:[a-z]+ ){0,2}?(?:someone|"
    r"somebody|anyone|anybody|a (?:person|friend|mate|child|kid|baby|young person|stranger|"
    r"patient|pupil|student|client|customer)|people|your (?:friend|mate)|one of (?:my|your) "
    r"(?:friends|mates))|(?:if|in case|what if|when|whenever) (?:[a-z]+ ){0,3}?ever|(?:first "
    r"aid|course|training|class|lesson|learn|learning|learnt|taught|revising|revision|so i "
    r"know|to know|be prepared|prepared) (?:[a-z]+ ){0,8}?(?:if|in case|when|whenever))\b"
)
_RE_URGENT_NOW = linear.compile(
    r"\b(?:right now|now|tonight|at the moment|currently|here|next to me|with me|in front "
    r"of me|please help|help me|quick|quickly|asap|urgent|hurry|on the floor|just)\b"
)
# "what does going ot mean", "i know what running lines means".
_RE_INFO_BEFORE = linear.compile(
    r"\b(?:what|whats|what is|what are|what does|what do|meaning of|definition of|heard of|"
    r"know what|explain|explain what|tell me what|info on|information on|anyone know what)"
    r"(?: [a-z]+){0,2} $"
)
_RE_INFO_AFTER = linear.compile(
    r"^(?: [a-z]+){0,1} (?:mean|means|meaning|stand for|stands for|is|are|counts? as|classed "
    r"as)\b"
)


def _bounds(text: str, pattern: linear.Pattern) -> list[int]:
    """Return the start offsets of the clauses of ``text``."""
    return [0] + [m.start() for m in pattern.finditer(text)]


def _span(bounds: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    """Return the clause span that holds ``start`` and reaches at least ``end``."""
    i = bisect.bisect_right(bounds, start) - 1
    clause_start = bounds[i]
    j = bisect.bisect_left(bounds, end)
    clause_end = bounds[j] if j < len(bounds) else length
    return clause_start, max(clause_end, end)


def _nearest_subject(tokens: list[str]) -> tuple[str, str]:
    """Judge who the words after ``tokens`` are about.

    Args:
        tokens: The words of the clause before a match.

    Returns:
        ``"self"``, ``"third"`` or ``"none"``, and the word that decided it
        (empty for ``"none"``).

    """
    last = len(tokens) - 1
    for i in range(last, max(-1, last - 9), -1):
        token = tokens[i]
        if token in _FIRST:
            return "self", token
        if token in _THIRD_PRONOUNS:
            return "third", token
        if token in _THIRD_NOUNS and (i == last or tokens[i + 1] in _SUBJECT_FOLLOW):
            return "third", token
    return "none", ""


def _generic(word: str, tokens: list[str]) -> bool:
    """Return True when ``word``, the subject found in ``tokens``, is no one in particular."""
    if word in _GENERIC_PEOPLE:
        return True
    if word not in _GENERIC_NOUNS:
        return False
    at = len(tokens) - 1 - tokens[::-1].index(word)
    return at > 0 and tokens[at - 1] in {"a", "your", "any", "some"}


def _negated(tokens: list[str]) -> bool:
    """Return True when a negation comes in the last few words of ``tokens``."""
    for token in reversed(tokens[-4:]):
        if token in _NEG_BOUNDARY:
            return False
        if token in _NEGATORS:
            return True
    return False


def _who_ok(who: str, subject: str) -> bool:
    """Check a rule's ``who`` requirement against the judged subject."""
    if who == "any":
        return True
    if who == "self":
        return subject == "self"
    if who == "person":
        return subject != "none"
    if who == "third":
        return subject == "third"
    if who == "not_self":
        return subject != "self"
    return subject != "third"


def _check(
    rule: _Rule,
    match: linear.Match,
    text: str,
    fine: list[int],
    coarse: list[int],
) -> str | None:
    """Check one risk match against its context.

    Args:
        rule: The rule that matched.
        match: The match in the masked text.
        text: The masked, normalised message.
        fine: Clause starts split at commas and conjunctions.
        coarse: Clause starts split at sentence ends and contrast words.

    Returns:
        None when the match stands, otherwise the name of the context rule
        that suppresses it.

    """
    start, end = match.start(), match.end()
    fine_start, fine_end = _span(fine, start, end, len(text))
    tokens = text[fine_start:start].split()
    if rule.negatable and _negated(tokens):
        return "ctx.negated"
    coarse_start, coarse_end = _span(coarse, start, end, len(text))
    clause = text[coarse_start:coarse_end]
    if _RE_MEDIA.search(clause) or _RE_NEWS.search(text, fine_start, fine_end):
        return "ctx.media"
    subject, subject_word = _nearest_subject(tokens)
    if not _who_ok(rule.who, subject):
        return "ctx.no_subject" if subject == "none" else "ctx.third_party"
    if rule.jokeable and _RE_JOKE.search(text, max(0, start - 40), min(len(text), end + 40)):
        return "ctx.joke"
    if _RE_PAST.search(clause) and not _present(clause) and not _again(text):
        return "ctx.past"
    if rule.over and _RE_OVER.search(clause) and not _RE_ONGOING.search(clause):
        return "ctx.past"
    if rule.future and _RE_FUTURE.search(clause) and not _RE_NOWISH.search(clause):
        return "ctx.future"
    if (
        _generic(subject_word, tokens)
        and _RE_HYPOTHETICAL.search(text, coarse_start, start)
        and not _RE_URGENT_NOW.search(clause)
    ):
        return "ctx.hypothetical"
    if _RE_INFO_BEFORE.search(text, max(coarse_start, start - 40), start) and _RE_INFO_AFTER.match(
        text[end : end + 30]
    ):
        return "ctx.info"
    return None


# Words of danger or distress, matched on the normalised text with figures of speech
# masked. Deliberately wide: it gates the model's crisis calls, it never raises one.
_RISK_CUES = linear.compile(
    r"\b(?:"
    r"die|dying|dead|death|deathly|kill\w*|suicid\w*|end (?:it|my life|everything|things)|"
    r"not (?:be )?(?:here|alive)|alive|my life|be gone|goodbye|bye forever|"
    r"hurt\w*|harm\w*|cut\w*|burn\w*|blood|bleed\w*|scar\w*|blade\w*|razor\w*|"
    r"pills?|tablets?|paracetamol|overdos\w*|od|meds|drugs?|drunk|poison\w*|"
    r"rope|hang\w*|jump\w*|bridge|roof|train tracks?|knife|knives|gun|weapon\w*|stab\w*|"
    r"hit\w*|beat\w*|punch\w*|kick\w*|slap\w*|chok\w*|strangl\w*|attack\w*|abus\w*|"
    r"rap(?:e|ed|ing)|assault\w*|touch(?:ed|ing)? me|forc(?:ed|ing) me|threat\w*|scared|afraid|"
    r"frightened|terrified|unsafe|not safe|danger\w*|follow(?:ed|ing)? me|stalk\w*|trapped|"
    r"locked|wont let me|groom\w*|exploit\w*|traffick\w*|owe (?:them|him|her)|county lines|"
    r"pimp\w*|street|streets|rough|nowhere|homeless|kicked out|thrown out|"
    r"breath\w*|unconscious|collaps\w*|fitting|seizure|faint\w*|chest pain|ambulance|"
    r"cant cope|cant go on|give up|no point|hopeless|worthless|cant do this"
    r")\b"
)


def _live_cue(cue: linear.Match, text: str, coarse: list[int]) -> bool:
    """Return True when a danger word is used in a current, un-negated statement.

    Args:
        cue: A match of :data:`_RISK_CUES` in the masked text.
        text: The masked, normalised message.
        coarse: Clause starts split at sentence ends and contrast words.

    Returns:
        False when the word is negated ("not in danger") or its clause is only
        about the past ("i used to self harm"), otherwise True.

    """
    if _negated(text[: cue.start()].split()):
        return False
    start, end = _span(coarse, cue.start(), cue.end(), len(text))
    clause = text[start:end]
    return not (_RE_PAST.search(clause) and not _present(clause) and not _again(text))


# Asking for information, for school or about the news: danger words here are a topic.
_INFO_CONTEXT = linear.compile(
    r"\b(?:essay|coursework|homework|assignment|school project|college project|dissertation|"
    r"revision|revising|research(?:ing)?|documentary|on the news|in the news|news article|"
    r"an article|first aid course|training course)\b"
)


# How a whole message is framed, for the semantic layer (which reads meaning, not framing):
# a question about what something is, risk said to be over or not there, or the past.
# A short question about what a word means ("whats cuckooing", "what does grooming mean").
_RE_ASKS_WHAT = linear.compile(
    r"^(?:(?:hi|hey|hello|ok|okay|so|um|yo|please|pls|quick question) (?:[.,] )?)*"
    r"(?:what is|whats|what are|what does|meaning of|define|definition of|can you explain|"
    r"explain) (?:a |an |the )?(?:[a-z]+ ){0,3}?[a-z]+(?: mean| means)?(?: [.,])?$"
)
_RE_SAID_SAFE = linear.compile(
    r"\b(?:(?:not|never|no longer|aint) (?:suicidal|homeless|in danger|unsafe|being hurt|"
    r"in any danger|going to do anything|at risk|in trouble)|(?:i am|im) (?:safe|ok|okay|"
    r"fine|alright)(?! (?:for now|till|until))|(?:nobody|no one|noone) (?:is|has|was) "
    r"(?:making|made|forcing|forced|hurting|hurt|threatening) me|dont (?:panic|worry)|"
    r"(?:its|it is|everythings|everything is|all) (?:all )?(?:good|fine|ok|okay|sorted) now|"
    r"(?:moved|rehoused) me|(?:has been|was|got) (?:dealt with|sorted))\b"
)


def framing(text: str) -> frozenset[str]:
    """How the whole message is framed: ``info``, ``safe`` or ``past``.

    ``info``: a short question about what a word means; ``safe``: the danger is said to
    be over or not there; ``past``: only the past. Used to keep the semantic layer from
    overruling the framing; a pattern's own verdict already takes its context into account.
    """
    try:
        masked, _ = _mask_figures(normalise(text))
        found: set[str] = set()
        if _RE_ASKS_WHAT.search(masked) or _INFO_CONTEXT.search(masked):
            found.add("info")
        if _RE_SAID_SAFE.search(masked):
            found.add("safe")
        if _RE_PAST.search(masked) and not _present(masked) and not _again(masked):
            found.add("past")
        return frozenset(found)
    except linear.MatchBudgetExceeded:
        return frozenset()


UNCHECKED = RiskAssessment(
    at_risk=False,
    categories=(),
    figure_of_speech=False,
    rules=("ctx.unchecked",),
    mentions_risk=True,
    checked=False,
)


def assess(text: str) -> RiskAssessment:
    """Check one message for immediate risk, in time linear in its length.

    Args:
        text: The message as the young person sent it (any length; only the
            first few thousand characters are read).

    Returns:
        A :class:`RiskAssessment`; :data:`UNCHECKED` when the patterns gave up on a
        message built to make them work too hard.

    """
    try:
        return _assess(text)
    except linear.MatchBudgetExceeded:
        return UNCHECKED


def _assess(text: str) -> RiskAssessment:
    """Check one message for immediate risk.

    Args:
        text: The message as the young person sent it (any length; only the
            first few thousand characters are read).

    Returns:
        A :class:`RiskAssessment`. ``at_risk`` is True when any risk rule
        matched in a current, first-hand (or urgent third-party) framing.

    """
    masked, figure_rules = _mask_figures(normalise(text))
    fine = _bounds(masked, _RE_FINE_BOUNDARY)
    coarse = _bounds(masked, _RE_COARSE_BOUNDARY)
    mentions_risk = any(_live_cue(cue, masked, coarse) for cue in _RISK_CUES.finditer(masked))

    hits: list[tuple[int, int, str, str]] = []
    contexts: list[str] = []
    for index, (family, union) in enumerate(zip(_FAMILIES, _FAMILY_UNIONS, strict=True)):
        if union.search(masked) is None:
            continue
        for rule in family:
            if any(need.search(masked) is None for need in rule.requires):
                continue
            if rule.excludes is not None and rule.excludes.search(masked):
                continue
            for match in rule.regex.finditer(masked):
                verdict = _check(rule, match, masked, fine, coarse)
                if verdict is None:
                    hits.append((match.start(), index, rule.category, rule.name))
                    break
                if verdict not in contexts:
                    contexts.append(verdict)

    hits.sort()
    categories: list[str] = []
    risk_rules: list[str] = []
    for _, _, category, name in hits:
        if category not in categories:
            categories.append(category)
        if name not in risk_rules:
            risk_rules.append(name)
    at_risk = bool(hits)
    figurative = bool(figure_rules) or any(c in _FIGURATIVE_CONTEXTS for c in contexts)
    if not at_risk and (contexts or _INFO_CONTEXT.search(masked)):
        # The rules saw the danger words and judged them not current or not the young
        # person's own (a friend, a hypothetical, the past, homework): the model's word
        # alone must not overturn that.
        mentions_risk = False
    return RiskAssessment(
        at_risk=at_risk,
        categories=tuple(categories),
        figure_of_speech=figurative and not at_risk,
        rules=tuple(risk_rules + figure_rules + contexts),
        mentions_risk=mentions_risk or at_risk,
    )
