"""The project pages through Django's test client, as the people who use them see them:
who sees and may do what (THE access policy in ``agencies/access.py``), the list and the review
queue with their filters and downloads, the edit form's optimistic lock, the cascading
strategy-link selects, revisions of approved projects and the inbox.

Text assertions use Thai data (titles, agency names) or ask for English where a UI message
must be read, so they hold while the Thai catalogue is being written.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agencies import access
from agencies.access import Action
from agencies.models import Membership
from core.states import Status
from projects import services
from projects.models import Attachment, Project
from strategy.models import Kind, Node
from tests.factories import MembershipFactory, ProjectFactory, complete_project, member
from workflow import engine
from workflow.models import Notification

pytestmark = pytest.mark.django_db

R = Membership.Role
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELDERLY = "โครงการพัฒนาศักยภาพผู้สูงอายุในชุมชน"


# --- reading pages ----------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class El:
    def __init__(self, tag: str, attrs: dict[str, str], parent: El | None = None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[El | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join("".join(parts).split())

    def find_all(self, tag: str, cls: str | None = None, skip: str | None = None) -> list[El]:
        found = []
        for child in self.children:
            if isinstance(child, El) and child.tag != skip:
                if child.tag == tag and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.find_all(tag, cls, skip))
        return found

    def find(self, tag: str, cls: str | None = None) -> El:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls!r}> in the page"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = El("#document", {})

    def handle_starttag(self, tag, attrs):
        el = El(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
        self.current.children.append(el)
        if tag not in VOID:
            self.current = el

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(El(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(response) -> El:
    builder = _Builder()
    builder.feed(response.content.decode())
    return builder.root


def english(client) -> None:
    client.cookies["django_language"] = "en"


def page_text(response) -> str:
    return dom(response).text


def listed(response) -> list[str]:
    """Titles in the project table, in page order."""
    body = dom(response).find("table", "projects").find("tbody")
    return [row.find_all("a")[0].text for row in body.find_all("tr") if row.find_all("a")]


def offered(response, project) -> set[str]:
    """The workflow actions the detail page offers as buttons (their formaction URLs)."""
    pattern = re.compile(rf"^/projects/{project.pk}/(\w+)/$")
    actions = set()
    for button in dom(response).find_all("button"):
        if match := pattern.match(button.attrs.get("formaction", "")):
            actions.add(match.group(1))
    return actions


def links_to(response, url: str) -> bool:
    return any(a.attrs.get("href") == url for a in dom(response).find_all("a"))


def form_data(response, cls: str = "project-form") -> dict[str, list[str]]:
    """What a browser submits for the form: enabled fields, checked boxes, the selected (or
    first) option of each select, nothing inside <template> rows."""
    form = dom(response).find("form", cls)
    data: dict[str, list[str]] = {}

    def put(name: str, value: str) -> None:
        data.setdefault(name, []).append(value)

    for el in form.find_all("input", skip="template"):
        a = el.attrs
        kind = a.get("type", "text")
        if not a.get("name") or "disabled" in a or kind in ("submit", "button", "reset", "file"):
            continue
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                put(a["name"], a.get("value", "on"))
        else:
            put(a["name"], a.get("value", ""))
    for el in form.find_all("textarea", skip="template"):
        if el.attrs.get("name") and "disabled" not in el.attrs:
            raw = "".join(c for c in el.children if isinstance(c, str))
            put(el.attrs["name"], raw[1:] if raw.startswith("\n") else raw)
    for el in form.find_all("select", skip="template"):
        name = el.attrs.get("name")
        if not name or "disabled" in el.attrs:
            continue
        options = el.find_all("option")
        chosen = [o for o in options if "selected" in o.attrs]
        if not chosen and "multiple" not in el.attrs and options:
            chosen = options[:1]
        for o in chosen:
            put(name, o.attrs.get("value", o.text))
    return data


def drop_empty_rows(data: dict[str, list[str]]) -> dict[str, list[str]]:
    """Leave out the blank "add a row" forms of each formset (what a browser sends for them is
    tested in test_saving_the_form_as_a_browser_sends_it)."""
    for prefix in ("kpis", "activities", "budget_lines"):
        initial = int(data[f"{prefix}-INITIAL_FORMS"][0])
        total = int(data[f"{prefix}-TOTAL_FORMS"][0])
        for i in range(initial, total):
            for key in [k for k in data if k.startswith(f"{prefix}-{i}-")]:
                del data[key]
        data[f"{prefix}-TOTAL_FORMS"] = [str(initial)]
    return data


# --- people and projects ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_setup(settings, tmp_path):
    """Uploads go to a temporary folder; passwords hash fast (every test signs in with
    force_login)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(agencies):
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


def advance(project: Project, people: dict, to: str, submitter: str = "staff") -> Project:
    """Move a complete draft through the real engine up to ``to``; each approval is given by
    whoever among ``people`` may give it."""
    steps = {
        Status.DRAFT: [],
        Status.SUBMITTED: [Action.SUBMIT],
        Status.RETURNED: [Action.SUBMIT, Action.RETURN],
        Status.AGENCY_APPROVED: [Action.SUBMIT, Action.APPROVE],
        Status.APPROVED: [Action.SUBMIT, Action.APPROVE, Action.APPROVE],
    }[to]
    for action in steps:
        if action == Action.SUBMIT:
            actor = people[submitter]
        else:
            actor = next(u for u in people.values() if access.can(u, action, project))
        engine.perform(project, action, actor, "โปรดทบทวน" if action == Action.RETURN else "")
    assert project.status == to
    return project


def a_project(agency, people, to: str = Status.DRAFT, submitter: str = "staff", **kwargs):
    project = complete_project(agency=agency, created_by=people[submitter], **kwargs)
    services.refresh_search_text(project)
    return advance(project, people, to, submitter)


def attach(project: Project, user) -> Attachment:
    return Attachment.objects.create(
        project=project,
        file=ContentFile(PDF, name="แผนงาน.pdf"),
        name="แผนงาน.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=user,
    )


def status_of(project: Project) -> str:
    return Project.objects.values_list("status", flat=True).get(pk=project.pk)


def transition_url(project: Project, action: str) -> str:
    return f"/projects/{project.pk}/{action}/"


ALL_ACTIONS = ("submit", "withdraw", "approve", "return")


def post_every_write(client, project: Project, attachment: Attachment) -> dict[str, int]:
    """POST every write a project page has; returns the status code of each."""
    pk = project.pk
    codes = {}
    for action in ALL_ACTIONS:
        codes[action] = client.post(
            transition_url(project, action), {"comment": "แก้ไขด่วน", "expected_version": ""}
        ).status_code
    codes["edit"] = client.post(f"/projects/{pk}/edit/", {"title": "ถูกแก้โดยผู้ไม่มีสิทธิ์"}).status_code
    codes["revise"] = client.post(f"/projects/{pk}/revise/", {"reason": "ขอแก้"}).status_code
    codes["upload"] = client.post(
        f"/projects/{pk}/attachments/",
        {"file": SimpleUploadedFile("เพิ่ม.pdf", PDF, content_type="application/pdf")},
    ).status_code
    codes["delete"] = client.post(f"/projects/{pk}/attachments/{attachment.pk}/delete/").status_code
    return codes


# === 1. permissions ===========================================================================


def test_another_agencys_draft_is_not_found_on_any_page(client, agencies, people):
    theirs = a_project(agencies["doh"], people, submitter="staff_b", title="ร่างของกรมอนามัย")
    attachment = attach(theirs, people["staff_b"])
    mine = a_project(agencies["doae"], people, title="ร่างของกรมส่งเสริมการเกษตร")
    client.force_login(people["staff"])
    pk = theirs.pk

    assert client.get(f"/projects/{pk}/").status_code == 404
    assert client.get(f"/projects/{pk}/edit/").status_code == 404
    assert client.get(f"/projects/{pk}/attachments/{attachment.pk}/").status_code == 404
    codes = post_every_write(client, theirs, attachment)
    assert codes == dict.fromkeys(codes, 404)

    theirs.refresh_from_db()
    assert (theirs.status, theirs.title, theirs.version) == (Status.DRAFT, "ร่างของกรมอนามัย", 1)
    assert list(theirs.attachments.all()) == [attachment]
    assert Project.objects.filter(lineage=theirs.lineage).count() == 1

    # Their attachment is not reachable through one of my own projects either.
    assert client.get(f"/projects/{mine.pk}/attachments/{attachment.pk}/").status_code == 404
    assert (
        client.post(f"/projects/{mine.pk}/attachments/{attachment.pk}/delete/").status_code == 404
    )
    assert Attachment.objects.filter(pk=attachment.pk).exists()

    # Not in the list, not in either download, even when asked for by agency or by text.
    assert listed(client.get("/projects/")) == [mine.title]
    assert listed(client.get("/projects/", {"q": "กรมอนามัย"})) == []
    assert "ร่างของกรมอนามัย" not in client.get("/projects/?export=csv").content.decode("utf-8")
    xlsx = client.get("/projects/?export=xlsx").content
    assert "ร่างของกรมอนามัย" not in xlsx_titles(xlsx) and mine.title in xlsx_titles(xlsx)
    # The agency filter does not even offer the other agency.
    response = client.get("/projects/", {"agency": agencies["doh"].pk})
    assert listed(response) == [mine.title]
    agency_select = [s for s in dom(response).find_all("select") if s.attrs["name"] == "agency"]
    offered_agencies = {o.attrs.get("value") for o in agency_select[0].find_all("option")}
    assert str(agencies["doh"].pk) not in offered_agencies
    assert str(agencies["unit"].pk) in offered_agencies


def test_staff_cannot_approve_their_agencys_submission(client, agencies, people):
    project = a_project(agencies["unit"], people, Status.SUBMITTED, submitter="unit_staff")
    client.force_login(people["staff"])
    english(client)

    page = client.get(project.get_absolute_url())
    assert page.status_code == 200
    assert offered(page, project) == {"withdraw"}
    assert not links_to(page, f"/projects/{project.pk}/edit/")

    for action in ("approve", "return"):
        response = client.post(
            transition_url(project, action),
            {"comment": "ผ่าน", "expected_version": project.version},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == project.get_absolute_url()
        assert "You may not do this now." in page_text(response)
        assert status_of(project) == Status.SUBMITTED


def test_agency_approver_cannot_approve_outside_their_subtree(client, agencies, people):
    # The department's approver approves a unit's project below it...
    inside = a_project(agencies["unit"], people, Status.SUBMITTED, submitter="unit_staff")
    client.force_login(people["approver"])
    assert offered(client.get(inside.get_absolute_url()), inside) == {"approve", "return"}
    client.post(transition_url(inside, "approve"), {"expected_version": inside.version})
    assert status_of(inside) == Status.AGENCY_APPROVED

    # ...but not a sibling department's (rid), nor another ministry's: not even visible.
    rid_staff = member(R.STAFF, agencies["rid"])
    people["rid_staff"] = rid_staff
    sibling = a_project(agencies["rid"], people, Status.SUBMITTED, submitter="rid_staff")
    other = a_project(agencies["doh"], people, Status.SUBMITTED, submitter="staff_b")
    for project in (sibling, other):
        assert client.get(project.get_absolute_url()).status_code == 404
        assert client.post(transition_url(project, "approve")).status_code == 404
        assert status_of(project) == Status.SUBMITTED
    assert listed(client.get("/projects/queue/")) == []

    # The rid approver, for their part, cannot act on the department's project.
    client.force_login(people["rid_approver"])
    assert client.post(transition_url(inside, "approve")).status_code == 404
    assert status_of(inside) == Status.AGENCY_APPROVED


def test_ministry_approver_approves_only_agency_approved_projects_of_their_ministry(
    client, agencies, people
):
    submitted = a_project(agencies["doae"], people, Status.SUBMITTED, title="รออนุมัติระดับกรม")
    waiting = a_project(agencies["unit"], people, Status.AGENCY_APPROVED, title="รอกระทรวง")
    other = a_project(agencies["doh"], people, Status.AGENCY_APPROVED, submitter="staff_b")
    client.force_login(people["ministry"])
    english(client)

    # A project still at the first level: readable, but no button and the POST is refused.
    page = client.get(submitted.get_absolute_url())
    assert page.status_code == 200 and offered(page, submitted) == set()
    response = client.post(transition_url(submitted, "approve"), follow=True)
    assert "You may not do this now." in page_text(response)
    assert status_of(submitted) == Status.SUBMITTED

    # Another ministry's project: not found.
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.post(transition_url(other, "approve")).status_code == 404
    assert status_of(other) == Status.AGENCY_APPROVED

    # Their own ministry's agency-approved project: approve and return are offered; approving
    # makes it approved.
    page = client.get(waiting.get_absolute_url())
    assert offered(page, waiting) == {"approve", "return"}
    response = client.post(
        transition_url(waiting, "approve"),
        {"comment": "เห็นชอบ", "expected_version": waiting.version},
        follow=True,
    )
    assert "Done: Approve." in page_text(response)
    assert status_of(waiting) == Status.APPROVED
    assert offered(response, waiting) == set()

    # The other ministry's approver cannot approve it either way.
    client.force_login(people["ministry_b"])
    assert client.post(transition_url(waiting, "approve")).status_code == 404


def test_analyst_reads_submitted_projects_everywhere_but_changes_nothing(client, agencies, people):
    ours = a_project(agencies["unit"], people, Status.SUBMITTED, title="โครงการของหน่วย")
    theirs = a_project(
        agencies["doh"],
        people,
        Status.AGENCY_APPROVED,
        submitter="staff_b",
        title="โครงการของกรมอนามัย",
    )
    done = a_project(agencies["doae"], people, Status.APPROVED, title="โครงการที่อนุมัติแล้ว")
    draft = a_project(agencies["doae"], people, title="ร่างที่ยังไม่ส่ง")
    attachments = {p.pk: attach(p, people["staff"]) for p in (ours, theirs, done, draft)}
    client.force_login(people["analyst"])
    english(client)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert (
        client.get(f"/projects/{draft.pk}/attachments/{attachments[draft.pk].pk}/").status_code
        == 404
    )
    assert sorted(listed(client.get("/projects/"))) == sorted(
        [ours.title, theirs.title, done.title]
    )
    assert listed(client.get("/projects/queue/")) == []
    assert client.get("/projects/new/").status_code == 403

    for project in (ours, theirs, done):
        before = Project.objects.values().get(pk=project.pk)
        page = client.get(project.get_absolute_url())
        assert page.status_code == 200
        assert project.title in page_text(page)
        assert offered(page, project) == set()
        assert not links_to(page, f"/projects/{project.pk}/edit/")
        assert not any("/revise/" in f.attrs.get("action", "") for f in dom(page).find_all("form"))
        attachment = attachments[project.pk]
        download = client.get(f"/projects/{project.pk}/attachments/{attachment.pk}/")
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

        # Every write is refused: a redirect back with nothing changed.
        codes = post_every_write(client, project, attachment)
        assert all(code == 302 for code in codes.values()), codes
        assert Project.objects.values().get(pk=project.pk) == before
        assert list(project.attachments.all()) == [attachment]
        assert Project.objects.filter(lineage=project.lineage).count() == 1
        edit = client.get(f"/projects/{project.pk}/edit/", follow=True)
        assert "This project cannot be edited now." in page_text(edit)
        assert dom(edit).find_all("form", "project-form") == []


def test_nobody_approves_their_own_submission(client, agencies, people):
    both = people["both"]  # staff and agency approver of the same department
    project = complete_project(agency=agencies["doae"], created_by=both)
    client.force_login(both)
    english(client)
    response = client.post(transition_url(project, "submit"), {"expected_version": 1}, follow=True)
    assert status_of(project) == Status.SUBMITTED
    assert offered(response, project) == {"withdraw"}
    assert listed(client.get("/projects/queue/")) == []

    response = client.post(transition_url(project, "approve"), {"comment": "ok"}, follow=True)
    assert "You may not do this now." in page_text(response)
    assert status_of(project) == Status.SUBMITTED

    # Another approver of the department may.
    client.force_login(people["approver"])
    assert listed(client.get("/projects/queue/")) == [project.title]
    client.post(transition_url(project, "approve"))
    assert status_of(project) == Status.AGENCY_APPROVED


def test_unknown_transition_is_not_found_and_get_is_not_allowed(client, agencies, people):
    project = a_project(agencies["doae"], people, Status.SUBMITTED)
    client.force_login(people["approver"])
    assert client.post(transition_url(project, "view")).status_code == 404
    assert client.post(transition_url(project, "delete")).status_code == 404
    assert client.get(transition_url(project, "approve")).status_code == 405
    assert status_of(project) == Status.SUBMITTED


def test_staff_create_projects_only_in_their_own_subtree(client, agencies, people):
    client.force_login(people["approver"])  # an approver enters no projects
    assert client.get("/projects/new/").status_code == 403
    assert not links_to(client.get("/projects/"), "/projects/new/")

    client.force_login(people["staff"])
    assert links_to(client.get("/projects/"), "/projects/new/")
    page = client.get("/projects/new/", follow=True)
    assert page.status_code == 200
    offered_agencies = {o.attrs.get("value") for o in options(page, "agency")} - {""}
    assert offered_agencies == {str(agencies["doae"].pk), str(agencies["unit"].pk)}
    data = drop_empty_rows(form_data(page))
    data.update(agency=[str(agencies["unit"].pk)], fiscal_year=["2568"], title=[ELDERLY])
    response = client.post("/projects/new/", data)
    project = Project.objects.get(title=ELDERLY)
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    assert (project.agency, project.created_by, project.status) == (
        agencies["unit"],
        people["staff"],
        Status.DRAFT,
    )
    assert listed(client.get("/projects/", {"q": "ผู้สูงอายุ"})) == [ELDERLY]

    # Another agency's id typed into the form is refused and nothing is created.
    client.force_login(people["staff_b"])
    data = drop_empty_rows(form_data(client.get("/projects/new/", follow=True)))
    data.update(agency=[str(agencies["doae"].pk)], fiscal_year=["2568"], title=["แทรกข้ามกรม"])
    response = client.post("/projects/new/", data)
    assert response.status_code == 200
    assert not Project.objects.filter(title="แทรกข้ามกรม").exists()


def test_a_button_clicked_on_a_stale_page_is_refused(client, agencies, people):
    project = a_project(agencies["doae"], people, Status.SUBMITTED)
    client.force_login(people["approver"])
    english(client)
    stale = form_data(client.get(project.get_absolute_url()), "transition-form")
    assert stale["expected_version"] == [str(project.version)]
    # Meanwhile the owner withdraws, changes and submits again.
    engine.perform(project, Action.WITHDRAW, people["staff"])
    engine.perform(project, Action.SUBMIT, people["staff"])
    response = client.post(transition_url(project, "approve"), stale, follow=True)
    assert "Someone else changed this item after you opened it." in page_text(response)
    assert status_of(project) == Status.SUBMITTED
    fresh = form_data(response, "transition-form")
    client.post(transition_url(project, "approve"), fresh)
    assert status_of(project) == Status.AGENCY_APPROVED


def test_staff_work_with_attachments_of_their_own_drafts(client, agencies, people):
    project = a_project(agencies["unit"], people)
    client.force_login(people["staff"])
    english(client)
    response = client.post(
        f"/projects/{project.pk}/attachments/",
        {"file": SimpleUploadedFile("สรุปโครงการ.pdf", PDF, content_type="application/pdf")},
        follow=True,
    )
    assert "The file was attached." in page_text(response)
    attachment = project.attachments.get()
    assert attachment.name == "สรุปโครงการ.pdf" and attachment.uploaded_by == people["staff"]
    download = client.get(f"/projects/{project.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]

    # A file that is not a document is refused by its content, whatever its name says.
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    response = client.post(f"/projects/{project.pk}/attachments/", {"file": fake}, follow=True)
    assert "is not a PDF" in page_text(response)
    assert project.attachments.count() == 1

    # Once submitted, the staff may no longer add or remove files.
    engine.perform(project, Action.SUBMIT, people["staff"])
    client.post(f"/projects/{project.pk}/attachments/{attachment.pk}/delete/")
    assert project.attachments.count() == 1
    engine.perform(project, Action.WITHDRAW, people["staff"])
    client.post(f"/projects/{project.pk}/attachments/{attachment.pk}/delete/")
    assert project.attachments.count() == 0


STATES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.AGENCY_APPROVED, Status.APPROVED)


@pytest.mark.parametrize("state", STATES)
def test_detail_page_offers_exactly_the_buttons_that_work(client, agencies, people, state):
    """The interface never offers a button that would be refused, nor hides one that works."""
    project = a_project(agencies["unit"], people, state, submitter="unit_staff")
    seen_any = set()
    for name, user in people.items():
        client.force_login(user)
        page = client.get(project.get_absolute_url())
        if not access.can(user, Action.VIEW, project):
            assert page.status_code == 404, name
            continue
        assert page.status_code == 200, name
        allowed = {str(a) for a in engine.allowed_transitions(user, project)}
        assert offered(page, project) == allowed, name
        can_edit = access.can(user, Action.EDIT, project)
        assert links_to(page, f"/projects/{project.pk}/edit/") == can_edit, name
        seen_any |= allowed
        # Each offered button does what it says (tried in a savepoint, then undone).
        for action in allowed:
            sid = transaction.savepoint()
            client.post(
                transition_url(project, action),
                {"comment": "โปรดแก้ไขตัวชี้วัด", "expected_version": project.version},
            )
            assert status_of(project) == engine.TRANSITIONS[Action(action)][state], (name, action)
            transaction.savepoint_rollback(sid)
        # ...and every button not offered is refused.
        for action in set(ALL_ACTIONS) - allowed:
            sid = transaction.savepoint()
            client.post(transition_url(project, action), {"comment": "x"})
            assert status_of(project) == state, (name, action)
            transaction.savepoint_rollback(sid)
    expected = {
        Status.DRAFT: {"submit"},
        Status.SUBMITTED: {"withdraw", "approve", "return"},
        Status.RETURNED: {"submit"},
        Status.AGENCY_APPROVED: {"withdraw", "approve", "return"},
        Status.APPROVED: set(),
    }
    assert seen_any == expected[state]


# === 2. lists and the review queue ============================================================


def test_queue_shows_only_what_waits_for_this_users_approval(client, agencies, people):
    people["rid_staff"] = member(R.STAFF, agencies["rid"])
    a_project(agencies["doae"], people, title="ร่างกรม")
    sub_doae = a_project(agencies["doae"], people, Status.SUBMITTED, title="ส่งแล้วกรม")
    sub_unit = a_project(
        agencies["unit"], people, Status.SUBMITTED, "unit_staff", title="ส่งแล้วหน่วย"
    )
    by_both = a_project(agencies["doae"], people, Status.SUBMITTED, "both", title="ส่งโดยผู้อนุมัติเอง")
    sub_rid = a_project(
        agencies["rid"], people, Status.SUBMITTED, "rid_staff", title="ส่งแล้วชลประทาน"
    )
    aa_doae = a_project(agencies["doae"], people, Status.AGENCY_APPROVED, title="ผ่านกรมแล้ว")
    a_project(agencies["doae"], people, Status.APPROVED, title="อนุมัติแล้ว")
    a_project(agencies["doh"], people, Status.SUBMITTED, "staff_b", title="ส่งแล้วกรมอนามัย")
    aa_doh = a_project(
        agencies["doh"], people, Status.AGENCY_APPROVED, "staff_b", title="ผ่านกรมอนามัย"
    )

    def queue(who):
        client.force_login(people[who])
        return set(listed(client.get("/projects/queue/")))

    assert queue("approver") == {sub_doae.title, sub_unit.title, by_both.title}
    assert queue("both") == {sub_doae.title, sub_unit.title}  # not their own submission
    assert queue("rid_approver") == {sub_rid.title}
    assert queue("ministry") == {aa_doae.title}
    assert queue("ministry_b") == {aa_doh.title}
    assert queue("staff") == set()
    assert queue("analyst") == set()
    client.force_login(people["approver"])
    # oldest submission first
    assert listed(client.get("/projects/queue/")) == [sub_doae.title, sub_unit.title, by_both.title]


def test_list_shows_the_users_visible_current_projects(client, agencies, people):
    mine = a_project(agencies["doae"], people, title="ร่างของกรม")
    unit = a_project(agencies["unit"], people, title="ร่างของหน่วย")
    a_project(agencies["doh"], people, submitter="staff_b", title="ร่างของกรมอนามัย")
    submitted_b = a_project(
        agencies["doh"], people, Status.SUBMITTED, "staff_b", title="ส่งของกรมอนามัย"
    )

    client.force_login(people["staff"])
    assert set(listed(client.get("/projects/"))) == {mine.title, unit.title}
    client.force_login(people["unit_staff"])
    assert listed(client.get("/projects/")) == [unit.title]  # not the department above
    client.force_login(people["ministry"])
    assert set(listed(client.get("/projects/"))) == {mine.title, unit.title}
    client.force_login(people["analyst"])
    assert listed(client.get("/projects/")) == [submitted_b.title]


@pytest.fixture
def catalogue(agencies, people):
    """Projects of the ministry of agriculture with different years, states, links, budgets."""
    people["rid_staff"] = member(R.STAFF, agencies["rid"])
    doae, unit, rid = agencies["doae"], agencies["unit"], agencies["rid"]
    p = {
        "elderly": a_project(doae, people, title=ELDERLY),
        "unit": a_project(unit, people, Status.SUBMITTED, "unit_staff", title="โครงการ B หน่วย"),
        "rid": a_project(rid, people, Status.APPROVED, "rid_staff", title="โครงการ C ชลประทาน"),
        "old": a_project(doae, people, title="โครงการ D ปีเก่า"),
        "tourism": a_project(doae, people, title="โครงการ A ท่องเที่ยว"),
    }
    p["old"].fiscal_year = 2567
    p["old"].save()
    budgets = {
        "elderly": 2_000_000,
        "unit": 500_000,
        "rid": 3_000_000,
        "old": 100_000,
        "tourism": 1_000_000,
    }
    for key, amount in budgets.items():
        Project.objects.filter(pk=p[key].pk).update(total_budget=Decimal(amount))
    # The tourism project links to a Y1 of master plan 05 instead of 030401.
    p["tourism"].links.update(node=Node.objects.get(edition__code="mp-2561", code="050101"))
    p["tourism"].fiscal_year = 2566
    p["tourism"].save()
    return p


def node(code: str, edition: str = "mp-2566") -> Node:
    return Node.objects.get(edition__code=edition, code=code)


def titles(p: dict, *keys: str) -> set[str]:
    return {p[k].title for k in keys}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"elderly", "unit", "rid", "old", "tourism"}),
        ({"fiscal_year": "2568"}, {"elderly", "unit", "rid"}),
        ({"fiscal_year": "2567"}, {"old"}),
        ({"status": "draft"}, {"elderly", "old", "tourism"}),
        ({"status": "approved"}, {"rid"}),
        ({"master_plan": ("03", "mp-2566")}, {"elderly", "unit", "rid", "old"}),
        ({"master_plan": ("05", "mp-2566")}, set()),
        ({"master_plan": ("05", "mp-2561")}, {"tourism"}),
        ({"sub_plan": ("0304", "mp-2566")}, {"elderly", "unit", "rid", "old"}),
        ({"sub_plan": ("0302", "mp-2566")}, set()),
        ({"agency": "doae"}, {"elderly", "unit", "old", "tourism"}),
        ({"agency": "unit"}, {"unit"}),
        ({"agency": "rid"}, {"rid"}),
        ({"budget_min": "1000000"}, {"elderly", "rid", "tourism"}),
        ({"budget_max": "1000000"}, {"unit", "old", "tourism"}),
        ({"budget_min": "400000", "budget_max": "2000000"}, {"elderly", "unit", "tourism"}),
        ({"q": "ผู้สูงอายุ"}, {"elderly"}),
        ({"q": "ผู้สูงอายุชุมชน"}, {"elderly"}),
        ({"q": "ผู้สูงอายุ ชลประทาน"}, set()),
        ({"q": "ชลประทาน"}, {"rid"}),
        ({"fiscal_year": "2568", "agency": "doae", "status": "submitted"}, {"unit"}),
    ],
)
def test_list_filters(client, agencies, people, catalogue, params, expected):
    client.force_login(people["ministry"])
    query = {}
    for key, value in params.items():
        if key in ("master_plan", "sub_plan"):
            value = node(*value).pk
        elif key == "agency":
            value = agencies[value].pk
        query[key] = value
    response = client.get("/projects/", query)
    assert response.status_code == 200
    assert set(listed(response)) == titles(catalogue, *expected)


def test_an_invalid_filter_value_does_not_drop_the_other_filters(client, people, catalogue):
    client.force_login(people["ministry"])
    response = client.get("/projects/", {"fiscal_year": "2567", "budget_min": "1,000,000"})
    assert set(listed(response)) <= {catalogue["old"].title}
    export = client.get(
        "/projects/", {"fiscal_year": "2567", "budget_min": "1,000,000", "export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {row[2] for row in rows[1:]} <= {"2567"}


def test_list_ordering_by_title_and_budget(client, people, catalogue):
    client.force_login(people["ministry"])
    by_title = listed(client.get("/projects/", {"ordering": "title"}))
    assert [t for t in by_title if t != ELDERLY] == [
        "โครงการ A ท่องเที่ยว",
        "โครงการ B หน่วย",
        "โครงการ C ชลประทาน",
        "โครงการ D ปีเก่า",
    ]
    assert listed(client.get("/projects/", {"ordering": "-title"}))[::-1] == by_title
    by_budget = listed(client.get("/projects/", {"ordering": "-total_budget"}))
    assert by_budget == [catalogue[k].title for k in ("rid", "elderly", "tourism", "unit", "old")]
    by_budget = listed(client.get("/projects/", {"ordering": "total_budget"}))
    assert by_budget == [catalogue[k].title for k in ("old", "unit", "tourism", "elderly", "rid")]


def test_list_is_paginated_by_25(client, agencies, people):
    for i in range(26):
        ProjectFactory(
            agency=agencies["doae"], created_by=people["staff"], title=f"โครงการที่ {i:02d}"
        )
    client.force_login(people["staff"])
    first = client.get("/projects/", {"fiscal_year": 2568})
    second = client.get("/projects/", {"fiscal_year": 2568, "page": 2})
    assert len(listed(first)) == 25 and len(listed(second)) == 1
    assert set(listed(first)) | set(listed(second)) == {f"โครงการที่ {i:02d}" for i in range(26)}
    pager = dom(first).find("nav", "pager")
    assert any(a.attrs["href"] == "?fiscal_year=2568&page=2" for a in pager.find_all("a"))
    assert "26" in dom(first).find("main").text
    # A page number past the end shows the last page, not an error.
    assert listed(client.get("/projects/", {"fiscal_year": 2568, "page": 99})) == listed(second)


# === 3. queries do not grow with the page =====================================================


def _count_queries(client, url: str) -> int:
    client.get(url)  # warm caches (content types, editions) the first request fills
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more_projects(agencies, people, n: int, to: str) -> None:
    for _i in range(n):
        project = a_project(agencies["unit"], people, to, "unit_staff")
        assert project.primary_link is not None and project.kpis.exists()
        assert project.activities.count() == 2


@pytest.mark.parametrize(
    ("who", "url", "state"),
    [
        ("staff", "/projects/", Status.DRAFT),
        ("approver", "/projects/queue/", Status.SUBMITTED),
        ("ministry", "/projects/queue/", Status.AGENCY_APPROVED),
    ],
)
def test_list_queries_do_not_grow_with_the_page(client, agencies, people, who, url, state):
    client.force_login(people[who])
    _more_projects(agencies, people, 3, state)
    assert len(listed(client.get(url))) == 3
    few = _count_queries(client, url)
    _more_projects(agencies, people, 22, state)
    assert len(listed(client.get(url))) == 25
    many = _count_queries(client, url)
    assert many == few


def test_detail_page_queries_do_not_grow_with_rows(
    client, agencies, people, django_assert_max_num_queries
):
    project = a_project(agencies["unit"], people, Status.SUBMITTED, "unit_staff")
    client.force_login(people["approver"])
    client.get(project.get_absolute_url())
    with CaptureQueriesContext(connection) as ctx:
        client.get(project.get_absolute_url())
    for i in range(10):
        project.kpis.create(name=f"ตัวชี้วัด {i}", unit="คน", target_value="10")
        project.activities.create(order=3 + i, name=f"กิจกรรม {i}")
        attach(project, people["unit_staff"])
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get(project.get_absolute_url())


# === 4. downloads =============================================================================


def xlsx_rows(content: bytes) -> list[list]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
    return [[c.value for c in row] for row in sheet.iter_rows()]


def xlsx_titles(content: bytes) -> set[str]:
    return {row[4] for row in xlsx_rows(content)[1:]}


EVIL = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1:A2)"]


def test_exports_hold_exactly_the_filtered_projects_and_no_formulas(client, agencies, people):
    inside = [
        a_project(agencies["doae"], people, title=ELDERLY),
        a_project(agencies["unit"], people, Status.SUBMITTED, "unit_staff", title="โครงการของหน่วย"),
        *(a_project(agencies["doae"], people, title=t) for t in EVIL),
    ]
    people["rid_staff"] = member(R.STAFF, agencies["rid"])
    a_project(agencies["rid"], people, submitter="rid_staff", title="นอกตัวกรอง ชลประทาน")
    old = a_project(agencies["doae"], people, title="นอกตัวกรอง ปีเก่า")
    old.fiscal_year = 2567
    old.save()
    a_project(agencies["doh"], people, submitter="staff_b", title="ร่างของกรมอนามัย")
    client.force_login(people["ministry"])
    english(client)
    query = {"fiscal_year": "2568", "agency": agencies["doae"].pk}
    expected = {p.title for p in inside}
    assert set(listed(client.get("/projects/", query))) == expected
    safe = {("'" + t if t in EVIL else t) for t in expected}

    response = client.get("/projects/", {**query, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="projects.xlsx"'
    rows = xlsx_rows(response.content)
    assert rows[0][4] == "title" and rows[0][0] == "agency code"
    assert {row[4] for row in rows[1:]} == safe
    assert len(rows) == 1 + len(inside)
    by_title = {row[4]: row for row in rows[1:]}
    row = by_title[ELDERLY]
    assert row[0] == "T07003" and row[2] == 2568 and row[9] == "030401"
    assert Decimal(str(row[6])) == Decimal("1000000")

    response = client.get("/projects/", {**query, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="projects.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][4] == "title"
    assert {row[4] for row in rows[1:]} == safe
    assert len(rows) == 1 + len(inside)

    # The queue downloads only the queue.
    client.force_login(people["approver"])
    response = client.get("/projects/queue/", {"export": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="queue.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[4] for row in rows[1:]] == ["โครงการของหน่วย"]


# === 5. the edit form =========================================================================


def test_saving_over_someone_elses_change_shows_a_conflict_and_keeps_both(client, agencies, people):
    project = a_project(agencies["doae"], people, title="ชื่อเดิม")
    colleague = member(R.STAFF, agencies["doae"])
    client.force_login(people["staff"])
    english(client)
    mine = drop_empty_rows(form_data(client.get(f"/projects/{project.pk}/edit/")))
    assert mine["expected_version"] == ["1"] and mine["title"] == ["ชื่อเดิม"]

    # A colleague opens and saves the same project in between.
    other = client_for(colleague)
    theirs = drop_empty_rows(form_data(other.get(f"/projects/{project.pk}/edit/")))
    theirs["title"] = ["ชื่อที่เพื่อนร่วมงานบันทึก"]
    assert other.post(f"/projects/{project.pk}/edit/", theirs).status_code == 302
    project.refresh_from_db()
    assert (project.title, project.version) == ("ชื่อที่เพื่อนร่วมงานบันทึก", 2)

    mine["title"] = ["ชื่อที่ฉันพิมพ์"]
    response = client.post(f"/projects/{project.pk}/edit/", mine)
    assert response.status_code == 200
    assert "Someone else changed this item after you opened it." in page_text(response)
    title_input = [i for i in dom(response).find_all("input") if i.attrs.get("name") == "title"]
    assert title_input[0].attrs["value"] == "ชื่อที่ฉันพิมพ์"
    project.refresh_from_db()
    assert (project.title, project.version) == ("ชื่อที่เพื่อนร่วมงานบันทึก", 2)


def test_saving_again_after_a_conflict_keeps_the_users_input(client, agencies, people):
    project = a_project(agencies["doae"], people, title="ชื่อเดิม")
    client.force_login(people["staff"])
    mine = drop_empty_rows(form_data(client.get(f"/projects/{project.pk}/edit/")))
    Project.objects.filter(pk=project.pk).update(version=2, title="ชื่อที่เพื่อนร่วมงานบันทึก")
    mine["title"] = ["ชื่อที่ฉันพิมพ์"]
    again = drop_empty_rows(form_data(client.post(f"/projects/{project.pk}/edit/", mine)))
    assert again["title"] == ["ชื่อที่ฉันพิมพ์"]
    assert client.post(f"/projects/{project.pk}/edit/", again).status_code == 302
    project.refresh_from_db()
    assert project.title == "ชื่อที่ฉันพิมพ์"


def client_for(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_invalid_input_shows_an_error_and_saves_nothing(client, agencies, people):
    project = a_project(agencies["doae"], people, title="ชื่อเดิม")
    client.force_login(people["staff"])
    english(client)
    data = drop_empty_rows(form_data(client.get(f"/projects/{project.pk}/edit/")))
    data["title"] = ["ชื่อใหม่ที่ไม่ควรถูกบันทึก"]
    data["end_date"] = ["xx"]
    data["kpis-0-name"] = ["ตัวชี้วัดใหม่"]
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 200
    text = page_text(response)
    assert "Please correct the errors below; nothing was saved." in text
    assert "Enter the date as day/month/Buddhist year" in text
    end = next(i for i in dom(response).find_all("input") if i.attrs.get("name") == "end_date")
    assert end.attrs["value"] == "xx"
    project.refresh_from_db()
    assert (project.title, project.version) == ("ชื่อเดิม", 1)
    assert project.kpis.get().name == "กลุ่มเกษตรกรที่ได้รับการพัฒนา"
    assert project.end_date.isoformat() == "2025-09-30"


def test_saving_the_form_saves_the_change_and_keeps_the_rest(client, agencies, people):
    project = a_project(agencies["doae"], people, title="ชื่อเดิม")
    client.force_login(people["staff"])
    data = drop_empty_rows(form_data(client.get(f"/projects/{project.pk}/edit/")))
    data["title"] = ["ชื่อใหม่"]
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    project.refresh_from_db()
    assert (project.title, project.version) == ("ชื่อใหม่", 2)
    assert project.primary_link.node == node("030401")
    assert project.kpis.count() == 1 and project.activities.count() == 2
    assert project.submission_problems() == {}


def test_saving_the_form_as_a_browser_sends_it(client, agencies, people):
    project = a_project(agencies["doae"], people, title="ชื่อเดิม")
    client.force_login(people["staff"])
    data = form_data(client.get(f"/projects/{project.pk}/edit/"))  # blank rows included
    data["title"] = ["ชื่อใหม่"]
    # The untouched blank row: its year select starts blank, like its source and amount.
    assert data["budget_lines-1-fiscal_year"] == [""]
    assert data["budget_lines-1-source"] == [""] and data["budget_lines-1-amount"] == [""]
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert dom(response).find_all("td", "has-error") == []
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "ชื่อใหม่"


def test_changing_a_returned_project_needs_a_reason_and_is_recorded(client, agencies, people):
    project = a_project(agencies["doae"], people, Status.RETURNED, title="ชื่อก่อนถูกตีกลับ")
    client.force_login(people["staff"])
    english(client)
    page = client.get(f"/projects/{project.pk}/edit/")
    data = drop_empty_rows(form_data(page))
    assert "change_reason" in data
    data["title"] = ["ชื่อหลังแก้ไขตามข้อสังเกต"]
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 200
    assert "Say why you change this project." in page_text(response)
    project.refresh_from_db()
    assert project.title == "ชื่อก่อนถูกตีกลับ"

    data["change_reason"] = ["แก้ตามข้อสังเกตของผู้อนุมัติ"]
    response = client.post(f"/projects/{project.pk}/edit/", data, follow=True)
    project.refresh_from_db()
    assert project.title == "ชื่อหลังแก้ไขตามข้อสังเกต"
    text = page_text(response)
    assert "แก้ตามข้อสังเกตของผู้อนุมัติ" in text
    assert "ชื่อก่อนถูกตีกลับ" in text  # the previous value stays on record


def options(response, name: str) -> list[El]:
    selects = [s for s in dom(response).find_all("select") if s.attrs.get("name") == name]
    assert selects, f"no select {name}"
    return selects[0].find_all("option")


def test_link_options_cascade_in_the_fiscal_years_edition(client, agencies, people):
    client.force_login(people["staff"])
    mp03 = node("03")
    response = client.get("/projects/link-options/", {"fiscal_year": 2568, "master_plan": mp03.pk})
    assert response.status_code == 200
    assert len(re.findall(r"<option\b", response.content.decode())) < 100
    subs = [o for o in options(response, "sub_plan") if o.attrs.get("value")]
    assert sorted(o.text.split()[0] for o in subs) == ["0302", "0303", "0304", "0305", "0306"]
    expected = Node.objects.filter(edition__code="mp-2566", kind=Kind.SUB_PLAN, parent=mp03)
    assert {int(o.attrs["value"]) for o in subs} == set(expected.values_list("pk", flat=True))
    master = [o for o in options(response, "master_plan") if o.attrs.get("value")]
    selected = [o for o in master if "selected" in o.attrs]
    assert [int(o.attrs["value"]) for o in selected] == [mp03.pk]

    # Choosing the sub-plan offers its Y1 targets.
    sub = node("0304")
    response = client.get(
        "/projects/link-options/",
        {"fiscal_year": 2568, "master_plan": mp03.pk, "sub_plan": sub.pk},
    )
    y1 = [o.text.split()[0] for o in options(response, "y1") if o.attrs.get("value")]
    assert y1 == ["030401"]

    # FY 2566 is in the 2561 edition: other master-plan nodes, and the 2566 choice is dropped.
    older = client.get("/projects/link-options/", {"fiscal_year": 2566, "master_plan": mp03.pk})
    old_pks = {int(o.attrs["value"]) for o in options(older, "master_plan") if o.attrs.get("value")}
    new_pks = {int(o.attrs["value"]) for o in master}
    assert len(old_pks) == len(new_pks) == 23
    assert old_pks.isdisjoint(new_pks)
    assert old_pks == set(
        Node.objects.filter(edition__code="mp-2561", kind=Kind.MASTER_PLAN).values_list(
            "pk", flat=True
        )
    )
    assert [o for o in options(older, "sub_plan") if o.attrs.get("value")] == []
    assert len(re.findall(r"<option\b", older.content.decode())) < 100


# === 6. revisions =============================================================================


def test_revising_an_approved_project(client, agencies, people):
    approved = a_project(agencies["doae"], people, Status.APPROVED, title="โครงการที่อนุมัติแล้ว")
    client.force_login(people["staff"])
    page = client.get(approved.get_absolute_url())
    assert any(
        f.attrs.get("action") == f"/projects/{approved.pk}/revise/"
        for f in dom(page).find_all("form")
    )

    response = client.post(f"/projects/{approved.pk}/revise/", {"reason": "ปรับแผนตามงบประมาณที่ได้รับ"})
    revision = Project.objects.get(lineage=approved.lineage, revision=2)
    assert response.status_code == 302 and response.url == f"/projects/{revision.pk}/edit/"
    assert (revision.status, revision.is_current, revision.supersedes_id) == (
        Status.DRAFT,
        True,
        approved.pk,
    )
    assert revision.primary_link.node == node("030401") and revision.kpis.count() == 1
    approved.refresh_from_db()
    assert (approved.status, approved.is_current) == (Status.APPROVED, False)

    # The approved version stays readable at its address, marked as being revised.
    english(client)
    old_page = client.get(approved.get_absolute_url())
    assert old_page.status_code == 200
    assert "an approved version being revised" in page_text(old_page)
    assert dom(old_page).find("span", "status").classes >= {"status-approved"}
    assert not any("/revise/" in f.attrs.get("action", "") for f in dom(old_page).find_all("form"))
    assert links_to(old_page, revision.get_absolute_url())

    # The list shows the revision only.
    rows = dom(client.get("/projects/")).find("table", "projects").find("tbody").find_all("a")
    assert [a.attrs["href"] for a in rows] == [revision.get_absolute_url()]

    # A second revision of the replaced version is refused.
    client.post(f"/projects/{approved.pk}/revise/", {"reason": "อีกครั้ง"})
    assert Project.objects.filter(lineage=approved.lineage).count() == 2

    # The revision goes through approval again; both approved versions remain.
    for action, who in (
        (Action.SUBMIT, "staff"),
        (Action.APPROVE, "approver"),
        (Action.APPROVE, "ministry"),
    ):
        engine.perform(revision, action, people[who])
    lineage = Project.objects.filter(lineage=approved.lineage).order_by("revision")
    assert [(p.revision, p.status, p.is_current) for p in lineage] == [
        (1, Status.APPROVED, False),
        (2, Status.APPROVED, True),
    ]
    assert [
        a.attrs["href"]
        for a in dom(client.get("/projects/")).find("table", "projects").find("tbody").find_all("a")
    ] == [revision.get_absolute_url()]
    assert client.get(approved.get_absolute_url()).status_code == 200


def test_revision_needs_a_reason_and_a_staff_member(client, agencies, people):
    approved = a_project(agencies["doae"], people, Status.APPROVED)
    client.force_login(people["staff"])
    client.post(f"/projects/{approved.pk}/revise/", {"reason": "  "})
    client.force_login(people["approver"])
    client.post(f"/projects/{approved.pk}/revise/", {"reason": "ขอแก้ไข"})
    approved.refresh_from_db()
    assert approved.is_current
    assert Project.objects.filter(lineage=approved.lineage).count() == 1


def test_an_approved_project_under_revision_stays_in_the_analysts_list(client, agencies, people):
    approved = a_project(agencies["doae"], people, Status.APPROVED, title="โครงการที่อนุมัติแล้ว")
    client.force_login(people["analyst"])
    assert listed(client.get("/projects/")) == [approved.title]
    services.start_revision(approved, people["staff"], "ปรับแผน")
    assert client.get(approved.get_absolute_url()).status_code == 200
    assert listed(client.get("/projects/")) == [approved.title]


# === 7. inbox =================================================================================


def test_submission_lands_in_the_approvers_inbox(client, agencies, people):
    project = a_project(agencies["unit"], people, submitter="unit_staff", title=ELDERLY)
    client.force_login(people["unit_staff"])
    client.post(transition_url(project, "submit"), {"expected_version": project.version})
    assert status_of(project) == Status.SUBMITTED

    client.force_login(people["approver"])
    inbox = client.get("/inbox/")
    assert inbox.status_code == 200
    items = dom(inbox).find("ul", "inbox").find_all("li")
    assert len(items) == 1 and ELDERLY in items[0].text and "unread" in items[0].classes
    assert dom(inbox).find("a", "inbox-link").find("span", "count").text == "1"
    note = Notification.objects.get(recipient=people["approver"])
    form = items[0].find("form")
    assert form.attrs["action"] == f"/inbox/{note.pk}/open/"

    # Someone else cannot open (or mark read) this notification.
    client.force_login(people["rid_approver"])
    assert client.post(f"/inbox/{note.pk}/open/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None

    client.force_login(people["approver"])
    response = client.post(form.attrs["action"], follow=True)
    assert response.redirect_chain[-1][0] == project.get_absolute_url()
    assert response.status_code == 200 and ELDERLY in page_text(response)
    assert offered(response, project) == {"approve", "return"}
    note.refresh_from_db()
    assert note.read_at is not None
    inbox = client.get("/inbox/")
    assert dom(inbox).find("a", "inbox-link").find_all("span", "count") == []
    assert "unread" not in dom(inbox).find("ul", "inbox").find("li").classes

    # The submitter gets nothing for their own submission; the ministry nothing yet.
    assert not Notification.objects.filter(recipient=people["unit_staff"]).exists()
    assert not Notification.objects.filter(recipient=people["ministry"]).exists()


# === 8. a form posted twice ===================================================================


def test_the_new_project_form_posted_twice_creates_one_project(client, agencies, people):
    client.force_login(people["staff"])
    form_page = client.get("/projects/new/", follow=True)
    address = form_page.redirect_chain[0][0]  # the form's own address, with its token
    assert address.startswith("/projects/new/?form=")
    data = drop_empty_rows(form_data(form_page))
    data.update(agency=[str(agencies["doae"].pk)], fiscal_year=["2568"], title=[ELDERLY])
    first = client.post(address, data)
    again = client.post(address, data)  # the back button, or a second click
    project = Project.objects.get(title=ELDERLY)
    assert first.url == again.url == project.get_absolute_url()
    # Loading the form's address again (the back button, in a browser that does) shows the
    # project, not the form.
    back = client.get(address, follow=True)
    assert back.redirect_chain == [(project.get_absolute_url(), 302)]
    assert "แบบฟอร์มนี้บันทึกไปแล้ว นี่คือโครงการที่สร้างจากแบบฟอร์มนั้น" in page_text(back)
    # A new form (a fresh page) is a new project.
    data = drop_empty_rows(form_data(client.get("/projects/new/", follow=True)))
    data.update(agency=[str(agencies["doae"].pk)], fiscal_year=["2568"], title=[ELDERLY])
    client.post("/projects/new/", data)
    assert Project.objects.filter(title=ELDERLY).count() == 2


def test_a_form_address_passed_to_a_colleague_is_their_own_new_project(client, agencies, people):
    client.force_login(people["staff"])
    address = client.get("/projects/new/", follow=True).redirect_chain[0][0]
    data = drop_empty_rows(form_data(client.get(address)))
    data.update(agency=[str(agencies["doae"].pk)], fiscal_year=["2568"], title=[ELDERLY])
    client.post(address, data)
    # The unit's staff open the same address (pasted from a message) and save their project.
    client.force_login(people["unit_staff"])
    data = drop_empty_rows(form_data(client.get(address)))
    data.update(agency=[str(agencies["unit"].pk)], fiscal_year=["2568"], title=[ELDERLY])
    response = client.post(address, data)
    theirs = Project.objects.get(title=ELDERLY, agency=agencies["unit"])
    assert response.url == theirs.get_absolute_url()
    assert Project.objects.filter(title=ELDERLY).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_double_click_racing_itself_creates_one_project(shipped_strategy, agencies, people):
    """Two simultaneous posts of one form (two connections, as two gunicorn workers would)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    staff = people["staff"]
    data = drop_empty_rows(form_data(client_for(staff).get("/projects/new/", follow=True)))
    data.update(agency=[str(agencies["doae"].pk)], fiscal_year=["2568"], title=[ELDERLY])

    def post(_):
        try:
            return client_for(staff).post("/projects/new/", data).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(post, range(2)))
    assert codes == [302, 302]
    assert Project.objects.filter(title=ELDERLY).count() == 1
