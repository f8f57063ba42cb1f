"""Thai text helpers: normalisation for search and matching, and Buddhist-era date formatting.

Thai is written without spaces between words, so search splits the query into words with
pythainlp's offline dictionary tokenizer and looks for each word inside normalised titles.
"""

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
# Common spelling variants from PDF text layers and old keyboards: nikhahit + sara aa typed as
# two characters instead of sara am, and doubled vowels/tone marks.
_VARIANTS = (("\u0e4d\u0e32", "\u0e33"), ("\u0e4d\u0e48\u0e32", "\u0e48\u0e33"))
_REPEATED_MARK = re.compile("([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1+")

THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
THAI_MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
EN_MONTHS_SHORT = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def normalize(text: str) -> str:
    """Fold text for comparison: NFC, Thai digits to Arabic, no zero-width characters,
    the common sara-am and repeated-mark variants, single spaces, lower case."""
    text = unicodedata.normalize("NFC", text or "")
    text = _ZERO_WIDTH.sub("", text).translate(THAI_DIGITS)
    for variant, canonical in _VARIANTS:
        text = text.replace(variant, canonical)
    text = _REPEATED_MARK.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip().lower()


def normalize_cell(text: str) -> str:
    """Clean one imported cell without changing its meaning: NFC, no zero-width characters,
    single spaces, trimmed. Case and Thai digits are kept as the source prints them."""
    text = unicodedata.normalize("NFC", text or "")
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


@lru_cache(maxsize=1)
def _tokenizer():
    # Imported lazily: pythainlp loads its dictionary on first use (about a second).
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def words(text: str) -> list[str]:
    """Words of a (normalised) text: Thai segmented by the newmm dictionary engine, other
    scripts split on spaces; punctuation and spaces dropped."""
    tokens = _tokenizer()(normalize(text), engine="newmm", keep_whitespace=False)
    return [t for t in tokens if any(ch.isalnum() for ch in t)]


def format_date(value: date | datetime | None, lang: str = "th", long: bool = False) -> str:
    """A date in the Buddhist era: "1 ต.ค. 2566" in Thai, "1 Oct 2566 BE" in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    year = value.year + 543
    if lang.startswith("th"):
        months = THAI_MONTHS_LONG if long else THAI_MONTHS_SHORT
        return f"{value.day} {months[value.month - 1]} {year}"
    return f"{value.day} {EN_MONTHS_SHORT[value.month - 1]} {year} BE"
