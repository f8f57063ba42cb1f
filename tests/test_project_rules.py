"""What makes a project submittable: each rule, seen from the message the user gets."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from projects.attachments import check_upload
from projects.models import StrategyLink
from projects.rules import parse_number, submission_problems
from strategy.models import Kind, Node
from tests.factories import complete_project, y1_node

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def project(agencies):
    return complete_project(agency=agencies["doae"])


def test_a_complete_project_has_no_problem(project):
    assert submission_problems(project) == {}


def test_dates_in_order_and_inside_the_fiscal_years(project):
    project.start_date, project.end_date = date(2025, 3, 1), date(2025, 2, 1)
    assert "end_date" in submission_problems(project)
    project.start_date, project.end_date = date(2024, 9, 30), date(2025, 9, 30)  # FY 2567
    problems = submission_problems(project)
    assert "fiscal year 2568" in problems["start_date"][0]
    project.start_date, project.end_date = date(2024, 10, 1), date(2025, 10, 1)  # FY 2569
    assert "end_date" in submission_problems(project)
    # budget in FY 2569 extends the covered years
    project.budget_lines.create(source="state", fiscal_year=2569, amount=Decimal(0))
    assert "end_date" not in submission_problems(project)


def test_activity_dates_inside_the_project(project):
    activity = project.activities.first()
    activity.start_date = date(2024, 9, 1)
    activity.save()
    assert submission_problems(project)["activities-0-start_date"] == [
        "This date is outside the project's dates."
    ]


def test_activity_budgets_add_up_or_a_reason_is_given(project):
    activity = project.activities.first()
    activity.budget = Decimal("500000")
    activity.save()
    message = submission_problems(project)["budget_difference_reason"][0]
    assert "900,000.00" in message and "1,000,000.00" in message
    project.budget_difference_reason = "ค่าบริหารจัดการโครงการ 100,000 บาท ไม่แยกเป็นกิจกรรม"
    assert "budget_difference_reason" not in submission_problems(project)


def test_budget_lines_add_up_to_the_total(project):
    project.total_budget = Decimal("1200000")
    project.budget_difference_reason = "x"
    assert "budget_lines" in submission_problems(project)


def test_kpi_targets_numeric_with_a_unit(project):
    kpi = project.kpis.first()
    kpi.target_value, kpi.unit = "ห้าสิบ", ""
    kpi.save()
    problems = submission_problems(project)
    assert problems["kpis-0-target_value"] == ["The target must be a number."]
    assert problems["kpis-0-unit"] == ["Give the unit of the target."]
    assert parse_number("๕๐") == Decimal(50)
    assert parse_number("1,250.5") == Decimal("1250.5")
    assert parse_number("50%") is None


def test_primary_link_edition_must_match_the_fiscal_year(project):
    project.links.all().delete()
    StrategyLink.objects.create(project=project, node=y1_node("040601", "mp-2561"),
                                is_primary=True)  # fmt: skip
    (message,) = submission_problems(project)["y1"]
    assert "2561" in message and "2566" in message  # the wrong and the right edition


def test_primary_link_at_the_deepest_loaded_level(project):
    project.links.all().delete()
    sub_plan = Node.objects.get(edition__code="mp-2566", code="0304")
    StrategyLink.objects.create(project=project, node=sub_plan, is_primary=True)
    assert submission_problems(project)["y1"] == ["Choose the Y1 target below the chosen plan."]
    # master plan 05 has nothing loaded below it in mp-2566: the master plan itself will do
    project.links.all().delete()
    plan = Node.objects.get(edition__code="mp-2566", code="05")
    StrategyLink.objects.create(project=project, node=plan, is_primary=True)
    assert "y1" not in submission_problems(project)


def test_factor_must_belong_to_the_y1_target(project):
    """The chain check: a factor from another Y1 is refused."""
    from strategy.models import Edition

    edition = Edition.objects.get(code="mp-2566")
    y1, other_y1 = y1_node("030401"), y1_node("030301")
    component = Node.objects.create(edition=edition, kind=Kind.COMPONENT, code="030301V01",
                                    parent=other_y1, title_th="การผลิต")  # fmt: skip
    foreign = Node.objects.create(edition=edition, kind=Kind.FACTOR, code="030301V01F01",
                                  parent=component, title_th="เทคโนโลยีการผลิต")  # fmt: skip
    link = project.links.get(is_primary=True)
    link.factor = foreign
    link.save()
    assert "does not belong" in submission_problems(project)["factor"][0]
    # a Y1 whose value chain is loaded needs its factor
    own_component = Node.objects.create(edition=edition, kind=Kind.COMPONENT, code="030401V01",
                                        parent=y1, title_th="การแปรรูป")  # fmt: skip
    own = Node.objects.create(edition=edition, kind=Kind.FACTOR, code="030401V01F01",
                              parent=own_component, title_th="มาตรฐานการแปรรูป")  # fmt: skip
    link.factor = None
    link.save()
    assert submission_problems(project)["factor"] == [
        "Choose the value-chain factor the project acts on."
    ]
    link.factor = own
    link.save()
    assert "factor" not in submission_problems(project)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_attachments_are_checked_by_content_and_size(settings):
    assert (
        check_upload(upload("แผน.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")) == "application/pdf"
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    assert check_upload(upload("photo.png", png)) == "image/png"
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    assert check_upload(upload("budget.xlsx", buffer.getvalue())).endswith("spreadsheetml.sheet")
    with pytest.raises(ValidationError, match=r"report\.pdf"):
        check_upload(upload("report.pdf", b"MZ\x90\x00 an executable"))
    with pytest.raises(ValidationError, match="empty"):
        check_upload(upload("empty.pdf", b""))
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="limit"):
        check_upload(upload("big.pdf", b"%PDF-1.4\n" + b"x" * 100))
