"""Level-3 plans through Django's test client, as their users meet them: who sees and may do
what (the same access policy and workflow engine as projects), what a submission needs, the
list with its filters, downloads and constant query count, the projects a plan holds and the
targets none serves yet.

Text assertions use Thai data or ask for English where a UI message must be read."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Membership
from core.states import Status
from plans.models import Plan, ProjectPlanLink
from projects.models import BudgetLine
from tests.factories import MembershipFactory, member, y1_node
from tests.plan_helpers import PDF, PLAN_TITLE, PNG, complete_plan
from tests.test_projects_pages import a_project, dom, english, form_data, page_text
from workflow import engine

pytestmark = pytest.mark.django_db
R = Membership.Role


@pytest.fixture(autouse=True)
def quick_setup(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(agencies):
    """The same cast as the project page tests."""
    both = member(R.STAFF, agencies["doae"], first_name="สองบทบาท")
    MembershipFactory(role=R.AGENCY_APPROVER, agency=agencies["doae"], user=both)
    return {
        "staff": member(R.STAFF, agencies["doae"], first_name="สมศรี"),
        "unit_staff": member(R.STAFF, agencies["unit"]),
        "approver": member(R.AGENCY_APPROVER, agencies["doae"]),
        "rid_approver": member(R.AGENCY_APPROVER, agencies["rid"]),
        "ministry": member(R.MINISTRY_APPROVER, agencies["moac"]),
        "staff_b": member(R.STAFF, agencies["doh"]),
        "approver_b": member(R.AGENCY_APPROVER, agencies["doh"]),
        "ministry_b": member(R.MINISTRY_APPROVER, agencies["moph"]),
        "analyst": member(R.ANALYST, agencies["nesdc"]),
        "both": both,
    }


def a_plan(agency, people, to: str = Status.DRAFT, submitter: str = "staff", **kwargs) -> Plan:
    """A complete plan moved through the real engine up to ``to``."""
    plan = complete_plan(agency, people[submitter], **kwargs)
    steps = {
        Status.DRAFT: [],
        Status.SUBMITTED: ["submit"],
        Status.RETURNED: ["submit", "return"],
        Status.AGENCY_APPROVED: ["submit", "approve"],
        Status.APPROVED: ["submit", "approve", "approve"],
    }[to]
    from agencies import access

    for action in steps:
        actor = people[submitter] if action == "submit" else next(
            u for u in people.values() if access.can(u, action, plan)
        )  # fmt: skip
        engine.perform(plan, action, actor, "โปรดทบทวน" if action == "return" else "")
    assert plan.status == to
    return plan


def offered(response, plan) -> set[str]:
    pattern = re.compile(rf"^/plans/{plan.pk}/(\w+)/$")
    return {
        m.group(1)
        for b in dom(response).find_all("button")
        if (m := pattern.match(b.attrs.get("formaction", "")))
    }


def listed(response) -> list[str]:
    body = dom(response).find("table", "plans").find("tbody")
    return [row.find_all("a")[0].text for row in body.find_all("tr") if row.find_all("a")]


def status_of(plan) -> str:
    return Plan.objects.values_list("status", flat=True).get(pk=plan.pk)


# === permissions ===============================================================================


def test_another_agencys_draft_plan_is_not_found_anywhere(client, agencies, people):
    theirs = a_plan(agencies["doh"], people, submitter="staff_b", title="แผนร่างของกรมอนามัย")
    mine = a_plan(agencies["doae"], people, title="แผนร่างของกรมส่งเสริมการเกษตร")
    client.force_login(people["staff"])
    pk = theirs.pk
    for url in (f"/plans/{pk}/", f"/plans/{pk}/edit/", f"/plans/{pk}/document/"):
        assert client.get(url).status_code == 404, url
    for action in ("submit", "approve", "return", "withdraw"):
        assert client.post(f"/plans/{pk}/{action}/", {"comment": "x"}).status_code == 404
    assert client.post(f"/plans/{pk}/edit/", {"title": "ถูกแก้"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.title, theirs.version) == (Status.DRAFT, "แผนร่างของกรมอนามัย", 1)
    assert listed(client.get("/plans/")) == [mine.title]
    assert "กรมอนามัย" not in client.get("/plans/?export=csv").content.decode("utf-8")


def test_staff_cannot_approve_and_approver_outside_subtree_cannot_either(client, agencies, people):
    plan = a_plan(agencies["unit"], people, Status.SUBMITTED, submitter="unit_staff")
    english(client)
    client.force_login(people["staff"])  # staff of the department above: may read, not approve
    page = client.get(plan.get_absolute_url())
    assert page.status_code == 200 and offered(page, plan) == {"withdraw"}
    response = client.post(f"/plans/{plan.pk}/approve/", {"expected_version": plan.version},
                           follow=True)  # fmt: skip
    assert "You may not do this now." in page_text(response)
    assert status_of(plan) == Status.SUBMITTED

    client.force_login(people["rid_approver"])  # approver of a sibling department
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.post(f"/plans/{plan.pk}/approve/").status_code == 404
    assert status_of(plan) == Status.SUBMITTED
    assert listed(client.get("/plans/queue/")) == []

    client.force_login(people["approver"])  # the department's approver: approves the unit's plan
    assert offered(client.get(plan.get_absolute_url()), plan) == {"approve", "return"}
    assert listed(client.get("/plans/queue/")) == [plan.title]
    client.post(f"/plans/{plan.pk}/approve/", {"expected_version": plan.version})
    assert status_of(plan) == Status.AGENCY_APPROVED


def test_approver_of_another_ministry_does_not_even_see_a_submitted_plan(client, agencies, people):
    plan = a_plan(agencies["doae"], people, Status.SUBMITTED)
    client.force_login(people["approver_b"])
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.post(f"/plans/{plan.pk}/approve/").status_code == 404
    assert status_of(plan) == Status.SUBMITTED


def test_analyst_reads_submitted_plans_only_and_changes_nothing(client, agencies, people):
    draft = a_plan(agencies["doae"], people, title="แผนที่ยังเป็นร่าง")
    submitted = a_plan(agencies["doae"], people, Status.SUBMITTED, title="แผนที่ส่งแล้ว",
                       reference="P-2")  # fmt: skip
    client.force_login(people["analyst"])
    english(client)
    assert client.get(draft.get_absolute_url()).status_code == 404
    page = client.get(submitted.get_absolute_url())
    assert page.status_code == 200 and offered(page, submitted) == set()
    assert "nothing for you to do" in page_text(page)
    assert client.get(f"/plans/{submitted.pk}/document/").status_code == 200
    for action in ("approve", "return", "withdraw"):
        client.post(f"/plans/{submitted.pk}/{action}/", {"comment": "ไม่ผ่าน"})
    assert client.get(f"/plans/{submitted.pk}/edit/").status_code == 302
    assert status_of(submitted) == Status.SUBMITTED
    assert listed(client.get("/plans/")) == ["แผนที่ส่งแล้ว"]
    assert client.get("/plans/new/").status_code == 403


def test_nobody_approves_their_own_submission(client, agencies, people):
    plan = a_plan(agencies["doae"], people, Status.SUBMITTED, submitter="both")
    client.force_login(people["both"])
    assert offered(client.get(plan.get_absolute_url()), plan) == {"withdraw"}
    client.post(f"/plans/{plan.pk}/approve/", {"expected_version": plan.version})
    assert status_of(plan) == Status.SUBMITTED


# === entry, validation and workflow ==========================================================


def _new_plan_data(client, agencies, **overrides) -> dict:
    data = form_data(client.get("/plans/new/", follow=True), "plan-form")
    data.update({
        "agency": [str(agencies["doae"].pk)], "plan_type": ["action_annual"],
        "title": [PLAN_TITLE], "year_from": ["2568"], "year_to": ["2568"],
        "approved_by": ["head"], "approved_on": ["15/9/2567"],
        "objectives": ["เพื่อเพิ่มมูลค่าสินค้าเกษตรแปรรูป"],
        "primary_target": [str(y1_node().pk)],
        "targets-0-order": ["1"], "targets-0-name": ["วิสาหกิจชุมชนแปรรูปได้มาตรฐาน"],
        "targets-0-indicator": ["จำนวนวิสาหกิจชุมชน"], "targets-0-unit": ["กลุ่ม"],
        "targets-0-values": ["๒๕๖๘: 50"],
    })  # fmt: skip
    data.update(overrides)
    return data


def test_staff_enter_and_submit_a_plan_through_the_form(client, agencies, people):
    client.force_login(people["staff"])
    data = _new_plan_data(client, agencies, _submit=["1"])
    data["document_upload"] = SimpleUploadedFile("แผนปฏิบัติราชการ.pdf", PDF, "application/pdf")
    response = client.post("/plans/new/", data)
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.status == Status.SUBMITTED and plan.document_name == "แผนปฏิบัติราชการ.pdf"
    target = plan.targets.get()
    assert [(v.fiscal_year, v.value) for v in target.values.all()] == [(2568, "50")]
    assert plan.primary_link.node == y1_node()
    page = client.get(plan.get_absolute_url())
    assert "วิสาหกิจชุมชนแปรรูปได้มาตรฐาน" in page_text(page)
    assert [e.action for e in engine.timeline(plan)] == ["create", "submit"]


def test_the_new_plan_form_posted_twice_creates_one_plan(client, agencies, people):
    """The reference is optional, so nothing else would tell the second post from a new plan."""
    client.force_login(people["staff"])
    data = _new_plan_data(client, agencies, reference=[""])
    first = client.post("/plans/new/", data)
    again = client.post("/plans/new/", data, follow=True)  # the back button, or a second click
    plan = Plan.objects.get()
    assert first.url == again.redirect_chain[-1][0] == plan.get_absolute_url()
    assert "แบบฟอร์มนี้บันทึกไปแล้ว นี่คือแผนที่สร้างจากแบบฟอร์มนั้น" in page_text(again)
    # A fresh page is a new form, and a new plan.
    client.post("/plans/new/", _new_plan_data(client, agencies, reference=[""]))
    assert Plan.objects.count() == 2


def test_an_incomplete_plan_lists_every_problem_and_stays_a_draft(client, agencies, people):
    client.force_login(people["staff"])
    english(client)
    data = _new_plan_data(
        client, agencies, _submit=["1"], plan_type=["action_5y"], approved_by=["cabinet"],
        primary_target=[""], **{"targets-0-unit": [""], "targets-0-values": ["2575: สิบ"]},
    )  # fmt: skip
    response = client.post("/plans/new/", data)
    plan = Plan.objects.get()
    assert plan.status == Status.DRAFT  # saved as a draft, not submitted
    text = page_text(response)
    for message in (
        "A 5-year action plan covers five fiscal years",
        "Give the date or number of the cabinet resolution.",
        "Attach the plan document (PDF).",
        "Give the unit of the target.",
        "outside the plan's period 2568-2568",
        "Every target value must be a number.",
        "Choose the master-plan target (Y2) or sub-plan target (Y1)",
    ):
        assert message in text, message
    assert [e.action for e in engine.timeline(plan)] == ["create"]


def test_a_document_that_is_not_a_pdf_is_refused_and_nothing_is_saved(client, agencies, people):
    client.force_login(people["staff"])
    english(client)
    data = _new_plan_data(client, agencies)
    data["document_upload"] = SimpleUploadedFile("แผน.pdf", PNG, "application/pdf")
    response = client.post("/plans/new/", data)
    assert response.status_code == 200
    assert "The plan document must be a PDF file." in page_text(response)
    assert not Plan.objects.exists()


def test_values_written_wrongly_are_explained_next_to_the_row(client, agencies, people):
    client.force_login(people["staff"])
    english(client)
    data = _new_plan_data(client, agencies, **{"targets-0-values": ["สิบห้า"]})
    response = client.post("/plans/new/", data)
    assert "Write each value as fiscal year: value" in page_text(response)
    assert not Plan.objects.exists()


def test_return_needs_a_comment_and_the_owner_resubmits(client, agencies, people):
    plan = a_plan(agencies["doae"], people, Status.SUBMITTED)
    client.force_login(people["approver"])
    english(client)
    response = client.post(f"/plans/{plan.pk}/return/", {"comment": ""}, follow=True)
    assert "Say what must be revised." in page_text(response)
    assert status_of(plan) == Status.SUBMITTED
    client.post(f"/plans/{plan.pk}/return/", {"comment": "ขอให้เพิ่มตัวชี้วัด"})
    assert status_of(plan) == Status.RETURNED

    client.force_login(people["staff"])
    edit = form_data(client.get(f"/plans/{plan.pk}/edit/"), "plan-form")
    edit["title"] = ["แผนปฏิบัติราชการฉบับปรับปรุง"]
    for key in [k for k in edit if k.startswith("targets-2-")]:
        del edit[key]
    edit["targets-TOTAL_FORMS"] = edit["targets-INITIAL_FORMS"]
    response = client.post(f"/plans/{plan.pk}/edit/", edit)
    assert "Say why you change this plan." in page_text(response)
    edit["change_reason"] = ["เพิ่มตัวชี้วัดตามความเห็นผู้อนุมัติ"]
    edit["_submit"] = ["1"]
    response = client.post(f"/plans/{plan.pk}/edit/", edit)
    assert response.status_code == 302
    assert status_of(plan) == Status.SUBMITTED
    page = page_text(client.get(plan.get_absolute_url()))
    assert "ขอให้เพิ่มตัวชี้วัด" in page and "แผนปฏิบัติราชการฉบับปรับปรุง" in page
    assert "เพิ่มตัวชี้วัดตามความเห็นผู้อนุมัติ" in page  # the change record with its reason


def test_two_level_approval_makes_the_plan_read_only(client, agencies, people):
    plan = a_plan(agencies["doae"], people, Status.AGENCY_APPROVED)
    client.force_login(people["ministry"])
    assert offered(client.get(plan.get_absolute_url()), plan) == {"approve", "return"}
    client.post(f"/plans/{plan.pk}/approve/", {"expected_version": plan.version})
    assert status_of(plan) == Status.APPROVED
    client.force_login(people["staff"])
    assert offered(client.get(plan.get_absolute_url()), plan) == set()
    assert client.get(f"/plans/{plan.pk}/edit/").status_code == 302
    assert [e.action for e in engine.timeline(plan)] == ["create", "submit", "approve", "approve"]


def test_saving_over_someone_elses_change_is_a_conflict(client, agencies, people):
    plan = a_plan(agencies["doae"], people)
    client.force_login(people["staff"])
    english(client)
    stale = form_data(client.get(f"/plans/{plan.pk}/edit/"), "plan-form")
    Plan.objects.filter(pk=plan.pk).update(version=5, title="แก้โดยอีกคน")
    stale["title"] = ["ชื่อของฉัน"]
    response = client.post(f"/plans/{plan.pk}/edit/", stale)
    assert "Someone else changed this item" in page_text(response)
    assert Plan.objects.get(pk=plan.pk).title == "แก้โดยอีกคน"
    # The page keeps the user's input; saving it again now goes through.
    again = form_data(response, "plan-form")
    assert again["title"] == ["ชื่อของฉัน"]
    assert client.post(f"/plans/{plan.pk}/edit/", again).status_code == 302
    assert Plan.objects.get(pk=plan.pk).title == "ชื่อของฉัน"


# === list =====================================================================================


def test_list_filters_and_exports(client, agencies, people):
    a_plan(agencies["doae"], people, title="แผนปฏิบัติการด้านเกษตรอินทรีย์", reference="A",
           plan_type=Plan.Type.OPERATIONAL)  # fmt: skip
    a_plan(agencies["unit"], people, submitter="unit_staff", title="=HYPERLINK(1)", reference="B")
    client.force_login(people["staff"])
    assert sorted(listed(client.get("/plans/"))) == sorted(["แผนปฏิบัติการด้านเกษตรอินทรีย์",
                                                            "=HYPERLINK(1)"])  # fmt: skip
    assert listed(client.get("/plans/", {"q": "เกษตรอินทรีย์"})) == ["แผนปฏิบัติการด้านเกษตรอินทรีย์"]
    assert listed(client.get("/plans/", {"plan_type": "operational"})) == [
        "แผนปฏิบัติการด้านเกษตรอินทรีย์"
    ]
    assert listed(client.get("/plans/", {"agency": agencies["unit"].pk})) == ["=HYPERLINK(1)"]
    assert listed(client.get("/plans/", {"fiscal_year": 2570})) == []
    csv_text = client.get("/plans/", {"export": "csv", "q": "HYPERLINK"}).content.decode()
    assert "'=HYPERLINK(1)" in csv_text and "เกษตรอินทรีย์" not in csv_text
    assert client.get("/plans/?export=xlsx").content[:2] == b"PK"


@pytest.mark.parametrize("who", ["staff", "analyst"])
def test_list_queries_do_not_grow_with_the_page(client, agencies, people, who):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/plans/").status_code == 200
        return len(ctx.captured_queries)

    client.force_login(people[who])
    a_plan(agencies["doae"], people, Status.SUBMITTED, reference="R0")
    one = count()
    for i in range(1, 8):
        a_plan(agencies["unit" if i % 2 else "doae"], people, Status.SUBMITTED,
               submitter="unit_staff" if i % 2 else "staff", reference=f"R{i}")  # fmt: skip
    assert len(listed(client.get("/plans/"))) == 8
    assert count() == one


# === projects that serve a plan ===============================================================


def test_projects_serving_a_plan_show_budget_per_year_and_uncovered_targets(
    client, agencies, people
):
    plan = a_plan(agencies["doae"], people, Status.APPROVED, year_to=2569,
                  plan_type=Plan.Type.OTHER)  # fmt: skip
    first, second = plan.targets.all()
    project = a_project(agencies["unit"], people, submitter="unit_staff", title="โครงการแปรรูปข้าว")
    BudgetLine.objects.create(project=project, source="state", fiscal_year=2569,
                              amount=Decimal("250000.00"))  # fmt: skip
    client.force_login(people["unit_staff"])
    page = client.get(plan.get_absolute_url())
    uncovered = dom(page).find("ul", "uncovered").text
    assert first.name in uncovered and second.name in uncovered

    # The project page hands over to the plans section, where the plan (of the department
    # above the unit) can be chosen with one of its targets.
    project_page = dom(client.get(project.get_absolute_url()))
    assert any(a.attrs.get("href") == f"/plans/project/{project.pk}/"
               for a in project_page.find_all("a"))  # fmt: skip
    response = client.post(f"/plans/project/{project.pk}/", {"plan": plan.pk, "target": first.pk})
    assert response.status_code == 302
    assert plan.title in page_text(client.get(project.get_absolute_url()))

    page = client.get(plan.get_absolute_url())
    table = dom(page).find("table", "plan-projects")
    assert "โครงการแปรรูปข้าว" in table.text
    totals = table.find("tr", "totals").text
    assert "1,000,000.00" in totals and "250,000.00" in totals and "1,250,000.00" in totals
    uncovered = dom(page).find("ul", "uncovered").text
    assert first.name not in uncovered and second.name in uncovered

    # The same target twice is refused with a message; nothing is added.
    english(client)
    response = client.post(f"/plans/project/{project.pk}/", {"plan": plan.pk, "target": first.pk})
    assert "already states that it serves this target" in page_text(response)
    assert ProjectPlanLink.objects.count() == 1


def test_only_staff_who_may_edit_the_project_link_it_and_only_to_reachable_plans(
    client, agencies, people
):
    plan = a_plan(agencies["doae"], people, Status.SUBMITTED)
    other_plan = a_plan(agencies["doh"], people, Status.SUBMITTED, submitter="staff_b")
    project = a_project(agencies["doae"], people, title="โครงการของกรม")
    # Staff of another ministry cannot even see the draft project.
    client.force_login(people["staff_b"])
    assert client.get(f"/plans/project/{project.pk}/").status_code == 404
    assert client.post(f"/plans/project/{project.pk}/", {"plan": plan.pk}).status_code == 404
    # The analyst sees a submitted project's plans but may not change them.
    submitted = a_project(agencies["doae"], people, Status.SUBMITTED, title="โครงการที่ส่งแล้ว")
    client.force_login(people["analyst"])
    assert client.get(f"/plans/project/{submitted.pk}/").status_code == 200
    client.post(f"/plans/project/{submitted.pk}/", {"plan": plan.pk})
    # The project's own staff cannot choose another ministry's plan.
    client.force_login(people["staff"])
    response = client.post(f"/plans/project/{project.pk}/", {"plan": other_plan.pk})
    assert response.status_code == 200
    assert not ProjectPlanLink.objects.exists()


def test_a_project_revision_keeps_serving_the_plan(client, agencies, people):
    from projects import services as project_services

    plan = a_plan(agencies["doae"], people, Status.APPROVED)
    project = a_project(agencies["doae"], people, Status.APPROVED, title="โครงการอนุมัติแล้ว")
    ProjectPlanLink.objects.create(project=project, plan=plan, lineage=project.lineage,
                                   created_by=people["staff"])  # fmt: skip
    revision = project_services.start_revision(project, people["staff"], "ปรับกิจกรรม")
    client.force_login(people["staff"])
    table = dom(client.get(plan.get_absolute_url())).find("table", "plan-projects")
    links = [a.attrs["href"] for a in table.find_all("a")]
    assert links == [revision.get_absolute_url()]
    assert plan.title in page_text(client.get(revision.get_absolute_url()))


def test_dropping_a_target_drops_the_projects_link_to_it(client, agencies, people):
    plan = a_plan(agencies["doae"], people)
    first, second = plan.targets.all()
    project = a_project(agencies["doae"], people)
    for target in (first, None):
        ProjectPlanLink.objects.create(
            project=project, plan=plan, target=target, lineage=project.lineage,
            created_by=people["staff"],
        )  # fmt: skip
    client.force_login(people["staff"])
    data = form_data(client.get(f"/plans/{plan.pk}/edit/"), "plan-form")
    data["targets-0-DELETE"] = ["on"]
    for key in [k for k in data if k.startswith("targets-2-")]:
        del data[key]
    data["targets-TOTAL_FORMS"] = data["targets-INITIAL_FORMS"]
    assert client.post(f"/plans/{plan.pk}/edit/", data).status_code == 302
    assert list(plan.targets.all()) == [second]
    assert list(ProjectPlanLink.objects.values_list("target", flat=True)) == [None]


def test_submission_notifies_the_agency_approver(client, agencies, people):
    from workflow.models import Notification

    plan = a_plan(agencies["doae"], people, Status.SUBMITTED)
    note = Notification.objects.get(recipient=people["approver"])
    assert note.url == plan.get_absolute_url() and plan.title in note.message


def test_plan_page_queries_do_not_grow_with_the_projects_it_holds(client, agencies, people):
    plan = a_plan(agencies["doae"], people, Status.APPROVED)
    target = plan.targets.first()
    client.force_login(people["staff"])

    def add_project(n: int) -> None:
        project = a_project(agencies["doae"], people, title=f"โครงการที่ {n}")
        ProjectPlanLink.objects.create(
            project=project, plan=plan, target=target, lineage=project.lineage,
            created_by=people["staff"],
        )  # fmt: skip

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(plan.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    add_project(0)
    one = count()
    for n in range(1, 6):
        add_project(n)
    assert count() == one
    rows = dom(client.get(plan.get_absolute_url())).find("table", "plan-projects")
    assert len(rows.find("tbody").find_all("tr")) == 6
