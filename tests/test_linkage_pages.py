"""Linkage pages: the gap analysis, near-duplicates, the score on the project page and in the
approver's queue, as-you-type suggestions; all scoped by the access policy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Membership
from core.states import Status
from linkage import services
from projects.models import Project
from tests.factories import AgencyFactory, complete_project, member

pytestmark = pytest.mark.django_db
R = Membership.Role
GAPS, DUPLICATES, SUGGEST = "/linkage/gaps/", "/linkage/duplicates/", "/linkage/suggest/"


@pytest.fixture
def world():
    a, b = AgencyFactory(name_th="กรมทดสอบเอ"), AgencyFactory(name_th="กรมทดสอบบี")
    submitted = complete_project(agency=a)
    Project.objects.filter(pk=submitted.pk).update(status=Status.SUBMITTED)
    twin = complete_project(agency=b)  # same title pattern and objectives: a near-duplicate
    Project.objects.filter(pk=twin.pk).update(status=Status.SUBMITTED)
    draft = complete_project(agency=b)  # another agency's draft stays private
    services.rescore_projects([submitted.pk, twin.pk, draft.pk])
    return {
        "a": a, "b": b, "submitted": submitted, "twin": twin, "draft": draft,
        "analyst": member(R.ANALYST, AgencyFactory()),
        "staff_a": member(R.STAFF, a),
        "approver_a": member(R.AGENCY_APPROVER, a),
    }  # fmt: skip


def _row(html: str, code: str) -> str:
    start = html.index(f'<span class="code">{code}</span>')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_gap_page_counts_projects_budget_and_score_and_flags_empty_targets(client, world):
    client.force_login(world["analyst"])
    response = client.get(GAPS, {"edition": "mp-2566", "fiscal_year": 2568})
    assert response.status_code == 200
    html = response.content.decode()
    y1 = _row(html, "030401")  # both submitted projects link here; the draft is not shown
    assert "state-ok" in y1 and ">2<" in y1 and "2,000,000.00" in y1
    assert "state-empty" in _row(html, "030201")  # no project: stands out
    plan = _row(html, "03")
    assert ">2<" in plan  # rolled up to the master plan
    assert "state-empty" in _row(html, "14")


def test_gap_page_counts_only_what_the_user_may_see(client, world):
    client.force_login(world["staff_a"])
    html = client.get(GAPS, {"edition": "mp-2566", "fiscal_year": 2568}).content.decode()
    assert ">1<" in _row(html, "030401")


def test_gap_page_refuses_a_year_outside_the_edition_with_a_message(client, world):
    client.force_login(world["analyst"])
    response = client.get(GAPS, {"edition": "mp-2566", "fiscal_year": 2563})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_duplicates_lists_similar_projects_of_other_agencies_side_by_side(client, world):
    client.force_login(world["analyst"])
    html = client.get(DUPLICATES, {"fiscal_year": 2568, "threshold": 0.6}).content.decode()
    assert "กรมทดสอบเอ" in html and "กรมทดสอบบี" in html
    assert world["submitted"].get_absolute_url() in html
    assert world["twin"].get_absolute_url() in html
    assert world["draft"].get_absolute_url() not in html  # analysts do not see drafts
    strict = client.get(DUPLICATES, {"fiscal_year": 2568, "threshold": 1.0}).content.decode()
    assert world["twin"].get_absolute_url() not in strict or "100%" in strict


def test_duplicates_threshold_out_of_range_gets_a_message(client, world):
    client.force_login(world["analyst"])
    response = client.get(DUPLICATES, {"fiscal_year": 2568, "threshold": 5})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_staff_see_no_duplicates_outside_their_agency(client, world):
    client.force_login(world["staff_a"])
    html = client.get(DUPLICATES, {"fiscal_year": 2568, "threshold": 0.3}).content.decode()
    assert world["twin"].get_absolute_url() not in html


def test_the_project_page_shows_the_score_rank_and_words(client, world):
    client.force_login(world["staff_a"])
    html = client.get(world["submitted"].get_absolute_url()).content.decode()
    assert 'id="linkage"' in html and 'class="score' in html
    assert "แปรรูป" in html.split('id="linkage"')[1]


def test_the_approver_queue_shows_scores_in_constant_queries(client, world):
    client.force_login(world["approver_a"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/projects/queue/")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    few, html = count()
    assert 'class="score' in html
    for _ in range(4):
        p = complete_project(agency=world["a"])
        Project.objects.filter(pk=p.pk).update(status=Status.SUBMITTED)
        services.rescore_projects([p.pk])
    many, _ = count()
    assert many == few


def test_suggestions_as_you_type(client, world):
    client.force_login(world["staff_a"])
    response = client.get(SUGGEST, {"title": "โครงการส่งเสริมการผลิตผักปลอดภัย GAP",
                                    "fiscal_year": "2568", "agency": world["a"].pk})  # fmt: skip
    assert response.status_code == 200 and "030201" in response.content.decode()
    empty = client.get(SUGGEST, {"title": ""}).content.decode()
    assert "<ol" not in empty


def test_pages_need_sign_in(client):
    for url in (GAPS, DUPLICATES, SUGGEST):
        assert client.get(url).status_code == 302
