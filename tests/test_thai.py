from datetime import date, datetime
from zoneinfo import ZoneInfo

from core import thai


def test_normalize_folds_thai_digits_zero_width_and_sara_am_variant():
    assert thai.normalize("ปี ๒๕๖๗") == "ปี 2567"
    assert thai.normalize("ผู้สูง\u200bอายุ") == "ผู้สูงอายุ"
    # nikhahit + sara aa, as broken PDF text layers print "ทำ"
    assert thai.normalize("ท\u0e4d\u0e32งาน") == "ทำงาน"
    assert thai.normalize("  Digital   ECONOMY ") == "digital economy"


def test_words_segments_thai_without_spaces():
    tokens = thai.words("ผู้สูงอายุมีคุณภาพชีวิตที่ดีขึ้น")
    assert "ผู้สูงอายุ" in tokens
    assert "คุณภาพ" in tokens or "คุณภาพชีวิต" in tokens
    assert thai.words(" , ") == []


def test_buddhist_era_dates_in_both_languages():
    assert thai.format_date(date(2023, 10, 1)) == "1 ต.ค. 2566"
    assert thai.format_date(date(2023, 10, 1), long=True) == "1 ตุลาคม 2566"
    assert thai.format_date(date(2024, 2, 29), "en") == "29 Feb 2567 BE"
    assert thai.format_date(None) == ""


def test_aware_datetimes_are_shown_in_bangkok_time():
    late_utc = datetime(2023, 9, 30, 20, 0, tzinfo=ZoneInfo("UTC"))  # 03:00 on 1 Oct in Bangkok
    assert thai.format_date(late_utc) == "1 ต.ค. 2566"
