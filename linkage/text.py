"""Thai text for the scorer: normalise, segment (pythainlp newmm, offline), keep content words.

Segmentation is the expensive step (~450k characters/s), so a text is cut at its spaces first
and each chunk's words are memoised: project texts repeat the same phrases ("จัดอบรม",
"ร้อยละของ...") across thousands of projects. The words are stored per project
(``ProjectAnalysis.tokens``) and reused while the text stays the same.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from core import thai

# Typing variants beyond core.thai.normalize: sara e typed twice for sara ae, and a stray
# leading "ํ" left by PDF text layers.
_EXTRA_VARIANTS = (("เเ", "แ"), ("\u0e4d", ""))
# newmm glues the nominalisers to the next word ("การป้องกัน"); cut them so "การท่องเที่ยว"
# and "ท่องเที่ยว" are one word.
_PREFIXES = ("การ", "ความ")
# Words every project and every target uses: they say nothing about which target fits.
DOMAIN_STOPWORDS = frozenset(
    """โครง โครงการ กิจกรรม ส่งเสริม พัฒนา สนับสนุน เพิ่ม เพิ่มขึ้น ดำเนินงาน ดำเนินการ ประจำปี
    งบประมาณ ปี พ.ศ. ร้อยละ จำนวน ระดับ ให้ มี ได้ ที่ และ หรือ ของ ใน การ ความ เพื่อ จัด ทำ
    ยกระดับ เสริมสร้าง สร้าง ประเทศ ไทย ประเทศไทย คน แห่ง ชาติ แผน แผนงาน แผนแม่บท
    ด้าน ระบบ เป้าหมาย ตัวชี้วัด ผล ผลผลิต ผลลัพธ์ ประสิทธิภาพ คุณภาพ มาตรการ แนวทาง
    ราย แห่ง ครั้ง ต่อ ขึ้น ไม่ น้อย กว่า ตาม ทั้ง ภายใต้ ประกอบ ร่วม เรื่อง มาก ใหม่""".split()  # noqa: SIM905
)
_HAS_WORD = re.compile(r"[0-9a-z\u0e01-\u0e2e]")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords()) | DOMAIN_STOPWORDS


def fold(text: str) -> str:
    """Normalise for matching: core.thai.normalize plus the typing variants above."""
    text = thai.normalize(text)
    for variant, canonical in _EXTRA_VARIANTS:
        text = text.replace(variant, canonical)
    return text


@lru_cache(maxsize=200_000)
def _chunk_words(chunk: str) -> tuple[str, ...]:
    stop = _stopwords()
    out = []
    for token in thai._tokenizer()(chunk, engine="newmm", keep_whitespace=False):
        for prefix in _PREFIXES:
            if token.startswith(prefix) and len(token) > len(prefix) + 2:
                token = token[len(prefix) :]
                break
        if len(token) < 2 or token in stop or not _HAS_WORD.search(token):
            continue
        if token.isdigit():
            continue
        out.append(token)
    return tuple(out)


def words(text: str) -> list[str]:
    """Content words of a text, in order: normalised, segmented, stop words dropped."""
    out: list[str] = []
    for chunk in fold(text).split(" "):
        if chunk:
            out.extend(_chunk_words(chunk))
    return out


def features(tokens: list[str]) -> list[str]:
    """What the vectoriser counts: the words and each pair of neighbouring words, so that
    "ท่องเที่ยว ชุมชน" weighs more than its two words apart."""
    return tokens + [f"{a}_{b}" for a, b in itertools.pairwise(tokens)]
