"""A quarterly report in a real browser (Debian's chromium through Playwright): staff file it
from the project page, the agency approver accepts it, and the project page's charts show it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from progress.models import ProgressReport
from tests.factories import PASSWORD
from tests.progress_fixtures import approved_project, people

pytestmark = pytest.mark.browser


def sign_in(page, user) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button.primary").click()
    expect(page).to_have_url(page.base_url + "/")


def test_staff_file_a_quarterly_report_and_see_it_on_the_chart(
    page, browser, live_server, shipped_strategy, agencies
):
    who = people(agencies)
    project = approved_project(agencies["doae"], who)
    project_url = f"{page.base_url}/projects/{project.pk}/"

    sign_in(page, who.staff)
    page.goto(project_url)
    section = page.locator("section#progress")
    expect(section.locator("span.overdue").first).to_be_visible()  # Q1-Q4 2568 are overdue
    section.locator("button[data-period='quarterly-2568-1']").click()
    expect(page).to_have_url(re.compile(r"/progress/\d+/edit/$"))

    page.select_option("select[name='activities-0-state']", "in_progress")
    page.fill("input[name='activities-0-percent']", "40")
    page.fill("input[name='budget-0-disbursed']", "150,000")
    page.fill("input[name='budget-0-cumulative']", "150,000")
    page.fill("input[name='kpis-0-actual_value']", "12")
    page.fill("textarea[name='problems']", "เกษตรกรบางกลุ่มติดภารกิจเก็บเกี่ยว")
    page.fill("textarea[name='next_steps']", "จัดอบรมรุ่นที่ 2 ในเดือนมกราคม")
    page.locator("button[name='_submit']").click()
    expect(page).to_have_url(re.compile(r"/progress/\d+/$"))
    expect(page.locator("main span.status")).to_have_class(re.compile(r"\bstatus-submitted\b"))
    report = ProgressReport.objects.get()
    assert report.status == "submitted" and report.submitted_by == who.staff

    # The project page charts the filed report: a disbursed bar for Q1 and the KPI's actual.
    page.goto(project_url)
    bar = page.locator("svg.budget-chart rect.disbursed").first
    expect(bar.locator("title")).to_contain_text("150,000.00")
    expect(bar.locator("title")).to_contain_text("Q1/2568")
    assert float(bar.get_attribute("height")) > 0
    expect(page.locator("svg.kpi-chart")).to_contain_text("12 / 50 กลุ่ม")
    expect(page.locator("ul.report-history")).to_contain_text("ไตรมาส 1 ปีงบประมาณ 2568")

    # The agency approver accepts it; the history then reads "accepted".
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    approver = context.new_page()
    approver.set_default_timeout(15_000)
    approver.base_url = live_server.url
    sign_in(approver, who.approver)
    approver.goto(f"{approver.base_url}/progress/{report.pk}/")
    approver.locator(f"button[formaction='/progress/{report.pk}/approve/']").click()
    expect(approver.locator("main span.status")).to_have_class(re.compile(r"\bstatus-approved\b"))
    expect(approver.locator("main span.status")).to_have_text("รับรายงานแล้ว")
    context.close()
    page.goto(project_url)
    expect(page.locator("ul.report-history")).to_contain_text("รับรายงานแล้ว")
