"""The agency quarterly report of many projects: above reports.builders.agency_quarter
.DETAILS_UP_TO projects it comes in its compact form (one row per project, subtotals per
unit, the reports owed, no details), laid out in parts whose pages are numbered across the
whole file. The limits are lowered here so two projects make a "big" report of many parts."""

from __future__ import annotations

import pytest
from django.utils import translation
from pypdf import PdfReader

from reports.builders import agency_quarter
from tests.test_reports import pdf_text
from tests.test_reports_pdf import PROBLEM, UNIT_TITLE, quarter_data  # noqa: F401

pytestmark = pytest.mark.django_db


def build(who, agencies, tmp_path, seen: list[float] | None = None):
    seen = [] if seen is None else seen
    path = tmp_path / "q.pdf"
    with translation.override("th"):  # as the worker builds it (another test may leave English)
        count = agency_quarter.render(
            who.staff, {"agency": agencies["doae"].pk, "fiscal_year": 2568, "quarter": 1}, path,
            lambda done, total: seen.append(done / total),
        )  # fmt: skip
    pdf = PdfReader(path)
    return count, pdf, pdf_text(pdf)


def test_a_report_above_the_limit_has_one_row_a_project_and_the_unit_subtotals(
    quarter_data,  # noqa: F811
    agencies,
    tmp_path,
    monkeypatch,
):
    who, main, _unit = quarter_data
    monkeypatch.setattr(agency_quarter, "DETAILS_UP_TO", 1)
    seen: list[float] = []
    count, _pdf, text = build(who, agencies, tmp_path, seen)
    assert count == 2
    assert "ฉบับย่อ: รายงานนี้มี 2 โครงการ เกินกว่า 1 โครงการ" in text
    lines = text.splitlines()
    doae, planning = agencies["doae"], agencies["unit"]
    # Every project's row: its number, title, unit, the quarter's report, activities done of
    # all, KPIs met of all, disbursed in the quarter, cumulative, allocation, overdue.
    row = next(ln for ln in lines if ln.startswith(f"1 {main.title} "))
    done = ["0/2", "0/1", "250,000.00", "250,000.00", "1,000,000.00"]
    assert row.split()[-7:] == [doae.code, "รับรายงานแล้ว", *done], row
    row = next(ln for ln in lines if ln.startswith(f"2 {UNIT_TITLE} "))
    late = ["เลยกำหนดส่ง", "—", "—", "—", "—", "1,000,000.00", "เลยกำหนดส่ง"]
    assert row.split()[-8:] == [planning.code, *late], row
    # The subtotal of each unit, and the ministry-wide total in the summary.
    sub = next(ln for ln in lines if ln.startswith(f"รวม {doae.code} (1 โครงการ)"))
    assert sub.split()[-4:] == ["250,000.00", "250,000.00", "1,000,000.00", "0"], sub
    sub = next(ln for ln in lines if ln.startswith(f"รวม {planning.code} (1 โครงการ)"))
    assert sub.split()[-4:] == ["0.00", "0.00", "1,000,000.00", "1"], sub
    total = agency_quarter.collect(
        who.staff, {"agency": doae.pk, "fiscal_year": 2568, "quarter": 1}, lambda d, t: None
    ).total
    figures = (total.projects, total.allocation, total.disbursed, total.owed)
    assert figures == (2, 2000000, 250000, 1)
    assert "2 2,000,000.00 250,000.00 250,000.00 12.5 1 1" in lines
    # The reports owed are listed; no project's details are.
    assert "รายงานที่ยังไม่ส่งหรือเลยกำหนดส่ง" in text and "ไตรมาส 1 ปีงบประมาณ 2568" in text
    assert PROBLEM not in text and "อบรมการแปรรูป" not in text
    assert seen == sorted(seen) and seen[-1] == 1 and any(0.5 < f < 1 for f in seen)


def test_the_pages_of_a_report_in_parts_are_numbered_across_the_whole_file(
    quarter_data,  # noqa: F811
    agencies,
    tmp_path,
    monkeypatch,
):
    who, _main, _unit = quarter_data
    monkeypatch.setattr(agency_quarter, "DETAILS_UP_TO", 1)
    monkeypatch.setattr(agency_quarter, "ROWS_PER_PART", 1)  # a part per row: 3 or more parts
    laid_out: list[str] = []
    parts = agency_quarter._parts
    monkeypatch.setattr(
        agency_quarter, "_parts", lambda found: (laid_out.append("x") or p for p in parts(found))
    )
    _count, pdf, _text = build(who, agencies, tmp_path)
    pages = len(pdf.pages)
    assert len(laid_out) >= 3 and pages >= len(laid_out)
    for number, page in enumerate(pdf.pages, 1):
        alone = pdf_text(type(pdf)(_one(page)))
        assert f"หน้า {number} / {pages}" in alone, (number, alone[-200:])
        assert "พิมพ์เมื่อ" in alone  # the running footer of every part
        assert alone.count("หน้า ") == 1  # a part prints no page number of its own


def test_a_report_up_to_the_limit_has_the_full_details_and_says_so(
    quarter_data,  # noqa: F811
    agencies,
    tmp_path,
):
    who, _main, _unit = quarter_data
    _count, pdf, text = build(who, agencies, tmp_path)
    flat = " ".join(text.split())
    assert (
        "ฉบับเต็ม: แสดงรายละเอียดของแต่ละโครงการต่อจากตาราง (รายงานที่มีไม่เกิน "
        f"{agency_quarter.DETAILS_UP_TO} โครงการ)"
    ) in flat
    assert PROBLEM in text and "อบรมการแปรรูป" in text
    assert f"หน้า 1 / {len(pdf.pages)}" in text


def _one(page):
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_page(page)
    writer.write(out)
    out.seek(0)
    return out
