"""Progress reports: who may start one and for which quarter, the checks at submission (in
Thai), the one-level workflow through the shared engine, the schedule with its deadlines and
what the project page, the project list and the home page show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agencies import access
from agencies.access import Action
from core.states import Status
from progress import selectors, services
from progress.models import ProgressReport
from tests.factories import ProjectFactory
from tests.progress_fixtures import LATE, approved_project, filed, fill, people
from tests.test_projects_pages import dom, form_data
from workflow import engine
from workflow.engine import WorkflowError
from workflow.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(agencies):
    return people(agencies)


@pytest.fixture
def project(agencies, who):
    return approved_project(agencies["doae"], who)


def thai(callable_, *args, **kwargs):
    with translation.override("th"):
        return callable_(*args, **kwargs)


# --- starting a report -----------------------------------------------------------------------


def test_staff_start_a_quarterly_report_with_a_row_for_every_activity_source_and_kpi(project, who):
    report = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    assert report.status == Status.DRAFT and report.agency == project.agency
    assert report.due_date == date(2025, 1, 30)  # 31 Dec 2567 + 30 days
    assert [r.activity.name for r in report.activity_rows.all()] == [
        "อบรมการแปรรูป",
        "ตลาดนัดสินค้าแปรรูป",
    ]
    assert [r.source for r in report.budget_rows.all()] == ["state"]
    assert [r.kpi.unit for r in report.kpi_rows.all()] == ["กลุ่ม"]
    assert [e.action for e in engine.timeline(report)] == ["create"]


def test_quarters_outside_the_project_are_refused_in_thai(project, who):
    with pytest.raises(WorkflowError) as before:
        thai(services.start_report, project, who.staff, "quarterly", 2567, 4, today=LATE)
    assert "ก่อนโครงการเริ่ม" in before.value.message
    with pytest.raises(WorkflowError) as after:
        thai(services.start_report, project, who.staff, "quarterly", 2569, 1, today=LATE)
    assert "หลังโครงการสิ้นสุด" in after.value.message
    with pytest.raises(WorkflowError) as future:
        thai(services.start_report, project, who.staff, "quarterly", 2568, 3,
             today=date(2025, 2, 1))  # fmt: skip
    assert "ยังไม่เริ่ม" in future.value.message
    assert not ProgressReport.objects.exists()


def test_only_approved_projects_of_ones_own_agency_are_reported(project, who, agencies):
    draft = ProjectFactory(agency=agencies["doae"], created_by=who.staff)
    with pytest.raises(WorkflowError):
        services.start_report(draft, who.staff, "quarterly", 2568, 1, today=LATE)
    with pytest.raises(PermissionDenied):
        services.start_report(project, who.other_staff, "quarterly", 2568, 1, today=LATE)
    with pytest.raises(PermissionDenied):
        services.start_report(project, who.approver, "quarterly", 2568, 1, today=LATE)
    services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    with pytest.raises(WorkflowError):  # one report per quarter
        services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    assert ProgressReport.objects.count() == 1


def test_a_new_report_carries_on_from_the_previous_one(project, who):
    filed(project, who, 2568, 1, "200000", "200000")
    q2 = services.start_report(project, who.staff, "quarterly", 2568, 2, today=LATE)
    row = q2.budget_rows.get()
    assert (row.disbursed, row.cumulative) == (0, Decimal("200000"))
    assert {r.percent for r in q2.activity_rows.all()} == {50}


# --- checks at submission ----------------------------------------------------------------------


def test_cumulative_disbursement_never_decreases(project, who):
    filed(project, who, 2568, 1, "300000", "300000")
    q2 = services.start_report(project, who.staff, "quarterly", 2568, 2, today=LATE)
    fill(q2, "0", "250000")
    problems = thai(q2.submission_problems)
    assert "ต้องไม่ลดลง" in " ".join(problems["budget-0-cumulative"])
    assert "300,000.00" in " ".join(problems["budget-0-cumulative"])
    with pytest.raises(WorkflowError):
        engine.perform(q2, Action.SUBMIT, who.staff)
    q2.refresh_from_db()
    assert q2.status == Status.DRAFT
    fill(q2, "100000", "400000")
    assert q2.submission_problems() == {}


def test_an_earlier_report_cannot_overtake_a_later_one(project, who):
    filed(project, who, 2568, 2, "300000", "300000")
    q1 = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    fill(q1, "400000", "400000")
    assert "budget-0-cumulative" in q1.submission_problems()


def test_cumulative_must_add_up(project, who):
    q1 = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    fill(q1, "100000", "150000")
    messages = thai(q1.submission_problems)["budget-0-cumulative"]
    assert "100,000.00" in messages[0]


def test_disbursement_above_the_allocation_needs_an_explanation(project, who):
    q1 = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    fill(q1, "1200000", "1200000")  # the project has 1,000,000 baht
    problems = thai(q1.submission_problems)
    assert "เกินกรอบวงเงิน" in problems["overrun_reason"][0]
    q1.overrun_reason = "ได้รับโอนงบกลางเพิ่มเติมตามมติคณะรัฐมนตรี"
    q1.save()
    assert q1.submission_problems() == {}


@pytest.mark.parametrize(
    ("value", "ok"),
    [("35", True), ("๓๕", True), ("1,250.5", True), ("35 กลุ่ม", True), ("35 คน", False),
     ("ประมาณสามสิบ", False), ("", False)],
)  # fmt: skip
def test_kpi_actuals_are_numbers_in_the_kpis_unit(project, who, value, ok):
    q1 = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    fill(q1, "0", "0", actual=value)
    problems = thai(q1.submission_problems)
    assert ("kpis-0-actual_value" not in problems) is ok
    if not ok and value:
        assert "กลุ่ม" in problems["kpis-0-actual_value"][0]


def test_activity_state_and_percent_agree(project, who):
    q1 = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    fill(q1, "0", "0")
    row = q1.activity_rows.first()
    row.state, row.percent = "done", 80
    row.save()
    assert "activities-0-percent" in q1.submission_problems()


# --- workflow ----------------------------------------------------------------------------------


def test_one_approval_accepts_the_report_and_the_owner_is_told(project, who):
    report = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    fill(report, "100000", "100000")
    assert engine.allowed_transitions(who.staff, report) == [Action.SUBMIT]
    engine.perform(report, Action.SUBMIT, who.staff)
    assert Notification.objects.filter(recipient=who.approver, object_id=report.pk).exists()
    assert engine.allowed_transitions(who.ministry, report) == []
    assert engine.allowed_transitions(who.other_approver, report) == []
    assert set(engine.allowed_transitions(who.approver, report)) == {Action.APPROVE,
                                                                      Action.RETURN}  # fmt: skip
    engine.perform(report, Action.APPROVE, who.approver)
    assert report.status == Status.APPROVED  # accepted: no ministry level for reports
    told = Notification.objects.get(recipient=who.staff, object_id=report.pk)
    assert told.message.endswith("ได้รับการตรวจรับแล้ว") and told.url == f"/progress/{report.pk}/"
    assert thai(lambda: report.status_label) == "รับรายงานแล้ว"
    assert [(e.from_status, e.to_status) for e in engine.timeline(report)][1:] == [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.APPROVED),
    ]
    assert not access.can(who.staff, Action.EDIT, report)


def test_return_with_a_comment_then_resubmit_with_a_reason(project, who, client):
    report = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    fill(report, "100000", "100000")
    engine.perform(report, Action.SUBMIT, who.staff)
    with pytest.raises(WorkflowError):
        engine.perform(report, Action.RETURN, who.approver, "")
    engine.perform(report, Action.RETURN, who.approver, "โปรดแนบภาพถ่ายการอบรม")
    assert report.status == Status.RETURNED
    # The owner edits through the form: a reason is required after a submission.
    client.force_login(who.staff)
    url = f"/progress/{report.pk}/edit/"
    data = form_data(client.get(url), "report-form")
    data["kpis-0-actual_value"] = ["12"]
    response = client.post(url, data)
    assert response.status_code == 200 and "change_reason" in response.context["form"].errors
    data["change_reason"] = ["เพิ่มผลการดำเนินงานตามข้อสังเกต"]
    data["_submit"] = ["1"]
    response = client.post(url, data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    change = engine.change_history(report).get()
    assert any("12" in v["new"] for v in change.changes.values())


def test_the_owner_withdraws_a_submitted_report_back_to_draft(project, who):
    report = filed(project, who, 2568, 1, "0", "0", accept=False)
    assert Action.WITHDRAW in engine.allowed_transitions(who.staff, report)
    engine.perform(report, Action.WITHDRAW, who.staff)
    assert report.status == Status.DRAFT and access.can(who.staff, Action.EDIT, report)


def test_nobody_accepts_their_own_report(project, who, agencies):
    from tests.factories import MembershipFactory

    MembershipFactory(user=who.staff, agency=agencies["doae"], role="agency_approver")
    who.staff._emenscr_grants = None
    report = filed(project, who, 2568, 1, "0", "0", accept=False)
    assert not access.can(who.staff, Action.APPROVE, report)


# --- schedule, deadlines, completion -----------------------------------------------------------


def test_schedule_and_overdue_reports(project, who, settings):
    settings.PROGRESS_REPORT_DUE_DAYS = 45
    filed(project, who, 2568, 1, "100000", "100000")
    filed(project, who, 2568, 2, "100000", "200000", accept=False)
    reports = list(ProgressReport.objects.all())
    periods = selectors.schedule(project, reports, date(2025, 8, 20))
    states = [(p.label, p.state) for p in periods]
    assert states == [("Q1/2568", "accepted"), ("Q2/2568", "submitted"),
                      ("Q3/2568", "overdue"), ("Q4/2568", "open"),
                      ("Q4/2568", "open")]  # fmt: skip
    assert periods[2].due == date(2025, 8, 14)  # 30 Jun 2568 + 45 days
    assert periods[-1].is_closing and periods[-1].due == date(2025, 11, 14)


def test_closing_report_completes_the_project(project, who, client):
    for q in (1, 2, 3, 4):
        filed(project, who, 2568, q, "250000", str(250000 * q))
    closing = services.start_report(project, who.staff, "closing", today=LATE)
    assert closing.budget_rows.get().cumulative == Decimal("1000000")
    assert "outcomes_achieved" in closing.submission_problems()
    for row in closing.activity_rows.all():
        row.state, row.percent = "done", 100
        row.save()
    closing.kpi_rows.update(actual_value="52")
    closing.outcomes_achieved = "กลุ่มวิสาหกิจชุมชน 52 กลุ่มแปรรูปผลผลิตและจำหน่ายได้"
    closing.lessons_learned = "ควรเชื่อมโยงตลาดออนไลน์ตั้งแต่ไตรมาสแรก"
    closing.save()
    assert closing.submission_problems() == {}
    engine.perform(closing, Action.SUBMIT, who.staff)
    engine.perform(closing, Action.APPROVE, who.approver)
    assert selectors.flags_for([project], LATE)[project.pk].completed
    with pytest.raises(WorkflowError):  # nothing more to report
        services.start_report(project, who.staff, "quarterly", 2568, 4, today=LATE)
    client.force_login(who.analyst)
    page = dom(client.get(f"/projects/{project.pk}/"))
    assert page.find("section", "progress-section").find("span", "completed")


# --- pages -------------------------------------------------------------------------------------


def test_project_page_shows_charts_schedule_and_history(project, who, client):
    filed(project, who, 2568, 1, "150000", "150000")
    client.force_login(who.staff)
    response = client.get(f"/projects/{project.pk}/")
    section = dom(response).find("section", "progress-section")
    budget = section.find("svg", "budget-chart")
    disbursed = [r for r in budget.find_all("rect", "disbursed") if float(r.attrs["height"]) > 0]
    assert len(disbursed) == 1 and "Q1/2568" in disbursed[0].text
    assert "150,000.00" in disbursed[0].text
    kpi = section.find("svg", "kpi-chart")
    assert kpi.find_all("rect", "actual") and "10 / 50 กลุ่ม" in kpi.text
    section_html = response.content.decode().split('id="progress"')[1].split("</section>")[0]
    assert "<script" not in section_html and "http" not in section_html  # no JS, no CDN
    history = section.find("ul", "report-history")
    assert len(history.find_all("li")) == 1
    # Quarters 2-4 are overdue today (Dec 2569) and staff may start them from the page.
    starts = section.find_all("button", "start-report")
    assert {b.attrs["data-period"] for b in starts} >= {"quarterly-2568-2", "quarterly-2568-4"}


def test_the_page_form_starts_a_report_and_another_agency_gets_404(project, who, client):
    client.force_login(who.staff)
    response = client.post(f"/progress/project/{project.pk}/start/",
                           {"kind": "quarterly", "fiscal_year": 2568, "quarter": 2})  # fmt: skip
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and response.url == f"/progress/{report.pk}/edit/"
    client.force_login(who.other_staff)
    assert client.get(f"/progress/{report.pk}/").status_code == 404  # a draft elsewhere
    assert client.get(f"/progress/{report.pk}/edit/").status_code == 404
    client.force_login(who.analyst)
    assert client.get(f"/progress/{report.pk}/").status_code == 404  # drafts are private


def test_approver_accepts_from_the_report_page(project, who, client):
    report = filed(project, who, 2568, 1, "0", "0", accept=False)
    client.force_login(who.approver)
    page = dom(client.get(f"/progress/{report.pk}/"))
    actions = {b.attrs.get("formaction") for b in page.find_all("button")}
    assert f"/progress/{report.pk}/approve/" in actions
    client.force_login(who.analyst)
    client.post(f"/progress/{report.pk}/approve/")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED  # analysts read only
    client.force_login(who.approver)
    client.post(f"/progress/{report.pk}/approve/", {"expected_version": report.version})
    report.refresh_from_db()
    assert report.status == Status.APPROVED


def test_overdue_is_flagged_on_the_home_page_and_in_the_project_list(project, who, client):
    client.force_login(who.staff)
    home = dom(client.get("/"))
    overdue = home.find("table", "overdue-reports")
    assert project.title in overdue.text and "Q1/2568" in overdue.text
    listing = dom(client.get("/projects/"))
    rows = listing.find("table", "projects").find_all("tr")
    row = next(r for r in rows if project.title in r.text)
    assert row.find("span", "overdue")


def test_project_list_flags_cost_one_query_whatever_the_page_size(agencies, who):
    from projects.selectors import visible_projects

    approved_project(agencies["doae"], who)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.flags_for(list(visible_projects(who.staff)), LATE)
        return len(ctx)

    few = count()
    for _ in range(3):
        approved_project(agencies["doae"], who)
    assert count() == few


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_attachments_are_checked_by_content_and_only_on_drafts(project, who, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    client.force_login(who.staff)
    url = f"/progress/{report.pk}/attachments/"
    client.post(url, {"file": SimpleUploadedFile("ภาพกิจกรรม.pdf", PDF)})
    fake = SimpleUploadedFile("รายงาน.pdf", b"MZ\x90\x00 not a pdf at all")
    response = client.post(url, {"file": fake}, follow=True)
    assert [a.name for a in report.attachments.all()] == ["ภาพกิจกรรม.pdf"]
    assert "รายงาน.pdf" in response.content.decode()  # the refusal names the file
    fill(report, "0", "0")
    engine.perform(report, Action.SUBMIT, who.staff)
    client.post(url, {"file": SimpleUploadedFile("เพิ่มเติม.pdf", PDF)})
    assert report.attachments.count() == 1  # submitted: no more changes


def test_a_stale_form_gets_a_conflict_message_and_keeps_the_input(project, who, client):
    report = services.start_report(project, who.staff, "quarterly", 2568, 1, today=LATE)
    client.force_login(who.staff)
    url = f"/progress/{report.pk}/edit/"
    data = form_data(client.get(url), "report-form")
    other = form_data(client.get(url), "report-form")
    other["next_steps"] = ["ขยายผลสู่กลุ่มใหม่"]
    assert client.post(url, other).status_code == 302
    data["next_steps"] = ["จัดอบรมรุ่นที่ 2"]
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert "จัดอบรมรุ่นที่ 2" in response.content.decode()
    again = form_data(response, "report-form")  # saving again, knowingly, now succeeds
    assert client.post(url, again).status_code == 302
    report.refresh_from_db()
    assert report.next_steps == "จัดอบรมรุ่นที่ 2"
