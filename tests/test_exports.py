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


# --- every list page's download ---------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example","คลิก")'
LISTS = {"plans": "/plans/", "to fix": "/checks/", "dashboards' projects": "/dashboards/projects/"}


@pytest.fixture
def formula_titles(agencies, settings, tmp_path):
    """A staff member whose agency has a project, a plan and a finding titled like a formula."""
    from checks.services import run_checks
    from projects.models import BudgetLine
    from tests.factories import complete_project, member
    from tests.plan_helpers import complete_plan

    settings.MEDIA_ROOT = str(tmp_path)
    staff = member("staff", agencies["doae"])
    project = complete_project(agency=agencies["doae"], created_by=staff, title=FORMULA)
    # Budget lines that do not add up to the budget: a finding on the "to fix" list.
    BudgetLine.objects.filter(project=project).update(amount=Decimal("900000"))
    run_checks(agency_ids=[agencies["doae"].pk])
    complete_plan(agencies["doae"], staff, title=FORMULA)
    return staff


def _cells(response, file_format: str) -> set:
    assert response.status_code == 200
    if file_format == "csv":
        rows = _csv(response.content)
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        rows = list(sheet.iter_rows(values_only=True))
    return {cell for row in rows[1:] for cell in row}


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
def test_list_downloads_write_a_formula_like_title_as_text(
    client, formula_titles, url, file_format
):
    client.force_login(formula_titles)
    cells = _cells(client.get(url, {"export": file_format}), file_format)
    assert "'" + FORMULA in cells and FORMULA not in cells


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_to_fix_download_dates_each_finding_as_the_page_does(
    client, formula_titles, file_format
):
    from django.utils import timezone

    from core.thai import format_date

    client.force_login(formula_titles)
    cells = _cells(client.get("/checks/", {"export": file_format}), file_format)
    assert format_date(timezone.localtime()) in cells  # "6 ธ.ค. 2569", not a UTC timestamp
