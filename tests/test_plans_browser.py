"""A Level-3 plan in a real browser (Debian's chromium through Playwright): staff enter a plan
through the form with its PDF, link one of their projects to one of its targets from the
project page, and see the plan's coverage change: the project with its budget appears and the
target no longer shows as unserved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, Membership
from plans.models import Plan
from tests.factories import AgencyFactory, complete_project, member, y1_node
from tests.plan_helpers import PDF
from tests.test_projects_browser import open_as, sign_in  # noqa: F401 - a fixture

R = Membership.Role
PLAN = "แผนปฏิบัติราชการประจำปีงบประมาณ พ.ศ. 2568 กรมส่งเสริมการเกษตร"
SERVED = "วิสาหกิจชุมชนแปรรูปผลผลิตได้มาตรฐาน"
UNSERVED = "มูลค่าสินค้าเกษตรแปรรูปเพิ่มขึ้น"
ALREADY_SAVED = "แบบฟอร์มนี้บันทึกไปแล้ว นี่คือแผนที่สร้างจากแบบฟอร์มนั้น"


@pytest.mark.browser
def test_enter_a_plan_link_a_project_and_see_the_coverage(page, shipped_strategy, tmp_path,
                                                           settings):  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ministry = AgencyFactory(code="T07", name_th="กระทรวงเกษตรและสหกรณ์", kind=Agency.Kind.MINISTRY)
    department = AgencyFactory(code="T07003", name_th="กรมส่งเสริมการเกษตร", parent=ministry)
    staff = member(R.STAFF, department, first_name="สมใจ")
    project = complete_project(agency=department, created_by=staff,
                               title="โครงการส่งเสริมวิสาหกิจชุมชนแปรรูปผลผลิต")  # fmt: skip
    sign_in(page, staff)

    # 1. The plan, through the form, with two targets (the second row added in the page).
    page.locator("nav.mainnav a[href='/plans/']").click()
    page.locator("a[href='/plans/new/']").click()
    page.select_option("#id_plan_type", "action_annual")
    page.fill("#id_title", PLAN)
    page.select_option("#id_year_from", "2568")
    page.select_option("#id_year_to", "2568")
    page.select_option("#id_approved_by", "head")
    page.fill("#id_approved_on", "15/9/2567")
    page.fill("#id_objectives", "เพื่อเพิ่มมูลค่าสินค้าเกษตรแปรรูป")
    page.select_option("#id_primary_target", str(y1_node().pk))
    page.set_input_files("#id_document_upload", files=[
        {"name": "แผนปฏิบัติราชการ.pdf", "mimeType": "application/pdf", "buffer": PDF}])  # fmt: skip
    page.fill("#id_targets-0-name", SERVED)
    page.fill("#id_targets-0-indicator", "จำนวนวิสาหกิจชุมชนที่ได้มาตรฐาน")
    page.fill("#id_targets-0-unit", "กลุ่ม")
    page.fill("#id_targets-0-values", "2568: 50")
    page.locator("[data-formset-add=targets]").click()
    page.fill("#id_targets-1-order", "2")
    page.fill("#id_targets-1-name", UNSERVED)
    page.fill("#id_targets-1-indicator", "อัตราการเพิ่มของมูลค่า")
    page.fill("#id_targets-1-unit", "ร้อยละ")
    page.fill("#id_targets-1-values", "2568: 10")
    page.screenshot(path=str(tmp_path / "plan-form.png"), full_page=True)
    page.locator("button[name=_submit]").click()
    expect(page).to_have_url(re.compile(r"/plans/\d+/$"))
    expect(page.locator("h1")).to_have_text(PLAN)
    expect(page.locator("main span.status")).to_have_class(re.compile(r"\bstatus-submitted\b"))
    plan = Plan.objects.get(title=PLAN)
    plan_url = page.url
    expect(page.locator("ul.uncovered")).to_contain_text(SERVED)
    expect(page.locator("ul.uncovered")).to_contain_text(UNSERVED)
    expect(page.locator("table.plan-projects")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "plan-before.png"), full_page=True)

    # 2. From the project page to its plans section: choose the plan and its first target.
    page.goto(f"{page.base_url}/projects/{project.pk}/")
    page.locator(f"section.project-plans a[href='/plans/project/{project.pk}/']").click()
    page.select_option("#id_plan", str(plan.pk))
    page.select_option("#id_target", str(plan.targets.get(order=1).pk))
    page.locator("form.plan-link-form button[type=submit]").click()
    expect(page.locator("ul.plan-links")).to_contain_text(PLAN)
    page.goto(f"{page.base_url}/projects/{project.pk}/")
    expect(page.locator("section.project-plans")).to_contain_text(PLAN)
    page.screenshot(path=str(tmp_path / "project-page.png"), full_page=True)

    # 3. The plan's coverage: the project with its budget, and only the second target unserved.
    page.goto(plan_url)
    table = page.locator("table.plan-projects")
    expect(table).to_contain_text("โครงการส่งเสริมวิสาหกิจชุมชนแปรรูปผลผลิต")
    expect(table.locator("tr.totals")).to_contain_text("1,000,000.00")
    expect(page.locator("ul.uncovered")).not_to_contain_text(SERVED)
    expect(page.locator("ul.uncovered")).to_contain_text(UNSERVED)
    page.screenshot(path=str(tmp_path / "plan-after.png"), full_page=True)


@pytest.mark.browser
def test_a_double_click_and_the_back_button_create_one_plan(
    page,
    open_as,  # noqa: F811 - the fixture
    shipped_strategy,
):
    department = AgencyFactory(code="T07003", name_th="กรมส่งเสริมการเกษตร")
    staff = member(R.STAFF, department, first_name="สมใจ")
    sign_in(page, staff)
    page.goto(page.base_url + "/plans/new/")
    expect(page).to_have_url(re.compile(r"/plans/new/\?form=[0-9a-f-]{36}$"))
    kept = open_as(staff)  # the same form in a second tab, for later
    for tab in (page, kept):
        if tab is kept:
            tab.goto(page.url)
        tab.select_option("#id_plan_type", "action_annual")
        tab.fill("#id_title", PLAN)  # no reference: nothing else tells two posts apart

    page.locator("button[name=_save]").dblclick()
    expect(page).to_have_url(re.compile(r"/plans/\d+/$"))
    plan = Plan.objects.get(title=PLAN)
    plan_url = page.url
    page.go_back()  # loads the form's address again: it shows the plan made
    expect(page).to_have_url(plan_url)
    expect(page.locator(".messages")).to_contain_text(ALREADY_SAVED)

    # The form as a browser that keeps the page restores it: its post reaches the server.
    with kept.expect_response(lambda r: r.request.method == "POST") as posted:
        kept.locator("button[name=_save]").click()
    assert posted.value.status == 302
    expect(kept).to_have_url(plan_url)
    expect(kept.locator(".messages")).to_contain_text(ALREADY_SAVED)
    assert list(Plan.objects.filter(title=PLAN)) == [plan]
