"""Names folded to one spelling, so that a search or a duplicate check finds them across
accents, punctuation, transliterations and name order.

``name_tokens("Mohamed El-Sayed")`` is ``["muhamad", "sayid"]`` and
``name_tokens("Muhammad Al Sayyid")`` is the same; ``name_key`` sorts the tokens, so
``"Sayyid, Muhammad al"`` has the same key as both. The folding, in order:

1. Unicode compatibility decomposition (NFKD) with the accents dropped ("José" -> "jose";
   only the marks of Latin, Greek, Cyrillic and Arabic letters: in the scripts of South
   and South-East Asia the marks are vowels, and stay),
   a few letters that do not decompose spelt out (ø -> o, ß -> ss, æ -> ae, ł -> l ...),
   and case folded.
2. Apostrophes and the Arabic ʿayn / hamza marks dropped inside a word ("O'Brien" ->
   "obrien", "Saʿid" -> "said"); any other character that is not a letter or a digit
   (hyphens, dots, commas) separates words.
3. The "Abd" prefix joined to the word it belongs to: "Abd", "Abdel", "Abdul", "Abdal",
   "Abdoul", "Abd al" before a word, or written together with it, become "abdal" + the
   word ("Abd al-Rahman", "Abdel Rahman", "Abdulrahman" -> "abdalrahman"). Articles
   written apart ("el", "al", "ul") are dropped ("El-Sayed", "al Sayed", "Sayed, al" ->
   "sayid"), unless the name has no other word. A written-together article ("Elsayed")
   is left as it is: too many names start with "el" or "al" (Elena, Alan) to strip it.
4. Spelling rules within each word (``SPELLING_RULES``): ee -> i, oo -> u, ou -> u,
   ph -> f, kh -> h, dh -> d, dj -> j, then doubled letters written once ("Hassan" ->
   "hasan").
5. A small table of names with several common transliterations (``VARIANTS``), looked up
   after the rules, so each entry lists only spellings that the rules do not already fold.

The key is for finding, never for showing: it is not meant to be read.
"""

import re
import unicodedata

MAX_KEY = 200

# Letters that NFKD does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ł": "l",
        "Ł": "l",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
    }
)
# Dropped inside a word rather than splitting it: apostrophes, ʿayn and hamza marks.
_JOINERS = re.compile("['’‘`´ʼʻʿʾ]")
# Anything but a letter, a digit or a vowel mark of the scripts of South and South-East
# Asia (combining marks, which ``\w`` leaves out) separates words.
_SEPARATOR = re.compile(r"[^\w\u0300-\u036f\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f]+|_")
# Scripts whose combining marks are accents, dropped; in others (Devanagari, Bengali,
# Tamil, Sinhala, Thai ...) the marks are vowels, and kept.
_ACCENTED = ("LATIN", "GREEK", "CYRILLIC", "ARABIC")

ARTICLES = frozenset({"al", "el", "ul"})
ABD_WORDS = frozenset({"abd", "abdel", "abdul", "abdal", "abdol", "abdoul"})
_ABD_PREFIX = re.compile(r"^abd(?:oul|ou|el|ul|al|ol)(?=\w\w\w)")

SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("ph", "f"),
    ("kh", "h"),
    ("dh", "d"),
    ("dj", "j"),
)
_DOUBLED = re.compile(r"(\w)\1+")

# One spelling for each group of common transliterations (the first is the one kept).
VARIANT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("muhammad", "mohammed", "mohamed", "mohamad", "muhammed", "muhamed", "mohammod", "mehmed"),
    ("ahmad", "ahmed", "ahmet"),
    ("yusuf", "yousef", "youssef", "yusef", "yousif", "youssouf", "yossef", "yusif"),
    ("husayn", "hussein", "husain", "hussain", "hossein", "husein", "houssein"),
    ("mustafa", "mostafa", "moustafa", "mustapha"),
    ("umar", "omar"),
    ("uthman", "othman", "osman", "usman"),
    ("abdallah", "abdullah", "abdulla", "abdalla"),
    ("ali", "aly"),
    ("ibrahim", "ebrahim"),
    ("khalid", "khaled"),
    ("mahmud", "mahmoud"),
    ("said", "saeed", "saied", "sa'id"),
    ("sayyid", "sayed", "sayyed", "seyed"),
    ("hamid", "hamed"),
    ("rashid", "rasheed", "rachid"),
    ("nasir", "nasser", "naser", "nassir"),
    ("tariq", "tarek", "tarik", "tareq"),
    ("karim", "kareem", "karem"),
)


def _spelled(word: str) -> str:
    for written, spoken in SPELLING_RULES:
        word = word.replace(written, spoken)
    return _DOUBLED.sub(r"\1", word)


def _folded_word(word: str) -> str:
    return _spelled(_JOINERS.sub("", word.casefold()))


VARIANTS: dict[str, str] = {
    _folded_word(variant): _folded_word(group[0]) for group in VARIANT_GROUPS for variant in group
}


def _words(text: str) -> list[str]:
    """Step 1 and 2: plain lower-case letters and digits, split into words."""
    kept, accented = [], True
    for character in unicodedata.normalize("NFKD", text.translate(_LETTERS)):
        if not unicodedata.category(character).startswith("M"):
            accented = unicodedata.name(character, "").startswith(_ACCENTED)
        elif accented:
            continue
        kept.append(character)
    text = unicodedata.normalize("NFC", "".join(kept)).casefold()
    return [word for word in _SEPARATOR.split(_JOINERS.sub("", text)) if word]


def _joined(words: list[str]) -> list[str]:
    """Step 3: "Abd" joined to the word it belongs to; articles written apart dropped."""
    joined: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        rest = words[index + 1 :]
        if word in ABD_WORDS and rest:
            if rest[0] in ARTICLES and len(rest) > 1:
                index += 1
            joined.append("abdal" + words[index + 1])
            index += 2
            continue
        if word in ARTICLES and len(words) > 1:
            index += 1
            continue
        joined.append(_ABD_PREFIX.sub("abdal", word))
        index += 1
    return joined


def name_tokens(text: str) -> list[str]:
    """The words of a name, each folded to one spelling, in the order written."""
    tokens = []
    for word in _joined(_words(text or "")):
        spelled = _spelled(word)
        tokens.append(VARIANTS.get(spelled, spelled))
    return tokens


def name_key(text: str) -> str:
    """The name's folded words, sorted and joined by a space (name order does not matter)."""
    return " ".join(sorted(name_tokens(text)))[:MAX_KEY]
