"""The quality rubric in a real browser: an agency approver finds the project in the queue
with its small radar, overrides one criterion with a reason on the project page, and sees the
reviewer's line appear on the radar chart beside the automatic one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agencies.models import Membership
from core.states import Status
from linkage.models import RubricReview
from linkage.tasks import rescore_chunk
from projects.models import Project
from tests.factories import PASSWORD, AgencyFactory, complete_project, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
R = Membership.Role
REASON = "หลักการและเหตุผลไม่อ้างอิงข้อมูลที่ตรวจสอบได้"


def sign_in(page, user) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button.primary").click()
    expect(page).to_have_url(page.base_url + "/")


def test_a_reviewer_overrides_a_criterion_and_sees_the_chart_change(page, shipped_strategy,
                                                                     settings):  # fmt: skip
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    agency = AgencyFactory(name_th="กรมส่งเสริมการเกษตร")
    staff = member(R.STAFF, agency)
    approver = member(R.AGENCY_APPROVER, agency, first_name="สมศรี", last_name="ตรวจดี")
    project = complete_project(agency=agency)
    Project.objects.filter(pk=project.pk).update(status=Status.SUBMITTED, submitted_by=staff)
    rescore_chunk([project.pk])

    sign_in(page, approver)
    page.goto(page.base_url + "/projects/queue/")
    expect(page.locator("td.rubric-cell svg.radar-small")).to_have_count(1)
    page.locator("table.projects").screenshot(path="var/rubric-queue.png")
    page.get_by_role("link", name=project.title).click()

    chart = page.locator("[data-testid=rubric-chart] svg")
    expect(chart.locator("g.series-auto")).to_have_count(1)
    expect(chart.locator("g.series-review")).to_have_count(0)
    auto_points = chart.locator("g.series-auto polygon").get_attribute("points")

    row = page.locator("tr[data-criterion=necessity]")
    auto = int(row.locator("[data-testid=auto-necessity]").inner_text().split("/")[0])
    new = 0 if auto else 5
    row.locator("select[name=score]").select_option(str(new))
    row.locator("button[type=submit]").click()  # no reason: refused with a message
    expect(page.locator(".messages")).to_contain_text("ระบุเหตุผล")
    expect(chart.locator("g.series-review")).to_have_count(0)

    row.locator("select[name=score]").select_option(str(new))
    row.locator("input[name=reason]").fill(REASON)
    row.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("บันทึกผลพิจารณา")
    expect(page.locator("[data-testid=review-necessity]")).to_contain_text(f"{new}/5")
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("สมศรี ตรวจดี")
    review = chart.locator("g.series-review polygon")
    expect(review).to_have_count(1)
    assert review.get_attribute("points") != auto_points
    assert chart.locator("g.series-auto polygon").get_attribute("points") == auto_points
    page.locator("#rubric").screenshot(path="var/rubric-panel.png")
    page.emulate_media(media="print")
    page.locator("#rubric").screenshot(path="var/rubric-print.png")
    assert RubricReview.objects.get(project=project, criterion="necessity").score == new
