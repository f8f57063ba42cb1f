"""Importing Level-3 plans with their targets from XLSX: a dry run first that writes nothing,
then the import; a bad row refuses the whole file with messages naming sheet, row and column."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from agencies.models import Membership
from plans import importing
from plans.importing import PLAN_COLUMNS, TARGET_COLUMNS
from plans.models import Plan, PlanTarget
from tests.factories import member
from tests.test_projects_pages import english, page_text
from workflow import engine

pytestmark = pytest.mark.django_db
R = Membership.Role
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GOOD_PLANS = [
    ["DOAE-68", "T07003", "action_annual", "แผนปฏิบัติราชการประจำปี 2568 กรมส่งเสริมการเกษตร",
     2568, 2568, "head", "", "15/9/2567", "", "เพิ่มมูลค่าสินค้าเกษตร", "030401", ""],
    ["DOAE-66-70", "T07003", "แผนปฏิบัติราชการ ระยะ 5 ปี", "แผนปฏิบัติราชการระยะ 5 ปี (พ.ศ. 2566-2570)",
     2566, 2570, "cabinet", "", "1/10/2565", "มติ ครม. 4 ต.ค. 2565", "", "030001", "030002"],
]  # fmt: skip
GOOD_TARGETS = [
    ["DOAE-68", 1, "วิสาหกิจชุมชนแปรรูปได้มาตรฐาน", "จำนวนวิสาหกิจชุมชน", "กลุ่ม", "", "2568: 50"],
    ["DOAE-66-70", 1, "รายได้เกษตรกรเพิ่มขึ้น", "รายได้เฉลี่ย", "บาท/ครัวเรือน", "",
     "2566: 1000, 2567: 2000"],
]  # fmt: skip


def workbook(plans=GOOD_PLANS, targets=GOOD_TARGETS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "plans"
    sheet.append(list(PLAN_COLUMNS))
    for row in plans:
        sheet.append(row)
    other = book.create_sheet("targets")
    other.append(list(TARGET_COLUMNS))
    for row in targets:
        other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def staff(agencies):
    return member(R.STAFF, agencies["doae"])


def test_a_clean_workbook_is_checked_then_imported_as_drafts(agencies, staff):
    english_labels = importing.import_workbook(workbook(), staff, commit=False)
    assert not english_labels.has_errors and english_labels.counts["plans"] == 2
    assert not Plan.objects.exists()  # the dry run writes nothing

    report = importing.import_workbook(workbook(), staff, commit=True)
    assert report.committed
    annual, five = Plan.objects.order_by("year_from").reverse()
    assert (annual.status, annual.created_by, annual.primary_link.node.code) == (
        "draft",
        staff,
        "030401",
    )
    assert five.plan_type == Plan.Type.ACTION_5Y  # given by its Thai label
    assert five.approved_on.isoformat() == "2022-10-01"
    assert {link.node.code for link in five.links.all()} == {"030001", "030002"}
    target = PlanTarget.objects.get(plan=five)
    assert [(v.fiscal_year, v.value) for v in target.values.all()] == [(2566, "1000"),
                                                                       (2567, "2000")]  # fmt: skip
    assert [e.action for e in engine.timeline(annual)] == ["create"]


def test_one_bad_row_refuses_the_file_and_writes_nothing(agencies, staff):
    plans = [
        GOOD_PLANS[0],
        ["DOAE-X", "T21002", "annual", "", "2568", "2567", "", "", "31/2/2567", "", "", "999999",
         ""],
    ]  # fmt: skip
    targets = [GOOD_TARGETS[0], ["NOPE", "x", "", "", "", "", "2590: 5"],
               ["DOAE-68", 2, "เป้าหมายที่สอง", "", "", "", "2599: 1"]]  # fmt: skip
    with pytest.raises(AssertionError):
        assert importing.import_workbook(workbook(plans, targets), staff, commit=True).committed
    assert not Plan.objects.exists() and not PlanTarget.objects.exists()
    report = importing.import_workbook(workbook(plans, targets), staff, commit=False)
    errors = {(r.sheet, r.line): r.errors for r in report.rows if r.errors}
    bad = errors[("plans", 3)]
    assert set(bad) == {"agency_code", "plan_type", "title", "approved_on", "year_to"}
    assert errors[("targets", 3)].keys() == {"plan_reference", "order", "name"}
    assert "values" in errors[("targets", 4)]  # 2599 is outside the plan's period
    assert ("plans", 2) not in errors


def test_the_import_page_dry_runs_confirms_and_explains_errors_in_thai(client, agencies, staff):
    client.force_login(staff)
    upload = SimpleUploadedFile("plans.xlsx", workbook(), content_type=XLSX)
    response = client.post("/plans/import/", {"file": upload})
    assert response.status_code == 200 and not Plan.objects.exists()
    token = response.context["token"]
    response = client.post("/plans/import/", {"token": token})
    assert response.status_code == 302 and Plan.objects.count() == 2
    # The same file again: each plan already exists, nothing more is written.
    upload = SimpleUploadedFile("plans.xlsx", workbook(), content_type=XLSX)
    response = client.post("/plans/import/", {"file": upload})
    text = page_text(response)
    assert "แผ่นงาน plans แถว 2 คอลัมน์ reference" in text
    assert response.context["token"] is None and Plan.objects.count() == 2


def test_the_page_refuses_a_file_that_is_not_a_workbook(client, agencies, staff):
    client.force_login(staff)
    english(client)
    response = client.post("/plans/import/", {"file": SimpleUploadedFile("a.xlsx", b"a,b\n1,2")})
    assert "This file is not an Excel workbook (.xlsx)." in page_text(response)


def test_a_file_over_the_size_limit_is_refused_in_thai_and_nothing_is_imported(
    client, agencies, staff
):
    client.force_login(staff)
    # A good workbook, padded past the 5 MB limit: only its size is wrong.
    content = workbook() + b"\0" * importing.MAX_BYTES
    upload = SimpleUploadedFile("plans.xlsx", content, content_type=XLSX)
    response = client.post("/plans/import/", {"file": upload})
    assert response.status_code == 200
    assert "เกินขนาดสูงสุดที่รับได้ 5.2 MB" in page_text(response)
    assert response.context["token"] is None  # nothing to confirm
    assert not Plan.objects.exists()


def test_staff_import_only_for_their_own_agencies_and_analysts_not_at_all(client, agencies):
    other = member(R.STAFF, agencies["doh"])
    report = importing.import_workbook(workbook(), other, commit=True)
    assert not report.committed and not Plan.objects.exists()
    assert "agency_code" in report.plans[0].errors
    client.force_login(member(R.ANALYST, agencies["nesdc"]))
    assert client.get("/plans/import/").status_code == 403
    admin = member(R.ADMIN, agencies["nesdc"])
    assert importing.import_workbook(workbook(), admin, commit=True).committed


def test_the_template_has_both_sheets_with_their_columns(client, agencies, staff):
    client.force_login(staff)
    book = load_workbook(io.BytesIO(client.get("/plans/import/template.xlsx").content))
    assert [c.value for c in book["plans"][1]] == list(PLAN_COLUMNS)
    assert [c.value for c in book["targets"][1]] == list(TARGET_COLUMNS)


def test_a_reference_given_twice_in_the_file_is_refused(agencies, staff):
    twice = [GOOD_PLANS[0], [*GOOD_PLANS[0][:3], "แผนอีกฉบับ", *GOOD_PLANS[0][4:]]]
    with translation.override("en"):
        report = importing.import_workbook(workbook(twice, GOOD_TARGETS[:1]), staff, commit=True)
        assert not report.committed and not Plan.objects.exists()
        assert report.plans[1].messages == [
            "Sheet plans, row 3, column reference: Duplicate of row 2 in this file."
        ]
