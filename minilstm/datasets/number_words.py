"""Numbers 0..9,999 written out in English and in French: a translation corpus made here.

English: hyphenated tens ('twenty-one'), 'and' after 'hundred' when a remainder follows
('two hundred and five'), 'thousand' otherwise plain ('three thousand five').

French (traditional spelling): 'et' joins un and onze to the tens from vingt to
soixante ('vingt et un', 'soixante et onze') but not to quatre-vingt ('quatre-vingt-un');
'quatre-vingts' and 'cents' take an s only when nothing follows ('deux cents',
'deux cent cinq'); 'mille' never does ('trois mille'); 'cent' and 'mille' alone mean one
hundred and one thousand.
"""
from ..checks import is_int_at_least

_ENGLISH_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve "
                  "thirteen fourteen fifteen sixteen seventeen eighteen nineteen").split()
_ENGLISH_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_FRENCH_UNITS = ("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize "
                 "quatorze quinze seize dix-sept dix-huit dix-neuf").split()
_FRENCH_TENS = "_ _ vingt trente quarante cinquante soixante".split()

LARGEST = 9_999


def _thousands_hundreds_rest(n):
    """``n`` checked and split: 7377 -> (7, 3, 77)."""
    if not is_int_at_least(n, 0) or n > LARGEST:
        raise ValueError(f"n must be an integer in [0, {LARGEST}]; got {n!r}")
    thousands, rest = divmod(n, 1000)
    return (thousands, *divmod(rest, 100))


def _english_below_100(n):
    if n < 20:
        return _ENGLISH_UNITS[n]
    tens, units = divmod(n, 10)
    return _ENGLISH_TENS[tens] + (f"-{_ENGLISH_UNITS[units]}" if units else "")


def to_english(n):
    """``n`` in English words: ``to_english(205) == 'two hundred and five'``."""
    thousands, hundreds, below_100 = _thousands_hundreds_rest(n)
    words = []
    if thousands:
        words.append(f"{_ENGLISH_UNITS[thousands]} thousand")
    if hundreds:
        words.append(f"{_ENGLISH_UNITS[hundreds]} hundred")
        if below_100:
            words.append("and")
    if below_100 or not words:
        words.append(_english_below_100(below_100))
    return " ".join(words)


def _french_below_100(n):
    """Always the last words of a number, so 'quatre-vingts' keeps its s."""
    if n < 20:
        return _FRENCH_UNITS[n]
    tens, units = divmod(n, 10)
    if tens in (7, 9):                      # soixante-dix.., quatre-vingt-dix..
        tens, units = tens - 1, units + 10
    base = "quatre-vingt" if tens == 8 else _FRENCH_TENS[tens]
    if units == 0:
        return base + ("s" if tens == 8 else "")
    if units in (1, 11) and tens != 8:
        return f"{base} et {_FRENCH_UNITS[units]}"
    return f"{base}-{_FRENCH_UNITS[units]}"


def to_french(n):
    """``n`` in French words: ``to_french(71) == 'soixante et onze'``."""
    thousands, hundreds, below_100 = _thousands_hundreds_rest(n)
    words = []
    if thousands:
        words.append("mille" if thousands == 1 else f"{_FRENCH_UNITS[thousands]} mille")
    if hundreds:
        plural = "s" if hundreds > 1 and below_100 == 0 else ""
        words.append("cent" if hundreds == 1 else f"{_FRENCH_UNITS[hundreds]} cent{plural}")
    if below_100 or not words:
        words.append(_french_below_100(below_100))
    return " ".join(words)


def number_pairs(numbers):
    """``[(english, french), ...]`` for the given integers."""
    return [(to_english(int(n)), to_french(int(n))) for n in numbers]
