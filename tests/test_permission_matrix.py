"""The permission matrix: every page of projects, Level-3 plans and progress reports, asked by
every role, about objects of the user's own agency, the one above it, a unit below it, a sibling
and a foreign ministry. Nothing a user may not see may answer anything but 404, appear in a list
or export, or change when posted to.

New URLs are walked automatically: a pattern whose arguments this test cannot fill fails the
test, so a new page is never silently left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.models import Agency, Membership
from core.states import Status
from plans.models import Plan
from progress import services as progress_services
from progress.models import ProgressReport
from projects.models import Project
from tests.factories import AgencyFactory, complete_project, member
from tests.plan_helpers import complete_plan
from tests.progress_fixtures import LATE

pytestmark = pytest.mark.django_db

R = Membership.Role
PLACES = ("parent", "own", "child", "sibling", "foreign")
# Who may see which agency's drafts, and which agency's submitted work (the specification).
SEES_DRAFTS = {
    "staff": {"own", "child"},
    "approver": {"own", "child"},
    "ministry": {"parent", "own", "child", "sibling"},
    "analyst": set(),
    "admin": set(),
    "foreign_staff": {"foreign"},
}
SEES_SUBMITTED = {
    **SEES_DRAFTS,
    "analyst": set(PLACES),
    "admin": set(PLACES),
}
# URL arguments this test does not fill (each has its own tests): files of an object.
UNFILLED = {"attachment_id", "link_pk"}
ACTIONS = ("submit", "approve", "return", "withdraw")


@dataclass
class Thing:
    """An object a page shows, where it lives and whether it is a draft."""

    obj: object
    place: str
    draft: bool

    @property
    def title(self) -> str:
        return self.obj.title if hasattr(self.obj, "title") else str(self.obj)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    K = Agency.Kind
    parent = AgencyFactory(code="P07", name_th="กระทรวงทดสอบ", kind=K.MINISTRY)
    agencies = {
        "parent": parent,
        "own": AgencyFactory(code="P07001", name_th="กรมของฉัน", parent=parent),
        "sibling": AgencyFactory(code="P07002", name_th="กรมข้างเคียง", parent=parent),
        "foreign": AgencyFactory(code="P21001", name_th="กรมต่างกระทรวง",
                                 parent=AgencyFactory(code="P21", kind=K.MINISTRY)),
    }  # fmt: skip
    agencies["child"] = AgencyFactory(
        code="P07001001", name_th="กองของฉัน", parent=agencies["own"], kind=K.UNIT
    )
    central = AgencyFactory(code="P01010", name_th="ส่วนกลาง")
    users = {
        "staff": member(R.STAFF, agencies["own"]),
        "approver": member(R.AGENCY_APPROVER, agencies["own"]),
        "ministry": member(R.MINISTRY_APPROVER, parent),
        "analyst": member(R.ANALYST, central),
        "admin": member(R.ADMIN, central),
        "foreign_staff": member(R.STAFF, agencies["foreign"]),
    }
    things: list[Thing] = []
    for place, agency in agencies.items():
        writer = member(R.STAFF, agency)
        title = f"งานลับ {agency.code}"
        draft = complete_project(agency=agency, created_by=writer, title=f"{title} ร่างโครงการ")
        submitted = complete_project(agency=agency, created_by=writer, title=f"{title} ส่งแล้ว")
        Project.objects.filter(pk=submitted.pk).update(status=Status.SUBMITTED, submitted_by=writer)
        approved = complete_project(agency=agency, created_by=writer, title=f"{title} อนุมัติ")
        Project.objects.filter(pk=approved.pk).update(status=Status.APPROVED, submitted_by=writer)
        approved.refresh_from_db()
        report = progress_services.start_report(approved, writer, "quarterly", 2568, 1, today=LATE)
        plan = complete_plan(agency, writer, title=f"{title} ร่างแผน")
        things += [
            Thing(draft, place, True),
            Thing(Project.objects.get(pk=submitted.pk), place, False),
            Thing(approved, place, False),
            Thing(report, place, True),
            Thing(plan, place, True),
        ]
    return users, things


def visible(who: str, thing: Thing) -> bool:
    return thing.place in (SEES_DRAFTS if thing.draft else SEES_SUBMITTED)[who]


def patterns(namespace: str) -> list[URLPattern]:
    resolver = next(
        r
        for r in get_resolver().url_patterns
        if isinstance(r, URLResolver) and r.namespace == namespace
    )
    return [p for p in resolver.url_patterns if isinstance(p, URLPattern)]


# linkage: the rubric review of a project (POST only) is walked with the project's pages.
MODEL_OF = {"projects": Project, "plans": Plan, "progress": ProgressReport, "linkage": Project}


def urls_about(thing: Thing) -> list[str]:
    """Every URL of the object's own app (and the project-level ones of other apps)."""
    found = []
    for namespace, model in MODEL_OF.items():
        for pattern in patterns(namespace):
            names = set(pattern.pattern.converters)
            if not names or names & UNFILLED:
                continue
            unknown = names - {"pk", "project_pk", "action"}
            assert not unknown, f"{namespace}:{pattern.name} takes {unknown}: teach this test"
            if "pk" in names and not isinstance(thing.obj, model):
                continue
            if "project_pk" in names and not isinstance(thing.obj, Project):
                continue
            key = "pk" if "pk" in names else "project_pk"
            for action in ACTIONS if "action" in names else [None]:
                kwargs = {key: thing.obj.pk, **({"action": action} if action else {})}
                found.append(reverse(f"{namespace}:{pattern.name}", kwargs=kwargs))
    return found


def state(thing: Thing) -> tuple:
    fresh = type(thing.obj).objects.get(pk=thing.obj.pk)
    return (fresh.status, fresh.version, getattr(fresh, "title", ""))


@pytest.mark.parametrize("who", list(SEES_DRAFTS))
def test_no_page_answers_about_what_the_user_may_not_see(client, world, who):
    users, things = world
    client.force_login(users[who])
    hidden = [t for t in things if not visible(who, t)]
    assert hidden, "every role has something it may not see"
    for thing in hidden:
        before = state(thing)
        for url in urls_about(thing):
            got = client.get(url)
            assert got.status_code in (404, 405), f"GET {url} as {who}: {got.status_code}"
            posted = client.post(url, {"comment": "แก้ไขโดยไม่มีสิทธิ์", "title": "ถูกแก้",
                                       "reason": "ขอแก้", "kind": "quarterly",
                                       "fiscal_year": "2568", "quarter": "2"})  # fmt: skip
            assert posted.status_code == 404, f"POST {url} as {who}: {posted.status_code}"
        assert state(thing) == before, f"{thing.title} changed by {who}"


@pytest.mark.parametrize("who", list(SEES_DRAFTS))
def test_lists_queues_and_exports_hold_only_what_the_user_may_see(client, world, who):
    users, things = world
    client.force_login(users[who])
    pages = [
        reverse(f"{namespace}:{p.name}")
        for namespace in MODEL_OF
        for p in patterns(namespace)
        if not p.pattern.converters and p.name in ("list", "queue")
    ]
    pages += [f"{url}?export={fmt}" for url in pages for fmt in ("csv", "xlsx")]
    pages += [
        reverse("home"),
        reverse("workflow:inbox"),
        reverse("linkage:duplicates"),
        f"{reverse('linkage:duplicates')}?fiscal_year=2568&threshold=0.05",
    ]
    hidden = [t.title for t in things if not visible(who, t)]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), f"{url} as {who}: {response.status_code}"
        body = response.content.decode("utf-8", errors="replace")
        if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
            body = _xlsx_text(response.content)
        leaked = [title for title in hidden if title in body]
        assert leaked == [], f"{url} shows {who} {leaked}"


def test_the_visible_pages_do_answer(client, world):
    """The other half: the matrix is not passed by answering 404 to everybody."""
    users, things = world
    for who in ("staff", "ministry", "analyst"):
        client.force_login(users[who])
        for thing in things:
            if visible(who, thing):
                url = thing.obj.get_absolute_url()
                assert client.get(url).status_code == 200, f"{url} as {who}"


def _xlsx_text(content: bytes) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


# --- the same objects through the API (its own table, tests/test_api_permissions.py, covers
# every operation for one agency pair; here: list and detail for every role and place) -------

API_BASENAME = {Project: "project", Plan: "plan", ProgressReport: "progress-report"}


def api_detail(thing: Thing) -> str:
    return reverse(f"v1:{API_BASENAME[type(thing.obj)]}-detail", kwargs={"pk": thing.obj.pk})


def api_ids(client, model, name: str) -> set[int]:
    """The ids every page of an API list holds."""
    url, ids = reverse(f"v1:{API_BASENAME[model]}-{name}") + "?page_size=100", set()
    while url:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        data = response.json()
        ids |= {row["id"] for row in data["results"]}
        url = data.get("next")
    return ids


@pytest.mark.parametrize("who", list(SEES_DRAFTS))
def test_the_api_answers_404_about_what_the_user_may_not_see(client, world, who):
    users, things = world
    client.force_login(users[who])
    for thing in things:
        response = client.get(api_detail(thing))
        if visible(who, thing):
            assert response.status_code == 200, f"{api_detail(thing)} as {who}"
        else:
            assert response.status_code == 404, f"{api_detail(thing)} as {who}: leaks"
            assert thing.title not in response.content.decode()


@pytest.mark.parametrize("who", list(SEES_DRAFTS))
def test_the_api_lists_hold_only_what_the_user_may_see(client, world, who):
    users, things = world
    client.force_login(users[who])
    for model in API_BASENAME:
        ours = {t.obj.pk: t for t in things if isinstance(t.obj, model)}
        listed = api_ids(client, model, "list") & set(ours)
        leaked = [ours[pk].title for pk in listed if not visible(who, ours[pk])]
        assert leaked == [], f"the {model.__name__} API list shows {who} {leaked}"
        # Not passed by listing nothing: what the user may see is there.
        assert listed == {pk for pk, t in ours.items() if visible(who, t)}, (model, who)
        queued = api_ids(client, model, "queue") & set(ours)
        assert all(visible(who, ours[pk]) for pk in queued), f"{model.__name__} queue, {who}"
