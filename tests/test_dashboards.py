"""The dashboards as their users notice them: the figures are what the projects hold (budget
per master plan, projects per status, disbursement, score bands, overdue reports), an agency's
people see their agency and the units below it and no other agency's dashboard, and every
figure's link lands on a list that counts the same."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from agencies.access import Action
from agencies.models import Membership
from dashboards import selectors
from dashboards.selectors import Scope
from linkage.models import LinkScore
from progress.selectors import flags_for, overdue_summary, with_overdue
from projects.models import Project
from tests.factories import complete_project, member, y1_node
from tests.progress_fixtures import approved_project, filed, people
from workflow import engine

pytestmark = pytest.mark.django_db
R = Membership.Role
FY = 2568


def _relink(project, code: str) -> None:
    link = project.links.get(is_primary=True)
    link.node = y1_node(code)
    link.save()


def _score(project, score: int, rank: int = 1) -> None:
    link = project.links.get(is_primary=True)
    LinkScore.objects.update_or_create(
        project=project, node=link.node,
        defaults={"is_primary": True, "version": "test", "score": score, "rank": rank,
                  "rank_of": 27},
    )  # fmt: skip


@pytest.fixture
def country(agencies):
    """FY 2568: doae has an approved project (1,000,000 baht, master plan 03, Q1 report of
    200,000 accepted, score 85), a submitted one (1,000,000, 03) and a draft (1,000,000, 03);
    its unit an approved one (2,500,000, master plan 12, score 20); doh an approved one
    (3,000,000, 12, not scored)."""
    who = people(agencies)
    who.unit_staff = member(R.STAFF, agencies["unit"])
    a = approved_project(agencies["doae"], who)
    filed(a, who, FY, 1, "200000", "200000")
    _score(a, 85)
    submitted = complete_project(agency=agencies["doae"], created_by=who.staff)
    engine.perform(submitted, Action.SUBMIT, who.staff)
    draft = complete_project(agency=agencies["doae"], created_by=who.staff)
    b = approved_project(agencies["unit"], who)
    Project.objects.filter(pk=b.pk).update(total_budget=Decimal("2500000.00"))
    _relink(b, "120101")
    _score(b, 20)
    health = people.__globals__["SimpleNamespace"](
        staff=member(R.STAFF, agencies["doh"]),
        approver=member(R.AGENCY_APPROVER, agencies["doh"]),
        ministry=member(R.MINISTRY_APPROVER, agencies["moph"]),
    )
    e = approved_project(agencies["doh"], health)
    Project.objects.filter(pk=e.pk).update(total_budget=Decimal("3000000.00"))
    _relink(e, "120101")
    who.health = health
    return who, {"a": a, "submitted": submitted, "draft": draft, "b": b, "e": e}


def _param(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]


def _by_label(figures):
    return {f.extra.get("code", f.label): f for f in figures}


def test_national_figures_are_what_the_projects_hold(country, agencies):
    who, _p = country
    scope = Scope(FY)
    d = selectors.dashboard(who.analyst, scope)
    statuses = {_param(f.url, "status"): f.count for f in d["statuses"]}
    # The analyst does not see the draft (drafts stay in their agency).
    assert statuses == {"submitted": 1, "approved": 3}
    assert d["total"].count == 4 and d["total"].amount == Decimal("7500000.00")
    plans = _by_label(d["plans"])
    assert plans["03"].count == 2 and plans["03"].amount == Decimal("2000000.00")
    assert plans["12"].count == 2 and plans["12"].amount == Decimal("5500000.00")
    assert [f.extra["code"] for f in d["plans"]] == ["12", "03"]  # biggest budget first

    q1, q2, _q3, _q4 = d["quarters"]
    assert q1.disbursed == Decimal("200000.00") and q1.reporting == 1
    assert q2.disbursed == 0 and q2.reporting == 0
    # Plan: each approved project's budget spread over its days (1 Oct 2567 - 30 Sep 2568).
    total = Decimal("6500000.00")
    assert q1.planned == (total * 92 / 365).quantize(Decimal("0.01"))
    assert abs(sum(q.planned for q in d["quarters"]) - total) < Decimal("0.05")
    assert d["approved"].count == 3

    bands = {f.label: f.count for f in d["bands"]}
    assert bands["80–89"] == 1 and bands["20–29"] == 1 and sum(bands.values()) == 2
    assert d["unscored"].count == 2  # the submitted one and doh's

    # Every approved FY 2568 project is long past its deadlines; a owes Q2-Q4 and the closing.
    assert d["overdue"]["figure"].count == 3
    assert d["overdue"]["figure"].extra["reports"] == 4 + 5 + 5


def test_overdue_in_sql_matches_the_schedule(country):
    _who, p = country
    today = timezone.localdate()
    projects = list(Project.objects.filter(status="approved"))
    flags = flags_for(projects, today)
    counted = dict(with_overdue(Project.objects.all(), today).values_list("pk", "overdue_reports"))
    assert counted == {pk: f.overdue for pk, f in flags.items()}
    # Before any deadline nothing is overdue; after Q1's only Q1 is.
    assert set(with_overdue(Project.objects.all(), date(2024, 12, 1)).values_list(
        "overdue_reports", flat=True)) == {0}  # fmt: skip
    q1_late = dict(
        with_overdue(Project.objects.all(), date(2025, 2, 15)).values_list("pk", "overdue_reports")
    )
    assert q1_late[p["a"].pk] == 0 and q1_late[p["b"].pk] == 1


def test_the_overdue_summary_counts_and_orders_what_the_schedule_gives(country):
    today = timezone.localdate()
    flags = flags_for(list(Project.objects.filter(status="approved")), today)
    late = {pk: f.overdue for pk, f in flags.items() if f.overdue}
    start = dict(Project.objects.values_list("pk", "start_date"))
    worst = sorted(late, key=lambda pk: (-late[pk], start[pk], pk))
    assert len(late) == 3
    assert overdue_summary(Project.objects.all(), today, limit=2) == (
        len(late),
        sum(late.values()),
        worst[:2],
    )
    assert overdue_summary(Project.objects.all(), date(2024, 12, 1)) == (0, 0, [])


def test_agency_dashboard_covers_the_agency_and_its_units(country, agencies):
    who, _p = country
    d = selectors.dashboard(who.staff, Scope(FY, agencies["doae"]))
    statuses = {_param(f.url, "status"): f.count for f in d["statuses"]}
    assert statuses == {"draft": 1, "submitted": 1, "approved": 2}  # its own draft too
    plans = _by_label(d["plans"])
    assert plans["03"].amount == Decimal("3000000.00") and plans["12"].count == 1
    assert d["overdue"]["figure"].count == 2


def test_agency_people_cannot_open_another_agencys_dashboard(country, agencies, client):
    who, _p = country
    client.force_login(who.staff)
    response = client.get("/dashboards/")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboards/agency/{agencies['doae'].pk}/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/dashboards/agency/{agencies['unit'].pk}/").status_code == 200
    for other in ("doh", "moph", "rid", "moac"):
        assert client.get(f"/dashboards/agency/{agencies[other].pk}/").status_code == 404
    # Choosing another agency in the filter shows an error and stays on their own.
    page = client.get(f"/dashboards/agency/{agencies['doae'].pk}/?agency={agencies['doh'].pk}",
                      HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200 and "กรมอนามัย" not in html.split("</form>", 1)[1]
    client.force_login(who.unit_staff)
    assert client.get(f"/dashboards/agency/{agencies['doae'].pk}/").status_code == 404
    client.force_login(who.analyst)
    assert client.get("/dashboards/").status_code == 200
    assert client.get(f"/dashboards/agency/{agencies['doh'].pk}/").status_code == 200


def _list_count(client, url: str) -> int:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.mark.parametrize("user_key", ["analyst", "staff"])
def test_every_figure_lands_on_a_list_with_the_same_count(country, agencies, client, user_key):
    who, _p = country
    user = getattr(who, user_key)
    scope = Scope(FY, agencies["doae"] if user_key == "staff" else None)
    d = selectors.dashboard(user, scope)
    client.force_login(user)
    figures = [*d["statuses"], *d["plans"], *d["bands"], d["unscored"], d["total"],
               d["approved"], d["overdue"]["figure"]]  # fmt: skip
    for f in figures:
        assert _list_count(client, f.url) == f.count, f.label
    for q in d["quarters"]:
        assert _list_count(client, q.url) == q.reporting


def test_the_page_draws_the_charts_with_links_and_a_print_stylesheet(country, client):
    who, _p = country
    client.force_login(who.analyst)
    html = client.get(f"/dashboards/?fiscal_year={FY}").content.decode()
    assert html.count("<svg") == 4
    assert re.search(r'<a href="/projects/\?fiscal_year=2568&amp;status=approved"><rect', html)
    assert "dashboards.css" in html and "<script" not in html.split("</head>", 1)[1]
    assert "/dashboards/" in html.split("</nav>", 1)[0]  # the navigation link
    with open("static/css/dashboards.css") as handle:
        assert "@media print" in handle.read()


def test_bad_filters_get_a_thai_message_not_an_error(country, client):
    who, _p = country
    client.force_login(who.analyst)
    response = client.get("/dashboards/?fiscal_year=abc&agency=999999")
    assert response.status_code == 200
    assert "ไม่มีโครงการในปีงบประมาณนี้" in response.content.decode()


def test_no_dashboard_link_for_users_without_a_role(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert "/dashboards/" not in client.get("/").content.decode()
    assert client.get("/dashboards/").status_code == 403
