"""Projects in a real browser (Debian's chromium through Playwright) against the live server:
entering a project through the form with its cascading strategy selects, the review workflow
from draft to the ministry's approval, the submission check, attachments and agency privacy.

Elements are found by name, id, URL and CSS class, and assertions use Thai data (titles,
comments, strategy names) or status classes, because the UI's own labels are still being
translated while these tests are written.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, Membership
from core.fiscal import current_fiscal_year
from core.states import Status
from projects.models import Attachment, Project
from strategy.models import Edition, Node
from strategy.selectors import edition_for_fiscal_year
from tests.factories import PASSWORD, AgencyFactory, ProjectFactory, member

R = Membership.Role
MP = "mp-2566"  # the master-plan edition of fiscal year 2568
TITLE = "โครงการส่งเสริมการแปรรูปผลผลิตทางการเกษตรของวิสาหกิจชุมชน"
NEW_TITLE = "โครงการยกระดับมูลค่าสินค้าเกษตรแปรรูปของวิสาหกิจชุมชน"
RETURN_COMMENT = "กรุณาระบุชื่อโครงการให้สื่อถึงการเพิ่มมูลค่าสินค้าเกษตรแปรรูป"
CHANGE_REASON = "ปรับชื่อโครงการตามความเห็นของผู้อนุมัติระดับกรม"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LINK_OPTIONS = "/projects/link-options/"

# --- set-up -----------------------------------------------------------------------------------


@pytest.fixture
def org(shipped_strategy):
    """A ministry with two departments; staff and an agency approver in the first, a ministry
    approver at the ministry, and staff of the sibling department."""
    ministry = AgencyFactory(code="T07", name_th="กระทรวงเกษตรและสหกรณ์", kind=Agency.Kind.MINISTRY)
    department = AgencyFactory(code="T07003", name_th="กรมส่งเสริมการเกษตร", parent=ministry)
    sibling = AgencyFactory(code="T07004", name_th="กรมชลประทาน", parent=ministry)
    return SimpleNamespace(
        ministry=ministry,
        department=department,
        sibling=sibling,
        staff=member(R.STAFF, department, first_name="สมใจ", last_name="ใฝ่ดี"),
        agency_approver=member(
            R.AGENCY_APPROVER, department, first_name="ประเสริฐ", last_name="ตรวจดี"
        ),
        ministry_approver=member(
            R.MINISTRY_APPROVER, ministry, first_name="วิไลวรรณ", last_name="อนุมัติ"
        ),
        sibling_staff=member(R.STAFF, sibling, first_name="มานพ", last_name="ชลธาร"),
    )


@pytest.fixture
def open_as(browser, live_server):
    """A signed-in page for another user, in a browser context of its own."""
    contexts = []

    def open_page(user):
        context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        sign_in(page, user)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, user) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button.primary").click()  # not the language switch in the header
    expect(page).to_have_url(page.base_url + "/")


def node(code: str) -> Node:
    return Node.objects.get(edition__code=MP, code=code)


def expect_status(page, status: str) -> None:
    expect(page.locator("main span.status")).to_have_class(re.compile(rf"\bstatus-{status}\b"))


def change_link_select(page, select: str, value: str) -> None:
    """Choose in a select that reloads the primary-link selects, and wait until htmx has
    swapped in the new selects and wired them up (so the next choice is not lost)."""
    page.evaluate("document.getElementById('primary-link').dataset.stale = 'yes'")
    with page.expect_response(lambda r: LINK_OPTIONS in r.url) as response:
        page.select_option(select, value)
    assert response.value.status == 200
    page.wait_for_selector(
        "#primary-link:not([data-stale]):not(.htmx-added):not(.htmx-settling)", state="attached"
    )


def project_url(page, project: Project) -> str:
    return f"{page.base_url}/projects/{project.pk}/"


# --- 1. the whole flow ------------------------------------------------------------------------


@pytest.mark.browser
def test_project_from_entry_through_return_to_ministry_approval(page, org, open_as, tmp_path):
    staff = page
    sign_in(staff, org.staff)
    staff.goto(staff.base_url + "/projects/new/")
    form_url = staff.url
    staff.evaluate("window.__noReload = 'still here'")

    staff.select_option("#id_agency", str(org.department.pk))
    change_link_select(staff, "#id_fiscal_year", "2568")
    staff.fill("#id_title", TITLE)
    staff.fill("#id_responsible_name", "นางสาวสมใจ ใฝ่ดี")
    staff.fill("#id_contact_phone", "02 123 4567")
    staff.fill("#id_start_date", "1/10/2567")
    staff.fill("#id_end_date", "30/9/2568")
    staff.fill("#id_rationale", "เกษตรกรขาดความรู้ในการแปรรูปผลผลิต ทำให้รายได้ต่ำ")
    staff.fill("#id_objectives", "เพื่อเพิ่มมูลค่าสินค้าเกษตรแปรรูปของกลุ่มเกษตรกร")
    staff.fill("#id_target_group", "กลุ่มวิสาหกิจชุมชน 50 กลุ่ม")
    staff.fill("#id_expected_outcomes", "มูลค่าสินค้าเกษตรแปรรูปเพิ่มขึ้นร้อยละ 10")
    staff.fill("#id_total_budget", "1,000,000")

    # The primary link, level by level: each choice loads the options of the next select.
    expect(staff.locator("#id_sub_plan option", has_text="เกษตรแปรรูป")).to_have_count(0)
    change_link_select(staff, "#id_master_plan", str(node("03").pk))
    expect(staff.locator("#id_sub_plan option", has_text="เกษตรแปรรูป")).to_have_count(1)
    expect(staff.locator("#id_master_plan")).to_have_value(str(node("03").pk))
    assert staff.url == form_url
    assert staff.evaluate("window.__noReload") == "still here"  # no full page load
    change_link_select(staff, "#id_sub_plan", str(node("0304").pk))
    y1 = staff.locator(f"#id_y1 option[value='{node('030401').pk}']")
    expect(y1).to_contain_text("สินค้าเกษตรแปรรูปและผลิตภัณฑ์มีมูลค่าเพิ่มขึ้น")
    change_link_select(staff, "#id_y1", str(node("030401").pk))
    expect(staff.locator("#id_y1")).to_have_value(str(node("030401").pk))
    expect(staff.locator("#id_sub_plan")).to_have_value(str(node("0304").pk))
    assert staff.evaluate("window.__noReload") == "still here"

    # Rows: one KPI, one activity (plus an added row left empty), one budget line.
    staff.fill("#id_kpis-0-name", "กลุ่มเกษตรกรที่ได้รับการพัฒนา")
    staff.fill("#id_kpis-0-unit", "กลุ่ม")
    staff.fill("#id_kpis-0-target_value", "50")
    staff.fill("#id_activities-0-order", "1")
    staff.fill("#id_activities-0-name", "อบรมการแปรรูปผลผลิต")
    staff.fill("#id_activities-0-start_date", "1/11/2567")
    staff.fill("#id_activities-0-end_date", "31/8/2568")
    staff.fill("#id_activities-0-budget", "1,000,000")
    expect(staff.locator("#activities-rows tr")).to_have_count(1)
    staff.locator("[data-formset-add=activities]").click()
    expect(staff.locator("#activities-rows tr")).to_have_count(2)
    expect(staff.locator("#id_activities-1-order")).to_be_focused()
    expect(staff.locator("#id_activities-TOTAL_FORMS")).to_have_value("2")
    staff.select_option("#id_budget_lines-0-source", "state")
    staff.select_option("#id_budget_lines-0-fiscal_year", "2568")
    staff.fill("#id_budget_lines-0-amount", "1,000,000")
    staff.check("#id_nationwide")
    staff.screenshot(path=str(tmp_path / "project-form-filled.png"), full_page=True)

    staff.locator("button[name=_save]").click()
    expect(staff).to_have_url(re.compile(r"/projects/\d+/$"))
    expect(staff.locator("h1")).to_have_text(TITLE)
    expect_status(staff, Status.DRAFT)
    project = Project.objects.get(title=TITLE)
    detail = project_url(staff, project)
    assert staff.url == detail
    assert project.activities.count() == 1  # the empty added row was ignored
    assert project.submission_problems() == {}
    expect(staff.locator("ul.links")).to_contain_text("030401")
    expect(staff.locator("main")).to_contain_text("1,000,000.00")

    # Submit from the project page.
    staff.locator("button[value=submit]").click()
    expect(staff).to_have_url(detail)
    expect_status(staff, Status.SUBMITTED)
    expect(staff.locator("a[href$='/edit/']")).to_have_count(0)

    # The agency approver finds it in the queue; a return needs a comment.
    approver = open_as(org.agency_approver)
    approver.goto(approver.base_url + "/projects/queue/")
    approver.locator("table.projects a", has_text=TITLE).click()
    expect(approver).to_have_url(detail)
    expect_status(approver, Status.SUBMITTED)
    approver.locator("button[value=return]").click()
    expect(approver.locator(".messages .msg-error")).to_be_visible()
    expect_status(approver, Status.SUBMITTED)
    assert Project.objects.get(pk=project.pk).status == Status.SUBMITTED
    approver.fill("textarea[name=comment]", RETURN_COMMENT)
    approver.locator("button[value=return]").click()
    expect_status(approver, Status.RETURNED)
    expect(approver.locator(".messages .msg-error")).to_have_count(0)

    # Staff reads the comment on the timeline and in the inbox.
    staff.goto(detail)
    expect_status(staff, Status.RETURNED)
    expect(staff.locator(".timeline li.event-return")).to_contain_text(RETURN_COMMENT)
    expect(staff.locator("header .inbox-link .count")).to_have_text("1")
    staff.goto(staff.base_url + "/inbox/")
    note = staff.locator("ul.inbox li.unread")
    expect(note).to_have_count(1)
    expect(note).to_contain_text(TITLE)
    expect(note).to_contain_text(RETURN_COMMENT)
    note.locator("button").click()  # opens the project and marks the note read
    expect(staff).to_have_url(detail)

    # Changing a project that was submitted before asks why.
    staff.locator(".actions-card a[href$='/edit/']").click()
    expect(staff).to_have_url(detail + "edit/")
    reason = staff.locator("#id_change_reason")
    expect(reason).to_be_visible()
    expect(staff.locator("#id_y1")).to_have_value(str(node("030401").pk))
    staff.fill("#id_title", NEW_TITLE)
    reason.fill(CHANGE_REASON)
    staff.locator("button[name=_submit]").click()
    expect(staff).to_have_url(detail)
    expect(staff.locator("h1")).to_have_text(NEW_TITLE)
    expect_status(staff, Status.SUBMITTED)

    # Agency approval, then the ministry's.
    approver.goto(detail)
    expect(approver.locator("h1")).to_have_text(NEW_TITLE)
    approver.locator("button[value=approve]").click()
    expect_status(approver, Status.AGENCY_APPROVED)
    approver.goto(approver.base_url + "/projects/queue/")
    expect(approver.locator("table.projects")).not_to_contain_text(NEW_TITLE)

    ministry = open_as(org.ministry_approver)
    ministry.goto(ministry.base_url + "/projects/queue/")
    ministry.locator("table.projects a", has_text=NEW_TITLE).click()
    expect(ministry).to_have_url(detail)
    ministry.locator("button[value=approve]").click()
    expect_status(ministry, Status.APPROVED)
    assert Project.objects.get(pk=project.pk).status == Status.APPROVED

    # The record: every step in order, and the change with its reason.
    staff.goto(detail)
    expect_status(staff, Status.APPROVED)
    steps = staff.locator(".timeline li")
    expect(steps).to_have_count(6)
    assert steps.evaluate_all("items => items.map(li => li.className)") == [
        "event-create",
        "event-submit",
        "event-return",
        "event-submit",
        "event-approve",
        "event-approve",
    ]
    expect(steps.nth(0)).to_contain_text("สมใจ ใฝ่ดี")
    expect(steps.nth(2)).to_contain_text(RETURN_COMMENT)
    expect(steps.nth(2)).to_contain_text("ประเสริฐ ตรวจดี")
    expect(steps.nth(5)).to_contain_text("วิไลวรรณ อนุมัติ")
    change = staff.locator(".change")
    expect(change).to_have_count(1)
    expect(change).to_contain_text(CHANGE_REASON)
    title_row = change.locator("tbody tr", has_text=NEW_TITLE)
    expect(title_row.locator("td").nth(1)).to_have_text(TITLE)
    expect(title_row.locator("td").nth(2)).to_have_text(NEW_TITLE)
    staff.screenshot(path=str(tmp_path / "project-approved.png"), full_page=True)
    print(f"screenshots in {tmp_path}")


# --- 2. the submission check ------------------------------------------------------------------


@pytest.mark.browser
def test_submitting_an_incomplete_draft_lists_every_problem(page, org):
    sign_in(page, org.staff)
    page.goto(page.base_url + "/projects/new/")
    page.fill("#id_title", TITLE)
    page.locator("button[name=_save]").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+/$"))
    expect_status(page, Status.DRAFT)
    project = Project.objects.get(title=TITLE)
    version = project.version

    page.locator("button[value=submit]").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/edit/\?check=1$"))
    expect(page.locator(".messages .msg-error")).to_be_visible()
    problems = page.locator(".problem")
    expect(problems.first).to_be_visible()
    assert problems.count() >= 5
    for field in ("start_date", "end_date", "y1"):
        expect(page.locator(f".field:has(#id_{field}) .problem").first).to_be_visible()
    for prefix in ("kpis", "activities", "budget_lines"):
        expect(page.locator(f"section.card:has(#{prefix}-rows) > p.problem")).to_have_count(1)

    project.refresh_from_db()
    assert (project.status, project.version, project.submitted_at) == (Status.DRAFT, version, None)
    page.goto(project_url(page, project))
    expect_status(page, Status.DRAFT)
    expect(page.locator(".timeline li")).to_have_count(1)  # only "created"


@pytest.mark.browser
def test_new_project_form_defaults(page, org):
    sign_in(page, org.staff)
    page.goto(page.base_url + "/projects/new/")
    fiscal_year = str(current_fiscal_year())
    # The strategy selects already show the edition of the current fiscal year ...
    edition = edition_for_fiscal_year(Edition.Family.MASTER_PLAN, int(fiscal_year))
    expect(page.locator("#primary-link p.muted")).to_contain_text(edition.title_th)
    # ... and the fields above them should say the same.
    expect(page.locator("#id_fiscal_year")).to_have_value(fiscal_year)
    expect(page.locator("#id_agency")).to_have_value(str(org.department.pk))


# --- 3. attachments ---------------------------------------------------------------------------


@pytest.mark.browser
def test_an_upload_that_is_not_what_its_name_says_is_refused(page, org, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    project = ProjectFactory(agency=org.department, created_by=org.staff, title=TITLE)
    sign_in(page, org.staff)
    page.goto(project_url(page, project))
    expect_status(page, Status.DRAFT)
    upload = page.locator("form.upload")
    listed = page.locator("section.card:has(form.upload) a[href*='/attachments/']")

    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 exe"}]
    )
    upload.locator("button[type=submit]").click()
    expect(page).to_have_url(project_url(page, project))
    expect(page.locator(".messages .msg-error")).to_contain_text("report.pdf")
    expect(listed).to_have_count(0)
    assert not Attachment.objects.exists()

    name = "รายงานความก้าวหน้า.pdf"
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF}]
    )
    upload.locator("button[type=submit]").click()
    expect(page.locator(".messages .msg-error")).to_have_count(0)
    expect(page.locator(".messages .msg-success")).to_be_visible()
    expect(listed).to_have_count(1)
    expect(listed).to_have_text(name)
    response = page.request.get(page.base_url + listed.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == PDF


# --- 4. privacy of drafts ---------------------------------------------------------------------


@pytest.mark.browser
def test_another_agency_cannot_open_a_draft(page, org):
    project = ProjectFactory(agency=org.department, created_by=org.staff, title=TITLE)
    sign_in(page, org.sibling_staff)
    for path in ("", "edit/"):
        response = page.goto(project_url(page, project) + path)
        assert response.status == 404, path
        expect(page.locator("main")).not_to_contain_text(TITLE)
    page.goto(page.base_url + "/projects/")
    expect(page.locator("table.projects")).not_to_contain_text(TITLE)


# --- a form posted twice ----------------------------------------------------------------------

ALREADY_SAVED = "แบบฟอร์มนี้บันทึกไปแล้ว นี่คือโครงการที่สร้างจากแบบฟอร์มนั้น"


@pytest.mark.browser
def test_a_double_click_and_the_back_button_create_one_project(page, org, open_as):
    sign_in(page, org.staff)
    page.goto(page.base_url + "/projects/new/")
    expect(page).to_have_url(re.compile(r"/projects/new/\?form=[0-9a-f-]{36}$"))
    form_address = page.url
    page.select_option("#id_agency", str(org.department.pk))
    page.fill("#id_title", TITLE)
    kept = open_as(org.staff)  # the same form in a second tab, for later
    kept.goto(form_address)
    kept.select_option("#id_agency", str(org.department.pk))
    kept.fill("#id_title", TITLE)

    page.locator("button[name=_save]").dblclick()
    expect(page).to_have_url(re.compile(r"/projects/\d+/$"))
    expect(page.locator("h1")).to_have_text(TITLE)
    project = Project.objects.get(title=TITLE)
    assert page.url == project_url(page, project)

    # Back: Chromium loads the form's address again (it was posted to), and is shown the
    # project the form made rather than a form to fill in a second time.
    page.go_back()
    expect(page).to_have_url(project_url(page, project))
    expect(page.locator(".messages")).to_contain_text(ALREADY_SAVED)

    # Browsers that keep the page restore the filled form itself, and its second post does
    # reach the server: the same form, kept in the second tab since before the save.
    with kept.expect_response(lambda r: r.request.method == "POST") as posted:
        kept.locator("button[name=_save]").click()
    assert posted.value.status == 302  # the server answered the second post...
    expect(kept).to_have_url(project_url(kept, project))  # ...with the project made first
    expect(kept.locator(".messages")).to_contain_text(ALREADY_SAVED)
    assert Project.objects.filter(title=TITLE).count() == 1
