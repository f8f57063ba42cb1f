"""Kept pages (core/pagecache.py): a page loaded again comes from the cache, but never after
the data behind it changed, never to another user, never with someone else's messages, and
pages still work when the cache (Redis) is down. Runs against the real Redis of the suite."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from agencies.models import Membership
from core import pagecache
from core.states import Status
from projects.models import Project
from tests.factories import complete_project, member
from workflow import engine

R = Membership.Role
pytestmark = pytest.mark.page_cache


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Connections made before this test (the suite's) must watch writes too.
    pagecache.install(connection=connection)


def signed_in(client, user):
    """A browser's state once signed in: the session and the CSRF cookie of its first page."""
    client.force_login(user)
    client.get("/projects/")
    assert "csrftoken" in client.cookies
    return client


def kept(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


def test_a_page_seen_again_comes_from_the_cache_until_its_project_changes(client, agencies):
    staff = member(R.STAFF, agencies["doae"])
    project = complete_project(agency=agencies["doae"], created_by=staff, title="ร่างโครงการเดิม")
    signed_in(client, staff)

    first = client.get(f"/projects/{project.pk}/")
    again = client.get(f"/projects/{project.pk}/")
    assert not kept(first) and kept(again)
    assert again.content == first.content
    assert "ร่างโครงการเดิม" in again.content.decode()

    Project.objects.filter(pk=project.pk).update(title="ชื่อโครงการที่แก้แล้ว")
    after = client.get(f"/projects/{project.pk}/")
    assert not kept(after)
    assert "ชื่อโครงการที่แก้แล้ว" in after.content.decode()
    listed = client.get("/projects/").content.decode()
    assert "ชื่อโครงการที่แก้แล้ว" in listed and "ร่างโครงการเดิม" not in listed


def test_a_users_kept_page_is_never_served_to_another_agency(client, agencies):
    from django.test import Client

    staff = member(R.STAFF, agencies["doae"])
    other = member(R.STAFF, agencies["doh"])
    complete_project(agency=agencies["doae"], created_by=staff, title="ร่างของกรมส่งเสริมการเกษตร")
    signed_in(client, staff)
    client.get("/projects/")
    assert kept(client.get("/projects/"))

    theirs = signed_in(Client(), other)
    for _ in range(2):
        page = theirs.get("/projects/")
        assert page.status_code == 200
        assert "ร่างของกรมส่งเสริมการเกษตร" not in page.content.decode()
    api = [theirs.get("/api/v1/projects/") for _ in range(2)]
    assert kept(api[1])
    assert api[1].json() == api[0].json() and api[1].json()["count"] == 0


def test_the_api_list_is_kept_for_its_session_too(client, agencies):
    staff = member(R.STAFF, agencies["doae"])
    project = complete_project(agency=agencies["doae"], created_by=staff, title="โครงการในรายการ")
    signed_in(client, staff)
    first, again = client.get("/api/v1/projects/"), client.get("/api/v1/projects/")
    assert kept(again) and again.json() == first.json()
    Project.objects.filter(pk=project.pk).update(title="โครงการที่เปลี่ยนชื่อ")
    assert client.get("/api/v1/projects/").json()["results"][0]["title"] == "โครงการที่เปลี่ยนชื่อ"


def test_a_message_shows_once_and_the_page_after_it_is_current(client, agencies):
    staff = member(R.STAFF, agencies["doae"])
    project = complete_project(agency=agencies["doae"], created_by=staff)
    signed_in(client, staff)
    client.get(f"/projects/{project.pk}/")
    assert kept(client.get(f"/projects/{project.pk}/"))

    submit = {"comment": "", "expected_version": project.version}
    response = client.post(f"/projects/{project.pk}/submit/", submit, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert response.status_code == 200 and not kept(response) and shown
    assert all(text in response.content.decode() for text in shown)
    project.refresh_from_db()
    assert project.status == Status.SUBMITTED

    later = [client.get(f"/projects/{project.pk}/") for _ in range(2)]
    assert not kept(later[0]) and kept(later[1])
    for page in later:
        assert 'class="messages"' not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_page_read_while_another_transaction_commits_is_not_kept_after_it(
    client, agencies, shipped_strategy
):
    """Pages built while another transaction holds an uncommitted change show the old data
    and are kept; the commit retires them."""
    staff = member(R.STAFF, agencies["doae"])
    project = complete_project(agency=agencies["doae"], created_by=staff, title="ชื่อก่อนบันทึก")
    signed_in(client, staff)
    written, commit = threading.Event(), threading.Event()

    def save_elsewhere():
        try:
            with transaction.atomic():
                Project.objects.filter(pk=project.pk).update(title="ชื่อหลังบันทึก")
                written.set()
                commit.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=save_elsewhere)
    other.start()
    assert written.wait(10)
    during = [client.get(f"/projects/{project.pk}/") for _ in range(2)]
    assert kept(during[1]) and "ชื่อก่อนบันทึก" in during[1].content.decode()
    commit.set()
    other.join(10)

    after = client.get(f"/projects/{project.pk}/")
    assert not kept(after) and "ชื่อหลังบันทึก" in after.content.decode()


def test_pages_work_and_writes_go_through_when_the_cache_is_down(client, agencies, settings):
    staff = member(R.STAFF, agencies["doae"])
    project = complete_project(
        agency=agencies["doae"], created_by=staff, title="โครงการระหว่างแคชล่ม"
    )
    signed_in(client, staff)
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}  # fmt: skip
    try:
        for _ in range(2):
            page = client.get("/projects/")
            assert page.status_code == 200 and not kept(page)
            assert "โครงการระหว่างแคชล่ม" in page.content.decode()
        engine.perform(project, "submit", staff, "")
        assert Project.objects.get(pk=project.pk).status == Status.SUBMITTED
    finally:
        pagecache._owed = False


@pytest.mark.parametrize(
    ("sql", "retires"),
    [
        ('UPDATE "projects_project" SET "title" = %s WHERE "id" = %s', True),
        ('INSERT INTO "linkage_linkscore" ("project_id") VALUES (%s)', True),
        ('DELETE FROM "checks_finding" WHERE "id" IN (%s)', True),
        ('COPY "linkage_linkscore" ("project_id") FROM STDIN', True),
        ('ALTER TABLE "projects_project" ADD COLUMN "x" int', True),
        ('WITH moved AS (UPDATE "projects_project" SET "status" = %s RETURNING 1) SELECT 1', True),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
        ('SELECT "id" FROM "projects_project" WHERE "title" = \'UPDATE x SET\'', False),
        ('WITH RECURSIVE __tree AS (SELECT 1) SELECT * FROM "agencies_agency"', False),
        ('SELECT "id" FROM "projects_project" FOR UPDATE', False),
    ],
)
def test_which_statements_retire_kept_pages(sql, retires):
    assert pagecache.writes(sql) is retires
