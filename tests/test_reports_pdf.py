"""The master-plan summary as PDF and the agency quarterly report, built by a real Celery
worker and read back as a reader copies the PDF's text: the Thai titles, Buddhist-era dates
and the figures of the projects and progress reports the test made; only agencies the user
may see; refused choices say why in Thai, and nobody fetches someone else's report."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from agencies.access import Action
from agencies.models import Membership
from linkage.models import LinkScore
from progress import services as progress_services
from reports import services
from reports.models import ReportJob
from tests.factories import ProjectFactory, complete_project, member, y1_node
from tests.progress_fixtures import LATE, approved_project, fill, people
from tests.test_reports import download, pdf_text, wait_until_finished
from workflow import engine

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
R = Membership.Role
UNIT_TITLE = "โครงการพัฒนาระบบข้อมูลการผลิตของกองแผนงาน"
RID_TITLE = "โครงการก่อสร้างฝายชะลอน้ำของกรมชลประทาน"
PROBLEM = "ฝนตกหนักในเดือนพฤศจิกายน ทำให้ต้องเลื่อนการอบรม"


def approve(project, who) -> None:
    engine.perform(project, Action.SUBMIT, who.staff)
    engine.perform(project, Action.APPROVE, who.approver)
    engine.perform(project, Action.APPROVE, who.ministry)


def quarterly(project, who, fy, q, disbursed, cumulative, accept=True, problems=""):
    report = progress_services.start_report(project, who.staff, "quarterly", fy, q, today=LATE)
    fill(report, disbursed, cumulative)
    report.problems = problems
    report.save()
    engine.perform(report, Action.SUBMIT, who.staff)
    if accept:
        engine.perform(report, Action.APPROVE, who.approver)
    return report


@pytest.fixture
def quarter_data(shipped_strategy, agencies):
    """The agricultural extension department (doae): an approved project with an accepted Q1
    report (250,000 baht disbursed, a problem) and a submitted Q2 report (150,000 more); its
    planning unit: an approved project that filed nothing (overdue). The irrigation department
    (rid, a sibling): an approved project that must not appear."""
    who = people(agencies)
    main = approved_project(agencies["doae"], who)
    quarterly(main, who, 2568, 1, "250000", "250000", problems=PROBLEM)
    quarterly(main, who, 2568, 2, "150000", "400000", accept=False)
    unit = complete_project(agency=agencies["unit"], created_by=who.staff, title=UNIT_TITLE)
    approve(unit, who)
    rid_staff = member(R.STAFF, agencies["rid"])
    rid = complete_project(agency=agencies["rid"], created_by=rid_staff, title=RID_TITLE)
    engine.perform(rid, Action.SUBMIT, rid_staff)
    engine.perform(rid, Action.APPROVE, who.other_approver)
    engine.perform(rid, Action.APPROVE, who.ministry)
    return who, main, unit


def start_quarter(client, user, agency, fy="2568", quarter="1"):
    client.force_login(user)
    return client.post(
        "/reports/",
        {"report": "agency_quarter", "aq-agency": agency.pk, "aq-fiscal_year": fy,
         "aq-quarter": quarter},
    )  # fmt: skip


def built(client, user) -> tuple[ReportJob, str, int]:
    job = wait_until_finished(ReportJob.objects.filter(owner=user).latest("id"))
    assert job.state == ReportJob.State.DONE, job.error_detail
    pdf = PdfReader(io.BytesIO(download(client, job)))
    return job, pdf_text(pdf), len(pdf.pages)


def test_the_agency_quarterly_report_shows_each_projects_progress_in_the_quarter(
    celery_worker, quarter_data, client, agencies
):
    who, main, _unit = quarter_data
    response = start_quarter(client, who.staff, agencies["doae"])
    assert response.status_code == 302, response.content.decode()[:3000]
    job, text, pages = built(client, who.staff)
    assert job.format == "pdf" and job.row_count == 2 and job.progress == 100

    assert "รายงานผลการดำเนินงานรายไตรมาสของหน่วยงาน" in text
    assert "กรมส่งเสริมการเกษตร" in text
    assert "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568" in text
    assert "1 ตุลาคม 2567 – 31 ธันวาคม 2567" in text  # the quarter in Thai dates
    # Both the department's project and its unit's; never the sibling department's.
    assert main.title in text and UNIT_TITLE in text and "กองแผนงาน" in text
    assert RID_TITLE not in text
    # The Q1 figures: 250,000 of 1,000,000 baht, the activities half done, the KPI actual.
    assert "1,000,000.00" in text and "250,000.00" in text and "25.0" in text
    assert "400,000.00" not in text  # Q2's cumulative is not Q1's
    assert "อบรมการแปรรูป" in text and "อยู่ระหว่างดำเนินการ" in text
    assert "กลุ่มเกษตรกรที่ได้รับการพัฒนา" in text
    assert PROBLEM in text
    assert "รับรายงานแล้ว" in text  # the Q1 report was accepted
    # The unit's project filed nothing: overdue in the list of missing reports.
    assert "รายงานที่ยังไม่ส่งหรือเลยกำหนดส่ง" in text and "เลยกำหนดส่ง" in text
    assert "ไตรมาส 1 ปีงบประมาณ 2568" in text
    assert f"หน้า 1 / {pages}" in text and "พิมพ์เมื่อ" in text


def test_the_next_quarter_shows_the_submitted_report_and_the_cumulative_figure(
    celery_worker, quarter_data, client, agencies
):
    who, _main, _unit = quarter_data
    assert start_quarter(client, who.staff, agencies["doae"], quarter="2").status_code == 302
    _job, text, _pages = built(client, who.staff)
    assert "ไตรมาสที่ 2 ปีงบประมาณ พ.ศ. 2568" in text
    assert "150,000.00" in text and "400,000.00" in text and "40.0" in text
    assert "ส่งแล้ว รอตรวจรับ" in text
    # The unit's project now owes two quarters.
    assert "ไตรมาส 2 ปีงบประมาณ 2568" in text


def test_another_agency_cannot_start_or_download_an_agencys_quarterly_report(
    celery_worker, quarter_data, client, agencies
):
    who, _main, _unit = quarter_data
    response = start_quarter(client, who.other_staff, agencies["doae"])
    assert response.status_code == 200
    assert "ท่านไม่มีสิทธิ์ดูรายงานของหน่วยงานนี้" in response.content.decode()
    assert not ReportJob.objects.exists()
    # Nor through the service the API calls.
    with pytest.raises(ValidationError) as refused:
        services.start_agency_quarter(who.other_staff, agencies["doae"], 2568, 1)
    assert "ไม่มีสิทธิ์" in str(refused.value.message_dict["agency"])
    assert not ReportJob.objects.exists()

    # The agency's own report: its owner downloads it, the other agency gets a 404.
    assert start_quarter(client, who.staff, agencies["doae"]).status_code == 302
    job, _text, _pages = built(client, who.staff)
    client.force_login(who.other_staff)
    for url in ("", "progress/", "download/"):
        assert client.get(f"/reports/{job.pk}/{url}").status_code == 404


def test_a_quarter_that_does_not_exist_or_has_not_begun_is_refused_in_thai(
    quarter_data, client, agencies
):
    who, _main, _unit = quarter_data
    for fy, quarter, message in [
        ("2568", "5", "ไตรมาสต้องเป็น 1 ถึง 4"),
        ("2568", "0", "ไตรมาสต้องเป็น 1 ถึง 4"),
        ("2599", "1", "ไตรมาส 1 ปีงบประมาณ 2599 ยังไม่เริ่ม (เริ่มวันที่ 1 ต.ค. 2598)"),
        ("2400", "1", "กรุณาระบุปีงบประมาณเป็นปี พ.ศ. ตั้งแต่ 2561 ถึง 2600"),
    ]:
        response = start_quarter(client, who.staff, agencies["doae"], fy=fy, quarter=quarter)
        assert response.status_code == 200
        assert message in response.content.decode(), (fy, quarter)
    with pytest.raises(ValidationError) as refused:
        services.start_agency_quarter(who.staff, agencies["doae"], 2568, 7)
    assert refused.value.message_dict == {"quarter": ["ไตรมาสต้องเป็น 1 ถึง 4"]}
    assert not ReportJob.objects.exists()


def test_the_reports_page_offers_only_the_agencies_the_user_may_see(quarter_data, client, agencies):
    who, _main, _unit = quarter_data
    client.force_login(who.staff)
    page = client.get("/reports/").content.decode()
    assert 'id="agency-quarter-form"' in page
    for key in ("doae", "unit"):
        assert f'<option value="{agencies[key].pk}"' in page
    for key in ("doh", "rid"):
        assert f'<option value="{agencies[key].pk}"' not in page


def test_a_user_who_lost_the_agency_before_the_build_gets_no_report(quarter_data, client, agencies):
    """The worker applies the owner's grants when it runs, not those of the request."""
    who, _main, _unit = quarter_data
    job = ReportJob.objects.create(
        owner=who.staff, report="agency_quarter", format="pdf",
        filters={"agency": agencies["doae"].pk, "fiscal_year": 2568, "quarter": 1},
    )  # fmt: skip
    Membership.objects.filter(user=who.staff).delete()
    services.build(job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and job.error == ReportJob.Error.NOT_ALLOWED
    assert not job.file


def test_the_progress_moves_while_the_quarterly_report_is_built(quarter_data, agencies, tmp_path):
    from reports.builders import agency_quarter

    who, _main, _unit = quarter_data
    seen: list[float] = []
    count = agency_quarter.render(
        who.staff, {"agency": agencies["doae"].pk, "fiscal_year": 2568, "quarter": 1},
        tmp_path / "q.pdf", lambda done, total: seen.append(done / total),
    )  # fmt: skip
    assert count == 2
    assert seen == sorted(seen) and seen[-1] == 1
    assert any(0.5 < f < 1 for f in seen)  # the bar moves while the pages are laid out
    assert (tmp_path / "q.pdf").read_bytes().startswith(b"%PDF")


# --- the master-plan summary as PDF -----------------------------------------------------------


@pytest.fixture
def master_plan_data(shipped_strategy, agencies):
    """doae: an approved project (250,000 baht disbursed) and a draft, both on Y1 030401;
    doh: a draft the staff may not see."""
    who = people(agencies)
    approved = approved_project(agencies["doae"], who)
    quarterly(approved, who, 2568, 1, "250000", "250000")
    draft = complete_project(agency=agencies["doae"], created_by=who.staff)
    ProjectFactory(agency=agencies["doh"], created_by=who.other_staff, title="ร่างของกรมอนามัย")
    return who, approved, draft


def set_scores(client, user, approved, draft) -> None:
    """Approving queued rescoring on the worker; one job through the (first-in, first-out)
    worker lets those finish, then the scores are set to known values: 75 and 20."""
    _master_plan(client, user, "xlsx")
    for project, score in ((approved, 75), (draft, 20)):
        LinkScore.objects.update_or_create(
            project=project, node=y1_node(),
            defaults={"is_primary": True, "version": "test", "score": score, "rank": 1,
                      "rank_of": 27},
        )  # fmt: skip


def _master_plan(client, user, fmt: str) -> ReportJob:
    client.force_login(user)
    response = client.post(
        "/reports/", {"report": "master_plan", "mp-fiscal_year": "2568", "mp-format": fmt}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    job = wait_until_finished(ReportJob.objects.filter(owner=user).latest("id"))
    assert job.state == ReportJob.State.DONE, job.error_detail
    assert job.format == fmt
    return job


def test_the_master_plan_summary_pdf_has_the_same_figures_as_the_xlsx(
    celery_worker, master_plan_data, client
):
    who, approved, draft = master_plan_data
    set_scores(client, who.staff, approved, draft)
    sheet = load_workbook(
        io.BytesIO(download(client, _master_plan(client, who.staff, "xlsx"))), read_only=True
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    by_code = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    y1 = by_code["030401"]
    assert (y1["โครงการ"], y1["หน่วยงาน"]) == (2, 1)
    assert (y1["คะแนน 0–29"], y1["คะแนน 30–59"], y1["คะแนน 60–100"]) == (1, 0, 1)
    assert y1["ยังไม่มีคะแนน"] == 0
    assert by_code["03"]["คะแนน 60–100"] == 1  # added up to the master plan

    job = _master_plan(client, who.staff, "pdf")
    pdf = PdfReader(io.BytesIO(download(client, job)))
    text = pdf_text(pdf)
    assert "รายงานสรุปตามแผนแม่บท" in text and "ปีงบประมาณ พ.ศ. 2568" in text
    assert "030401 สินค้าเกษตรแปรรูปและผลิตภัณฑ์มีมูลค่าเพิ่มขึ้น" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("030401 "))
    # projects, agencies, budget, disbursed, scores 0–29 / 30–59 / 60–100, unscored, uncovered
    assert line.split()[-9:] == ["2", "1", "2,000,000.00", "250,000.00", "1", "0", "1", "0", "0"]
    flat = "".join(text.split())  # narrow header cells wrap their words
    assert "คะแนน60–100" in flat and "ยังไม่มีคะแนน" in flat
    assert "ร่างของกรมอนามัย" not in text
    assert f"หน้า 1 / {len(pdf.pages)}" in text and len(pdf.pages) >= 2
    # Every page repeats the table's header, so a page read alone still says what is what.
    for page in pdf.pages[1:]:
        alone = "".join(pdf_text(type(pdf)(_one(page))).split())
        assert "จำนวนโครงการตามคะแนนความสอดคล้อง" in alone


def _one(page) -> io.BytesIO:
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_page(page)
    writer.write(out)
    out.seek(0)
    return out


def test_a_master_plan_summary_in_a_format_it_does_not_come_in_is_refused(master_plan_data, client):
    who, _approved, _draft = master_plan_data
    client.force_login(who.staff)
    response = client.post(
        "/reports/", {"report": "master_plan", "mp-fiscal_year": "2568", "mp-format": "csv"}
    )
    assert response.status_code == 200 and not ReportJob.objects.exists()
    with pytest.raises(ValidationError):
        services.start_master_plan(who.staff, 2568, "csv")
    with pytest.raises(ValidationError):
        services.start_master_plan(who.staff, 2599)
    assert not ReportJob.objects.exists()
