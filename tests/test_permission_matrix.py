"""The permission matrix: every page and API endpoint, asked by every role, about objects of the
user's own agency, the one above it, a unit below it, a sibling and a foreign ministry (and
about objects that belong to one person: report jobs, notifications, API tokens). Nothing a
user may not see may answer anything but 404, appear in a list, export or dashboard, or change
when posted to; what the user may see does answer.

Every URL pattern of the project is in one of the tables below (``OBJECT_URLS``: walked for
every object; ``PAGES`` and ``ACTS``: walked by every role; ``PUBLIC``: the strategy
hierarchy; ``NOT_OBJECT_SCOPED``: why not) or left out by ``OUTSIDE``;
``test_every_url_is_walked_or_said_why_not`` fails on a new one, so a new page is never
silently left out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from agencies import access
from agencies.models import Agency, Membership
from api.models import ApiToken
from checks.models import Finding
from core.states import Status
from linkage.models import RubricReview
from plans.models import Plan, ProjectPlanLink
from progress import services as progress_services
from progress.models import ProgressReport, ReportAttachment
from projects import services as project_services
from projects.models import Attachment, Project
from reports.models import ReportJob
from strategy.models import Node
from tests.factories import AgencyFactory, complete_project, member
from tests.plan_helpers import PDF, complete_plan
from tests.progress_fixtures import LATE
from workflow import engine
from workflow.models import Notification, ReviewEvent

pytestmark = pytest.mark.django_db

R = Membership.Role
PLACES = ("parent", "own", "child", "sibling", "foreign")
# Who may see which agency's drafts, and which agency's submitted work (the specification).
SEES_DRAFTS = {
    "anonymous": set(),
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
# A submitted Level-3 plan is read also by the people of the agencies below it (their projects
# serve it): the places above each role's own agency.
SEES_PLANS_ABOVE = {"staff": {"parent"}, "approver": {"parent"}}
# The places whose projects an agency's dashboard counts (the agency and the units below it).
SUBTREE = {"parent": {"parent", "own", "child", "sibling"}, "own": {"own", "child"},
           "child": {"child"}, "sibling": {"sibling"}, "foreign": {"foreign"}}  # fmt: skip
ROLES = list(SEES_DRAFTS)
ACTIONS = ("submit", "approve", "return", "withdraw")

# Every URL about one object, by the kind of object its arguments name. ``attachment_id`` and
# ``link_pk`` come from the object's parts (its attachment, its link to a plan).
OBJECT_URLS: dict[type, tuple[str, ...]] = {
    Project: (
        "projects:detail", "projects:edit", "projects:revise", "projects:attachment_upload",
        "projects:attachment", "projects:attachment_delete", "projects:transition",
        "plans:project", "plans:project_unlink", "progress:start", "reports:project_form",
        "linkage:rubric_review",
        "v1:project-detail", "v1:project-approve", "v1:project-return", "v1:project-submit",
        "v1:project-withdraw", "v1:project-revise", "v1:project-linkage",
        "v1:project-attachments", "v1:project-attachment",
    ),
    Plan: (
        "plans:detail", "plans:edit", "plans:document", "plans:transition",
        "v1:plan-detail", "v1:plan-approve", "v1:plan-return", "v1:plan-submit",
        "v1:plan-withdraw", "v1:plan-document",
    ),
    ProgressReport: (
        "progress:detail", "progress:edit", "progress:attachment_upload", "progress:attachment",
        "progress:attachment_delete", "progress:transition",
        "v1:progress-report-detail", "v1:progress-report-approve", "v1:progress-report-return",
        "v1:progress-report-submit", "v1:progress-report-withdraw",
        "v1:progress-report-attachments", "v1:progress-report-attachment",
    ),
    ReportJob: (
        "reports:detail", "reports:progress", "reports:download", "reports:retry",
        "v1:report-job-detail", "v1:report-job-download", "v1:report-job-retry",
    ),
    Agency: ("dashboards:agency", "v1:agency-detail"),
    Notification: ("workflow:open",),
    ApiToken: ("api_token_revoke",),
}  # fmt: skip
PARTS = ("attachment_id", "link_pk")
# Pages without an object: every role opens each (with these query strings) and finds nothing
# it may not see. The API's lists are compared id by id (``API_LISTS``).
EXPORTS = ("", "?export=csv", "?export=xlsx")
PAGES: dict[str, tuple[str, ...]] = {
    "home": ("",),
    "projects:list": EXPORTS,
    "projects:queue": EXPORTS,
    "projects:create": ("",),
    "projects:link_options": ("",),
    "plans:list": EXPORTS,
    "plans:queue": EXPORTS,
    "plans:create": ("",),
    "plans:import": ("",),
    "plans:import_template": ("",),
    "progress:list": EXPORTS,
    "reports:list": ("",),
    "dashboards:home": ("", "?fiscal_year=2568"),
    "dashboards:projects": EXPORTS,
    "workflow:inbox": ("",),
    "linkage:gaps": ("", "?fiscal_year=2568"),
    "linkage:duplicates": ("", "?fiscal_year=2568&threshold=0.05"),
    "checks:to_fix": EXPORTS,
    "api_tokens": ("",),
    "v1:me": ("",),
}
# Posted to by every role, without an object: they act on the user's own things only.
ACTS = ("workflow:read_all", "checks:run")
API_LISTS: dict[type, str] = {
    Project: "v1:project-list", Plan: "v1:plan-list", ProgressReport: "v1:progress-report-list",
    ReportJob: "v1:report-job-list", Agency: "v1:agency-list",
}  # fmt: skip
API_QUEUES: dict[type, str] = {
    Project: "v1:project-queue", Plan: "v1:plan-queue", ProgressReport: "v1:progress-report-queue",
}  # fmt: skip
# The strategy hierarchy (public reference data), by the argument each URL takes.
PUBLIC = {"strategy:editions": None, "strategy:search": None, "strategy:edition": "code",
          "strategy:node": "pk", "v1:edition-list": None, "v1:edition-detail": "code",
          "v1:edition-tree": "code", "v1:node-list": None, "v1:node-detail": "pk"}  # fmt: skip
# Not walked here, and why.
NOT_OBJECT_SCOPED: dict[str, str] = {
    "linkage:suggest": "strategy targets for the text typed; an agency's history is a prior "
    "only where the user enters data (access.can_create_in)",
    "v1:linkage-suggest": "as linkage:suggest",
    "v1:project-bulk": "creates in the caller's entry agencies only (test_api_permissions.py)",
}
# Outside the matrix: Django's admin, sign-in and password pages, the API's schema and docs,
# the health check and the language switch.
OUTSIDE = (
    "admin:", "login", "logout", "password_change", "password_change_done", "api-schema",
    "api-docs", "api-redoc", "healthz", "set_language",
)  # fmt: skip


@dataclass
class Thing:
    """An object the pages show, where it lives, whether it is a draft, whose it is (report
    jobs, notifications and tokens are one user's), the URL arguments of its parts, and the
    text that must not appear where it is hidden."""

    obj: models.Model
    place: str
    draft: bool = False
    owner: str | None = None
    parts: dict[str, int] = field(default_factory=dict)
    secret: str = ""
    seen_from_below: bool = False


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("เอกสาร.pdf", PDF, "application/pdf")


def _job(owner, title: str) -> ReportJob:
    tomorrow = timezone.now() + timedelta(days=1)
    job = ReportJob.objects.create(owner=owner, report="portfolio", format="csv", title=title,
                                   state="done", expires_at=tomorrow,
                                   scope=access.report_scope(owner))  # as built  # fmt: skip
    job.file.save("portfolio.csv", ContentFile(f"{title}\n".encode()))
    return job


def _personal(user, who: str, label: str) -> list[Thing]:
    """A finished report job, a notification and an API token of ``user``."""
    project = Project.objects.filter(agency__memberships__user=user).first()
    event = engine.record(project or Project.objects.first(), "create", user)
    note = Notification.objects.create(
        recipient=user, event=event, content_type=event.content_type, object_id=event.object_id,
        message=f"แจ้งเตือนลับ {label}", url="/",
    )  # fmt: skip
    token, _key = ApiToken.issue(user, f"โทเค็นลับ {label}")
    return [
        Thing(_job(user, f"รายงานลับ {label}"), "", owner=who, secret=f"รายงานลับ {label}"),
        Thing(note, "", owner=who, secret=f"แจ้งเตือนลับ {label}"),
        Thing(token, "", owner=who, secret=f"โทเค็นลับ {label}"),
    ]


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A report job a walk started would be queued after the test's transaction.
    monkeypatch.setattr("reports.services._queue", lambda job: None)
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
    now = timezone.now()
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
        plan_submitted = complete_plan(agency, writer, title=f"{title} แผนส่งแล้ว")
        engine.perform(plan_submitted, "submit", writer)
        attachment = project_services.add_attachment(draft, writer, _pdf())
        report_attachment = progress_services.add_attachment(report, writer, _pdf())
        link = ProjectPlanLink.objects.create(
            lineage=draft.lineage, plan=plan, project=draft, created_by=writer
        )
        for project in (draft, submitted, approved):
            Finding.objects.create(project=project, agency=agency, code="no_primary_link",
                                   severity="error", first_seen=now, last_seen=now)  # fmt: skip
        submitted = Project.objects.get(pk=submitted.pk)
        things += [
            Thing(draft, place, True, parts={"attachment_id": attachment.pk, "link_pk": link.pk},
                  secret=draft.title),
            Thing(submitted, place, secret=submitted.title),
            Thing(approved, place, secret=approved.title),
            Thing(report, place, True, parts={"attachment_id": report_attachment.pk},
                  secret=str(report)),
            Thing(plan, place, True, secret=plan.title),
            Thing(Plan.objects.get(pk=plan_submitted.pk), place, secret=plan_submitted.title,
                  seen_from_below=True),
            Thing(agency, place),
            *_personal(writer, f"writer in {place}", agency.code),
        ]  # fmt: skip
    for who, user in users.items():
        things += _personal(user, who, who)
    return users, agencies, things


def visible(who: str, thing: Thing) -> bool:
    if thing.owner is not None:
        return thing.owner == who
    if thing.seen_from_below and thing.place in SEES_PLANS_ABOVE.get(who, ()):
        return True
    return thing.place in (SEES_DRAFTS if thing.draft else SEES_SUBMITTED)[who]


def may_change(who: str, thing: Thing) -> bool:
    """Whether the role may change the object at all (the walk does not ask which change):
    staff in their subtree; approvers there once it is submitted; owners their own things;
    analysts and administrators never (no silent edit of agency data)."""
    if thing.owner is not None:
        return thing.owner == who
    if isinstance(thing.obj, Agency) or thing.place not in SEES_DRAFTS[who]:
        return False
    return who in ("staff", "foreign_staff") or (
        who in ("approver", "ministry") and not thing.draft
    )


def projects_seen(who: str, things: list[Thing], places: set[str]) -> list[Thing]:
    return [t for t in things if isinstance(t.obj, Project) and t.place in places
            and visible(who, t)]  # fmt: skip


def _patterns(resolvers=None, namespace: str = ""):
    """(name with its namespace, argument names) of every URL pattern."""
    for p in get_resolver().url_patterns if resolvers is None else resolvers:
        if isinstance(p, URLResolver):
            inner = ":".join(x for x in (namespace, p.namespace) if x) if p.namespace else namespace
            yield from _patterns(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            args = set(p.pattern.converters) or set(p.pattern.regex.groupindex) - {"format"}
            yield (f"{namespace}:{p.name}" if namespace else p.name), args


@cache
def arguments() -> dict[str, frozenset[str]]:
    return {name: frozenset(args) for name, args in _patterns()}


def urls_about(
    thing: Thing, pk: int | None = None, actions: tuple[str, ...] = ACTIONS
) -> list[tuple[str, str]]:
    """(name, URL) of every URL about the object (each workflow action once; parts it lacks
    left out). With ``pk``: the URLs of the object ``pk`` naming this object's parts."""
    found = []
    for name in OBJECT_URLS[type(thing.obj)]:
        names = arguments()[name]
        if not names <= {"pk", "project_pk", "action", *thing.parts}:
            continue  # the object has no such part (only drafts carry an attachment, a link)
        if pk is not None and not names & set(PARTS):
            continue
        kwargs = {k: v for k, v in thing.parts.items() if k in names}
        kwargs["pk" if "pk" in names else "project_pk"] = pk or thing.obj.pk
        for action in actions if "action" in names else [None]:
            url = reverse(name, kwargs={**kwargs, **({"action": action} if action else {})})
            found.append((name, url))
    return found


def methods(url: str) -> list[str]:
    """GET and POST for a page; for an API route, the methods it takes (the others answer 405
    before any object is looked up)."""
    actions = getattr(resolve(url).func, "actions", None)
    return ["get", "post"] if actions is None else sorted(set(actions) - {"head", "options"})


# What each walk posts: enough to change the object if the policy let it.
BODY = {"comment": "แก้ไขโดยไม่มีสิทธิ์", "title": "ถูกแก้", "reason": "ขอแก้",
        "kind": "quarterly", "fiscal_year": "2568", "quarter": "2", "version": "1",
        "criterion": "necessity", "score": "1"}  # fmt: skip
WATCHED = (Project, Plan, ProgressReport, ReportJob, Notification, ApiToken, Attachment,
           ReportAttachment, ProjectPlanLink, Finding, ReviewEvent, RubricReview, Agency,
           Membership)  # fmt: skip


def snapshot(user=None) -> dict:
    """Every row of the tables a walk could change, but ``user``'s notifications and report
    jobs (marking one's own read, starting a report are allowed)."""
    rows = {m.__name__: m.objects.order_by("pk") for m in WATCHED}
    rows["Notification"] = rows["Notification"].exclude(recipient=user)
    rows["ReportJob"] = rows["ReportJob"].exclude(owner=user)
    return {name: list(qs.values()) for name, qs in rows.items()}


def _request(client, method: str, url: str):
    if method == "get":
        return client.get(url)
    if method == "post":
        return client.post(url, {**BODY, "file": _pdf()})
    return getattr(client, method)(url, BODY, content_type="application/json")


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                        for c in row)  # fmt: skip
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def _refused(who: str, url: str, method: str, response) -> bool:
    """A refusal that says nothing: 404 (405 where the route takes no such method at all);
    the sign-in page, or 401/403 from the API, for the anonymous."""
    code = response.status_code
    if who == "anonymous":
        if url.startswith("/api/"):
            return code in (401, 403)
        return code == 302 and response["Location"].startswith(reverse("login"))
    return code == 404 or (code == 405 and (method != "post" or url.startswith("/api/")))


@pytest.mark.parametrize("who", ROLES)
def test_the_permission_matrix(client, world, who, monkeypatch):
    users, agencies, things = world
    user = users.get(who)
    if user:
        client.force_login(user)
    hidden = [t for t in things if not visible(who, t)]
    secrets = [t.secret for t in hidden if t.secret]
    wrong: list[str] = []

    # 1. Nothing about a hidden object answers, and nothing posted changes anything.
    before = snapshot(user)
    walked, expected = set(), set()
    for thing in hidden:
        if thing.owner in SEES_DRAFTS:
            continue  # another role's own things: the writers' stand for them
        expected |= set(OBJECT_URLS[type(thing.obj)])
        # One action of a page's transition URL: the object is looked up before the action.
        for name, url in urls_about(thing, actions=("approve",)):
            walked.add(name)
            for method in methods(url):
                response = _request(client, method, url)
                if not _refused(who, url, method, response):
                    wrong.append(f"{method.upper()} {url}: {response.status_code}")
    # Nor a hidden object's attachment or link asked for under an object the user may see:
    # the answer is the one about a part that does not exist.
    carriers = {type(t.obj): t.obj.pk for t in things if visible(who, t) and t.parts}
    for thing in hidden:
        if thing.parts and type(thing.obj) in carriers:
            pk = carriers[type(thing.obj)]
            nowhere = Thing(thing.obj, "", parts=dict.fromkeys(thing.parts, 0))
            for (_name, url), (_, absent) in zip(
                urls_about(thing, pk), urls_about(nowhere, pk), strict=True
            ):
                for method in methods(url):
                    code = _request(client, method, url).status_code
                    if code not in (403, 404, 405) or code != (
                        _request(client, method, absent).status_code
                    ):
                        wrong.append(f"{method.upper()} {url}: {code}")
    queued: list[list[int]] = []
    monkeypatch.setattr("checks.views.enqueue", lambda task, **kw: queued.append(kw["agency_ids"]))
    for name in ACTS:
        client.post(reverse(name))
    assert wrong == [], f"{who} reaches what it may not see:\n" + "\n".join(wrong)
    assert walked == expected, "every URL of a hidden object's kind is walked"
    assert snapshot(user) == before, f"a walk by {who} changed something"
    assert not Notification.objects.filter(recipient=user, read_at=None).exists()
    # The checks run for the agencies whose drafts the user works on, and no others.
    sees = {agencies[p].pk for p in SEES_DRAFTS[who]}
    assert queued == ([sorted(sees)] if sees else []), queued

    # 2. No page, list, export or dashboard shows a hidden object.
    agency_pages = [reverse("dashboards:agency", kwargs={"pk": a.pk}) for a in agencies.values()]
    for url in [reverse(name) + query for name, queries in PAGES.items() for query in queries]:
        response = client.get(url)
        if who == "anonymous":
            if not _refused(who, url, "get", response):
                wrong.append(f"{url} answers the anonymous: {response.status_code}")
            continue
        location = response.get("Location", "") if response.status_code == 302 else ""
        if location in agency_pages or location.startswith(f"{url}?form="):
            # A member's dashboard; a new form's own address (core.once: its token).
            response = client.get(location)
        if response.status_code not in (200, 403):
            wrong.append(f"{url}: {response.status_code}")
        # The national dashboard, or a member's first agency (here above all they see).
        if url == reverse("dashboards:home") + "?fiscal_year=2568" and response.status_code == 200:
            counted = response.context["d"]["total"].count
            if counted != len(projects_seen(who, things, set(PLACES))):
                wrong.append(f"{url} counts {counted} projects")
        leaked = [s for s in secrets if s in _text(response)]
        if leaked:
            wrong.append(f"{url} shows {leaked}")
    assert wrong == [], f"as {who}:\n" + "\n".join(wrong)
    if who == "anonymous":
        return

    # 3. The other half: what the user may see does answer, and shows nothing hidden.
    for thing in things:
        if not visible(who, thing):
            continue
        for name, url in urls_about(thing):
            if "get" not in methods(url):
                continue
            response = client.get(url)
            if response.status_code not in (200, 302, 405):
                wrong.append(f"GET {url}: {response.status_code} (may see)")
            if name == "dashboards:agency":  # its figures count only what the user may see
                counted = response.context["d"]["total"].count
                if counted != len(projects_seen(who, things, SUBTREE[thing.place])):
                    wrong.append(f"{url} counts {counted} projects")
            leaked = [s for s in secrets if s in _text(response)]
            if leaked:
                wrong.append(f"{url} shows {leaked}")
    assert wrong == [], f"as {who}:\n" + "\n".join(wrong)
    # Nor does anything change what the user may see but not change.
    before = snapshot(user)
    for thing in things:
        if visible(who, thing) and not may_change(who, thing):
            for _name, url in urls_about(thing):
                for method in set(methods(url)) - {"get"}:
                    _request(client, method, url)
    assert snapshot(user) == before, f"{who} changed what it may only see"

    # 4. The API's lists hold exactly what the user may see of ours; queues nothing more.
    for model, name in API_LISTS.items():
        ours = {t.obj.pk: t for t in things if isinstance(t.obj, model)}
        listed = api_ids(client, name) & set(ours)
        assert listed == {pk for pk, t in ours.items() if visible(who, t)}, (model, who)
        if model in API_QUEUES:
            queued_ids = api_ids(client, API_QUEUES[model]) & set(ours)
            assert all(visible(who, ours[pk]) for pk in queued_ids), (model, who)


def api_ids(client, name: str) -> set[int]:
    """The ids every page of an API list holds."""
    url, ids = reverse(name) + "?page_size=100", set()
    while url:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        data = response.json()
        ids |= {row["id"] for row in data["results"]}
        url = data.get("next")
    return ids


def test_the_strategy_hierarchy_needs_a_login_and_nothing_else(client):
    """The shipped hierarchy is public reference data: every signed-in user reads it, whatever
    their role or agency; the anonymous are sent to sign in."""
    values = {"code": "mp-2566", "pk": Node.objects.filter(edition__code="mp-2566").first().pk}
    urls = [reverse(name, kwargs={arg: values[arg]} if arg else {}) for name, arg in PUBLIC.items()]
    for url in urls:
        assert client.get(url).status_code in (302, 401, 403), url
    client.force_login(member(R.STAFF, AgencyFactory()))
    for url in urls:
        query = {"q": "เกษตร"} if url == reverse("strategy:search") else {}
        assert client.get(url, query).status_code == 200, url


def test_every_url_is_walked_or_said_why_not():
    walked = {name for names in OBJECT_URLS.values() for name in names}
    named = walked | set(PAGES) | set(ACTS) | set(NOT_OBJECT_SCOPED) | set(PUBLIC)
    named |= set(API_LISTS.values()) | set(API_QUEUES.values())
    found = {name for name in arguments() if not name.startswith(OUTSIDE)}
    assert found - named == set(), "a URL the matrix does not walk: add it to a table"
    assert named - found == set(), "a table names a URL that is gone"
    # The walk fills every argument of an object's URLs.
    for name in walked:
        assert arguments()[name] <= {"pk", "project_pk", "action", *PARTS}, name
