"""Downloads a spreadsheet opens safely: text that Excel would run as a formula is written as
text, and numbers stay numbers (a negative amount is not turned into text by the escaping)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.exports import csv_bytes, xlsx_bytes
from reports.writers import CsvWriter, XlsxWriter

ROW = ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", -5, Decimal("-1250.50"), 7, date(2025, 1, 2)]
# What a spreadsheet shows: each formula-like text behind an apostrophe, every number as given.
CSV_ROW = ["'=HYPERLINK(1)", "'+1", "'-2+3", "'@SUM(A1)", "-5", "-1250.50", "7", "2025-01-02"]


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_csv_download_escapes_formula_text_but_not_negative_numbers():
    assert _csv(csv_bytes(["h"] * len(ROW), [ROW]))[1] == CSV_ROW


def test_a_csv_report_escapes_formula_text_but_not_negative_numbers(tmp_path):
    writer = CsvWriter(tmp_path / "r.csv")
    writer.header(["h"] * len(ROW))
    writer.write(ROW)
    writer.close()
    assert _csv((tmp_path / "r.csv").read_bytes())[1] == CSV_ROW


@pytest.mark.parametrize("how", ["download", "report"])
def test_an_xlsx_keeps_numbers_as_numbers_and_formula_text_as_text(tmp_path, how):
    if how == "download":
        content = xlsx_bytes(["h"] * len(ROW), [ROW])
    else:
        writer = XlsxWriter(tmp_path / "r.xlsx", "data")
        writer.header(["h"] * len(ROW))
        writer.write(ROW)
        writer.close()
        content = (tmp_path / "r.xlsx").read_bytes()
    cells = next(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2))
    assert all(c.data_type != "f" for c in cells)
    assert [c.value for c in cells[:4]] == CSV_ROW[:4]
    assert [c.value for c in cells[4:7]] == [-5, -1250.5, 7]
