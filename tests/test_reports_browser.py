"""A report in a real browser: the user asks for the portfolio, watches the progress bar
(polled by htmx, no inline script) while the job waits for the worker and then runs, and
downloads the finished file."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reports.models import ReportJob
from tests.progress_fixtures import approved_project, people
from tests.test_projects_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paused_worker(celery_worker):
    """The worker stops taking jobs until the test calls the fixture's value, so the page is
    seen with its job still queued (whatever the machine's speed)."""
    from emenscr.celery import app

    queue = app.conf.task_default_queue
    app.control.cancel_consumer(queue, reply=True, timeout=10)
    resumed = []

    def resume():
        app.control.add_consumer(queue, reply=True, timeout=10)
        resumed.append(True)

    yield resume
    if not resumed:
        resume()


def test_staff_start_a_report_watch_the_progress_bar_and_download_the_file(
    shipped_strategy, agencies, page, paused_worker
):
    who = people(agencies)
    project = approved_project(agencies["doae"], who)
    sign_in(page, who.staff)

    page.locator("nav.mainnav a[href='/reports/']").click()
    page.select_option("#id_format", "xlsx")
    page.fill("#id_fiscal_year", "2568")
    page.locator("#portfolio-form button[type=submit]").click()

    job = ReportJob.objects.get(owner=who.staff)
    expect(page).to_have_url(f"{page.base_url}/reports/{job.pk}/")
    bar = page.locator("#job-progress progress")
    expect(page.locator("#job-progress")).to_have_attribute("data-state", "queued")
    expect(bar).to_have_attribute("value", "0")

    # The worker takes the job: the page, polling every second, shows it finished.
    with page.expect_response(lambda r: f"/reports/{job.pk}/progress/" in r.url):
        paused_worker()
    expect(page.locator("#job-progress")).to_have_attribute("data-state", "done", timeout=30_000)
    expect(bar).to_have_attribute("value", "100")

    with page.expect_download() as info:
        page.locator("#download").click()
    download = info.value
    assert download.suggested_filename == f"portfolio-{job.pk}.xlsx"
    sheet = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True).active
    titles = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == [project.title]

    # The list of the user's reports shows it as ready.
    page.goto(page.base_url + "/reports/")
    expect(page.locator(f"a[href='/reports/{job.pk}/']")).to_be_visible()
    expect(page.locator("span.job-state.job-done")).to_have_count(1)
