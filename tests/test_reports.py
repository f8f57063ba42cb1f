"""Report jobs through a real Celery worker: the portfolio (XLSX and CSV) and the project form
(PDF) are built off the request, opened as a user would open them, and hold only what their
owner may see; another user cannot fetch them; a broker outage fails the job with a message
and a retry builds it."""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from agencies.models import Membership
from projects.models import StrategyLink
from reports.models import ReportJob
from tests.factories import ProjectFactory, complete_project, y1_node
from tests.progress_fixtures import approved_project, filed, people
from tests.test_faults import broker_down  # noqa: F401 - the fixture, reused

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
R = Membership.Role
SECRET = "โครงการลับของกรมอนามัยที่ยังเป็นร่าง"
FORMULA = '=HYPERLINK("http://evil.example","คลิก")'


def pdf_text(pdf) -> str:
    """The PDF's text as a reader copies it, compared as Thai search compares text
    (core.thai.normalize): NFC, because glyphs come in drawing order (a tone mark may precede
    the lower vowel it sits over), and sara am folded, because shaping draws it as nikhahit +
    sara aa (two glyphs, a tone mark between them)."""
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in pdf.pages))
    return re.sub("\u0e4d([\u0e48-\u0e4b]?)\u0e32", "\\1\u0e33", text)


def wait_until_finished(job: ReportJob, timeout: float = 60) -> ReportJob:
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.is_finished:
            return job
        assert time.monotonic() < deadline, f"the worker did not finish job {job.pk}"
        time.sleep(0.2)


def start_portfolio(client, user, **data) -> ReportJob:
    client.force_login(user)
    response = client.post("/reports/", {"format": "xlsx", **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ReportJob.objects.filter(owner=user).latest("id")
    assert response["Location"] == f"/reports/{job.pk}/"
    return job


def download(client, job: ReportJob) -> bytes:
    response = client.get(f"/reports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.fixture
def portfolio(shipped_strategy, agencies):
    """doae: an approved project with an accepted Q1 report (250,000 baht disbursed), a
    secondary link and a loan line; a draft whose title looks like a formula. doh: a draft."""
    who = people(agencies)
    approved = approved_project(agencies["doae"], who)
    StrategyLink.objects.create(project=approved, node=y1_node("030301"))
    approved.budget_lines.create(source="loan", fiscal_year=2568, amount=Decimal("200000.00"))
    filed(approved, who, 2568, 1, "250000", "250000")
    draft = complete_project(agency=agencies["doae"], created_by=who.staff, title=FORMULA)
    ProjectFactory(agency=agencies["doh"], created_by=who.other_staff, title=SECRET)
    return who, approved, draft


def test_portfolio_xlsx_has_the_projects_the_owner_sees_with_budget_links_and_disbursement(
    celery_worker, portfolio, client
):
    who, approved, _draft = portfolio
    job = wait_until_finished(start_portfolio(client, who.staff))
    assert job.state == ReportJob.State.DONE and job.progress == 100 and job.row_count == 2

    sheet = load_workbook(io.BytesIO(download(client, job)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    by_title = {row[header.index("ชื่อ")]: dict(zip(header, row, strict=False)) for row in body}
    # Only the staff's own agency: the health department's draft is not in the file.
    assert set(by_title) == {approved.title, "'" + FORMULA}
    assert not any(SECRET in str(v) for row in body for v in row)
    row = by_title[approved.title]
    assert row["หน่วยงาน"] == "กรมส่งเสริมการเกษตร"
    assert row["ปีงบประมาณ"] == 2568
    assert row["งบประมาณ: งบประมาณแผ่นดิน (บาท)"] == 1_000_000
    assert row["งบประมาณ: เงินกู้ (บาท)"] == 200_000
    assert row["เบิกจ่ายสะสมถึงปัจจุบัน (บาท)"] == 250_000
    assert row["รหัสความสอดคล้องหลัก"] == "030401"
    assert row["ความสอดคล้องรอง"].startswith("030301 ")
    assert "กลุ่มเกษตรกรที่ได้รับการพัฒนา: 50 กลุ่ม" in row["ตัวชี้วัด"]
    # The formula-like title is text in the file, not a formula Excel would run.
    assert by_title["'" + FORMULA]["สถานะ"] == "ร่าง"


def test_an_analyst_portfolio_never_holds_a_draft_and_follows_the_filters(
    celery_worker, portfolio, client, agencies
):
    who, approved, _draft = portfolio
    job = wait_until_finished(
        start_portfolio(
            client, who.analyst, format="csv", fiscal_year="2568", agency=agencies["moac"].pk
        )
    )
    assert job.state == ReportJob.State.DONE
    content = download(client, job)
    assert content.startswith("\ufeff".encode())  # Excel on Thai Windows reads UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    titles = [r[rows[0].index("ชื่อ")] for r in rows[1:]]
    assert titles == [approved.title]  # neither draft, and only the ministry's subtree

    # A filter on another ministry gives an empty report, not someone else's drafts.
    job = wait_until_finished(
        start_portfolio(client, who.analyst, format="csv", agency=agencies["moph"].pk)
    )
    assert job.row_count == 0


@pytest.mark.parametrize(
    "data",
    [{"format": "csv"}, {"report": "master_plan", "mp-fiscal_year": "2568"}],
    ids=["portfolio-csv", "master-plan-xlsx"],
)
def test_report_files_write_formula_like_text_as_text(celery_worker, portfolio, client, data):
    from strategy.models import Node

    who, _approved, _draft = portfolio
    # The draft's title looks like a formula (the fixture); so does a Y1 target's, the text
    # of the master-plan summary.
    Node.objects.filter(edition__code="mp-2566", code="030401").update(title_th=FORMULA)
    client.force_login(who.staff)
    assert client.post("/reports/", data).status_code == 302
    job = wait_until_finished(ReportJob.objects.filter(owner=who.staff).latest("id"))
    assert job.state == ReportJob.State.DONE, job.error_detail
    content = download(client, job)
    if "format" in data:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        rows = list(sheet.iter_rows(values_only=True))
    cells = {cell for row in rows[1:] for cell in row}
    assert "'" + FORMULA in cells and FORMULA not in cells


def test_someone_else_cannot_see_or_download_a_report(celery_worker, portfolio, client):
    who, _approved, _draft = portfolio
    job = wait_until_finished(start_portfolio(client, who.staff))
    for intruder in (who.other_staff, who.analyst, who.approver):
        client.force_login(intruder)
        for url in ("", "progress/", "download/"):
            assert client.get(f"/reports/{job.pk}/{url}").status_code == 404
        assert f'href="/reports/{job.pk}/"' not in client.get("/reports/").content.decode()


def test_a_report_started_twice_while_it_is_built_is_one_job(portfolio, client, monkeypatch):
    """A double click, the back button or a retrying API client: the same report with the same
    filters, asked again while it is queued or being built, is the job already under way."""
    from tests.test_api_projects import client_for

    queued = []
    monkeypatch.setattr("reports.services.enqueue", lambda task, pk: queued.append(pk) or True)
    who, _approved, _draft = portfolio
    first = start_portfolio(client, who.staff, fiscal_year="2568")
    again = start_portfolio(client, who.staff, fiscal_year="2568")  # redirected to the same job
    api = client_for(who.staff).post(
        "/api/v1/report-jobs/", {"report": "portfolio", "fiscal_year": 2568}, format="json"
    )
    assert again == first and (api.status_code, api.json()["id"]) == (200, first.pk)
    assert queued == [first.pk] and ReportJob.objects.count() == 1

    # Other filters, another format or another user are other reports.
    other_year = start_portfolio(client, who.staff, fiscal_year="2567")
    csv_file = start_portfolio(client, who.staff, fiscal_year="2568", format="csv")
    other_user = start_portfolio(client, who.approver, fiscal_year="2568")
    assert len({first.pk, other_year.pk, csv_file.pk, other_user.pk}) == 4

    # Once the first is built, asking again means a fresh copy.
    ReportJob.objects.filter(pk=first.pk).update(state=ReportJob.State.DONE)
    fresh = start_portfolio(client, who.staff, fiscal_year="2568")
    assert fresh.pk != first.pk and queued[-1] == fresh.pk


def test_two_starts_of_one_report_at_once_make_one_job(portfolio, monkeypatch):
    """Two requests at once (two connections, as two web workers would): the second waits for
    the first and finds its job."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from reports import services

    queued = []
    monkeypatch.setattr("reports.services.enqueue", lambda task, pk: queued.append(pk) or True)
    owner_pk = portfolio[0].staff.pk
    together = threading.Barrier(2)

    def start(_) -> int:
        try:
            owner = type(portfolio[0].staff).objects.get(pk=owner_pk)
            together.wait()
            return services.start_portfolio(owner, "xlsx", {"fiscal_year": 2568}).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        started = set(pool.map(start, range(2)))
    assert len(started) == 1 and queued == list(started)
    assert ReportJob.objects.count() == 1


def test_a_built_report_is_withdrawn_once_its_owner_may_no_longer_see_its_data(
    celery_worker, portfolio, client, agencies
):
    who, approved, _draft = portfolio
    # The staff help the health department for a while: their reports hold its draft.
    Membership.objects.create(user=who.staff, agency=agencies["doh"], role=R.STAFF)
    everything = wait_until_finished(start_portfolio(client, who.staff, format="csv"))
    own = wait_until_finished(
        start_portfolio(client, who.staff, format="csv", agency=agencies["doae"].pk)
    )
    assert SECRET in download(client, everything).decode("utf-8-sig")

    Membership.objects.filter(user=who.staff, agency=agencies["doh"]).delete()
    response = client.get(f"/reports/{everything.pk}/download/")
    assert response.status_code == 404 and not response.streaming
    assert SECRET not in response.content.decode()
    page = client.get(f"/reports/{everything.pk}/").content.decode()
    assert "ท่านไม่มีสิทธิ์เห็นข้อมูลบางส่วนของรายงานนี้แล้ว จึงดาวน์โหลดไม่ได้" in page
    assert 'id="download"' not in page and 'id="retry"' in page
    listed = client.get("/reports/").content.decode().split("<tr>")  # not "ready" there either
    state = {job: next(r for r in listed if f'href="/reports/{job.pk}/"' in r)
             for job in (everything, own)}  # fmt: skip
    assert "ไม่มีสิทธิ์ดาวน์โหลดแล้ว" in state[everything]
    assert "ไม่มีสิทธิ์ดาวน์โหลดแล้ว" not in state[own]
    # The report on their own department never held the health department's data: still theirs.
    assert approved.title in download(client, own).decode("utf-8-sig")

    # Built again, the report holds what they see now.
    client.post(f"/reports/{everything.pk}/retry/")
    everything = wait_until_finished(everything)
    assert everything.state == ReportJob.State.DONE and everything.row_count == 2
    assert SECRET not in download(client, everything).decode("utf-8-sig")

    # Without any membership left, no file of theirs is served.
    Membership.objects.filter(user=who.staff).delete()
    for job in (everything, own):
        assert client.get(f"/reports/{job.pk}/download/").status_code == 404


def test_a_filter_for_an_agency_the_user_may_not_see_is_refused(portfolio, client, agencies):
    who, _approved, _draft = portfolio
    client.force_login(who.staff)
    response = client.post("/reports/", {"format": "xlsx", "agency": agencies["doh"].pk})
    assert response.status_code == 200
    assert not ReportJob.objects.exists()
    assert 'class="error"' in response.content.decode()


def test_the_project_form_pdf_prints_the_thai_text_and_buddhist_era_dates(
    celery_worker, portfolio, client
):
    from pypdf import PdfReader

    who, approved, _draft = portfolio
    client.force_login(who.staff)
    response = client.post(f"/reports/project/{approved.pk}/")
    job = ReportJob.objects.get(owner=who.staff)
    assert response["Location"] == f"/reports/{job.pk}/"
    job = wait_until_finished(job)
    assert job.state == ReportJob.State.DONE, job.error_detail

    pdf = PdfReader(io.BytesIO(download(client, job)))
    text = pdf_text(pdf)
    assert approved.title in text
    assert "กรมส่งเสริมการเกษตร" in text  # the agency in the page header and the details
    assert "1 ตุลาคม 2567" in text and "30 กันยายน 2568" in text  # Buddhist-era dates
    # Words with tone marks over lowered or shifted glyphs, and sara am, come out as typed.
    assert "เกษตรกรขาดความรู้ในการแปรรูปผลผลิต ทำให้รายได้ต่ำ" in text
    assert "ผู้รับผิดชอบ" in text and "กลุ่มเป้าหมาย" in text and "ผลที่คาดว่าจะได้รับ" in text
    assert "ความสอดคล้องกับยุทธศาสตร์ชาติ" in text and "พื้นที่ดำเนินการ" in text
    assert "030401 สินค้าเกษตรแปรรูปและผลิตภัณฑ์มีมูลค่าเพิ่มขึ้น" in text
    assert "อบรมการแปรรูป" in text and "1,000,000.00" in text
    # The signature block. (pypdf guesses a space after a raised tone mark: ใฝ่ ดี.)
    assert "(นางสาวสมใจ ใฝ่" in text and "ผู้รับผิดชอบโครงการ" in text
    assert "หัวหน้าหน่วยงาน" in text
    assert f"หน้า 1 / {len(pdf.pages)}" in text  # the page footer
    fonts = {
        str(f["/BaseFont"])
        for page in pdf.pages
        for f in page["/Resources"]["/Font"].get_object().values()
    }
    assert any("Laksaman" in f for f in fonts), fonts  # the Thai government-style font


def test_another_agency_cannot_ask_for_a_project_form_of_a_draft(portfolio, client, agencies):
    who, _approved, draft = portfolio
    client.force_login(who.other_staff)
    assert client.post(f"/reports/project/{draft.pk}/").status_code == 404
    assert not ReportJob.objects.exists()


def test_a_broker_outage_fails_the_job_with_a_message_and_retry_builds_it(
    celery_worker,
    portfolio,
    client,
    broker_down,  # noqa: F811
):
    who, _approved, _draft = portfolio
    job = start_portfolio(client, who.staff)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED
    assert job.error == ReportJob.Error.BROKER_DOWN
    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert "ระบบงานเบื้องหลังไม่ตอบสนอง" in page and 'id="retry"' in page
    # Still down: retrying says so again, nothing breaks.
    assert client.post(f"/reports/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED

    broker_down()  # Redis is back
    client.post(f"/reports/{job.pk}/retry/")
    job = wait_until_finished(job)
    assert job.state == ReportJob.State.DONE and job.row_count == 2
    assert load_workbook(io.BytesIO(download(client, job)), read_only=True).active.max_row == 3


def test_the_task_is_idempotent_and_an_expired_report_is_not_served(
    celery_worker, portfolio, client
):
    from datetime import timedelta

    from django.utils import timezone

    from reports.tasks import build_report

    who, _approved, _draft = portfolio
    job = wait_until_finished(start_portfolio(client, who.staff))
    name = job.file.name
    build_report.delay(job.pk).get(timeout=60)  # a redelivered message changes nothing
    job.refresh_from_db()
    assert job.file.name == name and job.attempts == 1

    ReportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404
    assert "หมดอายุ" in client.get(f"/reports/{job.pk}/").content.decode()
    client.post(f"/reports/{job.pk}/retry/")
    job = wait_until_finished(job)
    assert job.state == ReportJob.State.DONE
    assert client.get(f"/reports/{job.pk}/download/").status_code == 200


def test_master_plan_summary_counts_the_visible_projects_per_target_and_the_uncovered_ones(
    celery_worker, portfolio, client
):
    who, _approved, _draft = portfolio

    def summary(user) -> dict:
        client.force_login(user)
        response = client.post("/reports/", {"report": "master_plan", "mp-fiscal_year": "2568"})
        assert response.status_code == 302
        job = wait_until_finished(ReportJob.objects.filter(owner=user).latest("id"))
        assert job.state == ReportJob.State.DONE, job.error_detail
        sheet = load_workbook(io.BytesIO(download(client, job)), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        return {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}

    staff = summary(who.staff)  # the approved project and the agency's own draft
    y1 = staff["030401"]
    assert y1["ระดับ"] == "เป้าหมายแผนย่อย (Y1)"
    assert (y1["โครงการ"], y1["หน่วยงาน"]) == (2, 1)
    assert y1["งบประมาณรวม (บาท)"] == 2_000_000
    assert y1["เบิกจ่ายสะสมถึงปัจจุบัน (บาท)"] == 250_000
    assert y1["เป้าหมายแผนย่อย (Y1) ที่ยังไม่มีโครงการ"] == 0
    # The master plan adds up what is below it; its other Y1 targets have no project.
    master = staff["03"]
    assert master["โครงการ"] == 2
    assert master["เป้าหมายแผนย่อย (Y1) ที่ยังไม่มีโครงการ"] >= 1
    assert staff["030301"]["โครงการ"] == 0  # a secondary link is not counted

    analyst = summary(who.analyst)  # drafts are never in an analyst's report
    assert analyst["030401"]["โครงการ"] == 1
    assert analyst["030401"]["งบประมาณรวม (บาท)"] == 1_000_000


def test_a_master_plan_summary_needs_a_year_with_an_edition(portfolio, client):
    who, _approved, _draft = portfolio
    client.force_login(who.staff)
    response = client.post("/reports/", {"report": "master_plan", "mp-fiscal_year": "2599"})
    assert response.status_code == 200
    assert "ไม่มีแผนแม่บทฉบับที่ใช้ในปีงบประมาณนี้" in response.content.decode()
    assert not ReportJob.objects.exists()
