"""Report jobs over the API, built by the real Celery worker: an agency's system starts a
portfolio, polls it, downloads the XLSX and opens it; the filters are checked as on the report
page; only the owner sees a job; a failed job is started again."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook

from agencies.models import Membership
from reports.models import ReportJob
from tests.test_api_projects import client_for
from tests.test_faults import broker_down  # noqa: F401 - the fixture, reused
from tests.test_reports import portfolio  # noqa: F401 - the fixture, reused

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
API = "/api/v1"


@pytest.fixture
def world(portfolio):  # noqa: F811 - the report tests' projects and people
    return portfolio


def poll(client, job_id: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"{API}/report-jobs/{job_id}/").json()
        if body["state"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline, f"the worker did not finish job {job_id}"
        time.sleep(0.3)


def test_a_portfolio_started_over_the_api_is_built_by_the_worker_and_downloaded(
    celery_worker, world
):
    who, approved, _draft = world
    staff = client_for(who.staff)
    started = staff.post(f"{API}/report-jobs/", {"report": "portfolio", "format": "xlsx",
                                                  "fiscal_year": 2568}, format="json")  # fmt: skip
    assert started.status_code == 201, started.json()
    job = poll(staff, started.json()["id"])
    assert job["state"] == "done" and job["progress"] == 100 and job["row_count"] == 2
    assert job["is_downloadable"] and job["download"].endswith(
        f"/report-jobs/{job['id']}/download/"
    )

    response = staff.get(f"{API}/report-jobs/{job['id']}/download/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    titles = {row[rows[0].index("ชื่อ")] for row in rows[1:]}
    assert approved.title in titles and len(titles) == 2

    # Only the owner: for anyone else the job does not exist.
    for intruder in (who.other_staff, who.analyst, who.approver):
        other = client_for(intruder)
        assert other.get(f"{API}/report-jobs/{job['id']}/").status_code == 404
        assert other.get(f"{API}/report-jobs/{job['id']}/download/").status_code == 404
        assert other.get(f"{API}/report-jobs/").json()["count"] == 0
    assert [j["id"] for j in staff.get(f"{API}/report-jobs/").json()["results"]] == [job["id"]]


def test_the_project_form_and_master_plan_summary_are_built_too(celery_worker, world):
    who, approved, _draft = world
    staff = client_for(who.staff)
    pdf = staff.post(f"{API}/report-jobs/", {"report": "project_form", "project": approved.pk},
                     format="json")  # fmt: skip
    summary = staff.post(f"{API}/report-jobs/", {"report": "master_plan", "fiscal_year": 2568},
                         format="json")  # fmt: skip
    for started, kind in ((pdf, "application/pdf"), (summary, "application/vnd.openxml")):
        assert started.status_code == 201, started.json()
        job = poll(staff, started.json()["id"])
        assert job["state"] == "done", job
        got = staff.get(f"{API}/report-jobs/{job['id']}/download/")
        assert got["Content-Type"].startswith(kind)


def test_a_report_whose_data_the_owner_may_no_longer_see_is_not_served(celery_worker, world):
    who, approved, _draft = world
    analyst = client_for(who.analyst)
    started = analyst.post(f"{API}/report-jobs/", {"report": "portfolio", "format": "csv"},
                           format="json")  # fmt: skip
    job = poll(analyst, started.json()["id"])
    url = f"{API}/report-jobs/{job['id']}/"
    assert job["state"] == "done" and job["is_downloadable"]
    assert approved.title in b"".join(analyst.get(f"{url}download/").streaming_content).decode()

    # The analyst becomes staff of their own office: no longer a central user.
    Membership.objects.filter(user=who.analyst).update(role=Membership.Role.STAFF)
    job = analyst.get(url).json()
    assert job["state"] == "done" and not job["is_downloadable"] and job["download"] is None
    response = analyst.get(f"{url}download/")
    assert response.status_code == 404 and not response.streaming
    assert approved.title not in response.content.decode()
    assert response.json()["detail"].startswith("You may no longer see all the data of this report")


def test_filters_are_checked_as_on_the_report_page(world, agencies):
    who, _approved, draft = world
    staff = client_for(who.staff)
    other_agency = {"report": "portfolio", "agency": agencies["doh"].pk}
    refused = staff.post(f"{API}/report-jobs/", other_agency, format="json")
    assert refused.status_code == 400 and "agency" in refused.json()["errors"]
    bad = staff.post(f"{API}/report-jobs/", {"report": "master_plan", "fiscal_year": 2400},
                     format="json")  # fmt: skip
    assert bad.status_code == 400 and "fiscal_year" in bad.json()["errors"]
    unseen = client_for(who.other_staff).post(
        f"{API}/report-jobs/", {"report": "project_form", "project": draft.pk}, format="json"
    )
    assert unseen.status_code == 404
    assert not ReportJob.objects.exists()


def test_a_job_that_failed_while_the_broker_was_down_is_retried(
    celery_worker,
    world,
    broker_down,  # noqa: F811
):
    who, _approved, _draft = world
    staff = client_for(who.staff)
    started = staff.post(f"{API}/report-jobs/", {"report": "portfolio"}, format="json")
    body = started.json()
    assert body["state"] == "failed" and body["error"] == "broker_down"
    assert staff.get(f"{API}/report-jobs/{body['id']}/download/").status_code == 404
    broker_down()  # the broker is back
    retried = staff.post(f"{API}/report-jobs/{body['id']}/retry/", {}, format="json")
    assert retried.status_code == 200 and retried.json()["state"] in ("queued", "running", "done")
    assert poll(staff, body["id"])["state"] == "done"
    again = staff.post(f"{API}/report-jobs/{body['id']}/retry/", {}, format="json")
    assert again.status_code == 400 and again.json()["errors"]["non_field_errors"]


def test_the_agency_quarterly_report_and_the_summary_pdf_are_built_with_the_pages_checks(
    celery_worker, world, agencies
):
    who, _approved, _draft = world
    staff = client_for(who.staff)
    own = staff.post(f"{API}/report-jobs/", {"report": "agency_quarter",
                                              "agency": agencies["doae"].pk, "fiscal_year": 2568,
                                              "quarter": 1}, format="json")  # fmt: skip
    assert own.status_code == 201, own.json()
    assert own.json()["report"] == "agency_quarter" and own.json()["format"] == "pdf"
    pdf = staff.post(f"{API}/report-jobs/", {"report": "master_plan", "fiscal_year": 2568,
                                              "format": "pdf"}, format="json")  # fmt: skip
    assert pdf.status_code == 201 and pdf.json()["format"] == "pdf"

    foreign = staff.post(f"{API}/report-jobs/", {"report": "agency_quarter",
                                                  "agency": agencies["doh"].pk, "fiscal_year": 2568,
                                                  "quarter": 1}, format="json")  # fmt: skip
    assert foreign.status_code == 400 and "agency" in foreign.json()["errors"]
    incomplete = staff.post(f"{API}/report-jobs/", {"report": "agency_quarter"}, format="json")
    assert incomplete.status_code == 400
    assert {"agency", "fiscal_year", "quarter"} <= set(incomplete.json()["errors"])
    assert ReportJob.objects.count() == 2
    for started in (own, pdf):
        job = poll(staff, started.json()["id"])
        assert job["state"] == "done", job
        got = staff.get(f"{API}/report-jobs/{job['id']}/download/")
        assert got["Content-Type"].startswith("application/pdf")
