"""The API for Level-3 plans, progress reports and linkage, as an agency's own system uses it:
plans with their targets (values per year) and links, reports with their rows, both moved
through the workflow over the API; a project's stored alignment scores; suggestions for free
text equal to ``manage.py linkage_suggest``; constant query counts on the lists."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.access import Action
from core.states import Status
from linkage import services as linkage_services
from linkage.models import LinkScore
from plans.models import Plan
from progress import services as progress_services
from progress.models import ProgressReport
from tests.plan_helpers import complete_plan
from tests.progress_fixtures import LATE, approved_project, fill
from tests.progress_fixtures import people as progress_people
from tests.test_api_projects import client_for
from workflow import engine

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def who(agencies, settings) -> SimpleNamespace:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return progress_people(agencies)


def _report(project, who, quarter: int) -> ProgressReport:
    report = progress_services.start_report(project, who.staff, "quarterly", 2568, quarter,
                                            today=LATE)  # fmt: skip
    fill(report, "250000", "250000", actual="12")
    return report


# --- plans ---------------------------------------------------------------------------------------


def test_a_plan_reads_with_its_targets_values_and_links(who, agencies):
    plan = complete_plan(agencies["doae"], who.staff)
    body = client_for(who.staff).get(f"{API}/plans/{plan.pk}/").json()
    assert body["title"] == plan.title and body["year_from"] == 2568
    assert [(t["name"], t["unit"], t["values"]) for t in body["targets"]] == [
        ("วิสาหกิจชุมชนแปรรูปผลผลิตได้มาตรฐาน", "กลุ่ม", [{"fiscal_year": 2568, "value": "50"}]),
        ("มูลค่าสินค้าเกษตรแปรรูปเพิ่มขึ้น", "ร้อยละ", [{"fiscal_year": 2568, "value": "10"}]),
    ]
    assert [(lk["node_code"], lk["is_primary"], lk["edition"]) for lk in body["links"]] == [
        ("030401", True, "mp-2566")
    ]
    assert body["status"] == Status.DRAFT
    assert body["allowed_actions"] == ["edit", "submit"]


def test_a_plan_goes_through_the_workflow_over_the_api(who, agencies):
    plan = complete_plan(agencies["doae"], who.staff)
    staff, approver = client_for(who.staff), client_for(who.approver)
    response = staff.post(f"{API}/plans/{plan.pk}/submit/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.SUBMITTED
    assert response.json()["allowed_actions"] == ["withdraw"]
    assert plan.pk in {p["id"] for p in approver.get(f"{API}/plans/").json()["results"]}
    returned = approver.post(f"{API}/plans/{plan.pk}/return/", {"comment": ""}, format="json")
    assert returned.status_code == 400  # a return needs a comment; nothing changed
    assert Plan.objects.get(pk=plan.pk).status == Status.SUBMITTED
    response = approver.post(f"{API}/plans/{plan.pk}/return/", {"comment": "เพิ่มค่าเป้าหมาย"},
                             format="json")  # fmt: skip
    assert response.status_code == 200 and response.json()["status"] == Status.RETURNED
    assert staff.post(f"{API}/plans/{plan.pk}/submit/", {}, format="json").status_code == 200
    response = approver.post(f"{API}/plans/{plan.pk}/approve/", {}, format="json")
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.status == response.json()["status"] != Status.SUBMITTED
    assert [e.action for e in engine.timeline(plan)][-1] == Action.APPROVE


def test_another_agencys_draft_plan_and_report_are_404(who, agencies):
    plan = complete_plan(agencies["doae"], who.staff)
    report = _report(approved_project(agencies["doae"], who), who, 1)
    other = client_for(who.other_staff)
    assert other.get(f"{API}/plans/{plan.pk}/").status_code == 404
    assert other.post(f"{API}/plans/{plan.pk}/submit/", {}, format="json").status_code == 404
    assert other.get(f"{API}/progress-reports/{report.pk}/").status_code == 404
    assert other.post(f"{API}/progress-reports/{report.pk}/submit/", {},
                      format="json").status_code == 404  # fmt: skip
    assert other.get(f"{API}/plans/").json()["count"] == 0
    assert other.get(f"{API}/progress-reports/").json()["count"] == 0


def test_the_plan_list_filters_as_the_plan_pages(who, agencies):
    complete_plan(agencies["doae"], who.staff)
    complete_plan(agencies["doae"], who.staff, title="แผนปฏิบัติการด้านน้ำ", year_from=2570,
                  year_to=2572)  # fmt: skip
    staff = client_for(who.staff)
    titles = [p["title"] for p in staff.get(f"{API}/plans/?fiscal_year=2571").json()["results"]]
    assert titles == ["แผนปฏิบัติการด้านน้ำ"]
    assert staff.get(f"{API}/plans/?q=น้ำ").json()["count"] == 1
    assert staff.get(f"{API}/plans/?status=submitted").json()["count"] == 0


# --- progress reports ----------------------------------------------------------------------------


def test_a_report_is_started_over_the_api_once_per_quarter(who, agencies):
    project = approved_project(agencies["doae"], who)
    staff = client_for(who.staff)
    start = {"project": project.pk, "fiscal_year": 2568, "quarter": 1}
    response = staff.post(f"{API}/progress-reports/", start, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["quarter"]) == (Status.DRAFT, 1)
    assert len(body["activities"]) == project.activities.count() > 0
    again = staff.post(f"{API}/progress-reports/", start, format="json")
    assert again.status_code == 400 and again.json()["errors"]["quarter"]
    assert ProgressReport.objects.filter(project=project).count() == 1
    other = client_for(who.other_staff).post(f"{API}/progress-reports/", start, format="json")
    assert other.status_code == 404


def test_a_report_reads_with_its_rows_and_goes_through_one_approval(who, agencies):
    project = approved_project(agencies["doae"], who)
    report = _report(project, who, 1)
    staff, approver = client_for(who.staff), client_for(who.approver)
    body = staff.get(f"{API}/progress-reports/{report.pk}/").json()
    assert (body["project"], body["fiscal_year"], body["quarter"]) == (project.pk, 2568, 1)
    assert {r["activity_name"] for r in body["activities"]} == {
        a.name for a in project.activities.all()
    }
    assert {r["percent"] for r in body["activities"]} == {50}
    state = next(r for r in body["budget"] if r["source"] == "state")
    assert (state["disbursed"], state["cumulative"]) == ("250000.00", "250000.00")
    assert [r["actual_value"] for r in body["kpis"]] == ["12"] * project.kpis.count()
    assert body["allowed_actions"] == ["edit", "submit"]

    response = staff.post(f"{API}/progress-reports/{report.pk}/submit/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.SUBMITTED
    # The ministry approver has no level here: one approval (the agency's) is final.
    ministry = client_for(who.ministry)
    assert ministry.post(f"{API}/progress-reports/{report.pk}/approve/", {},
                         format="json").status_code == 403  # fmt: skip
    response = approver.post(f"{API}/progress-reports/{report.pk}/approve/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.APPROVED
    assert ProgressReport.objects.get(pk=report.pk).status == Status.APPROVED


# --- linkage -------------------------------------------------------------------------------------


def test_a_projects_linkage_is_its_stored_scores_and_explanations(who, agencies):
    project = approved_project(agencies["doae"], who)
    staff = client_for(who.staff)
    empty = staff.get(f"{API}/projects/{project.pk}/linkage/").json()
    assert (empty["links"], empty["scored_at"]) == ([], None)
    linkage_services.rescore_projects([project.pk])
    body = staff.get(f"{API}/projects/{project.pk}/linkage/").json()
    stored = LinkScore.objects.get(project=project, is_primary=True)
    primary = next(lk for lk in body["links"] if lk["is_primary"])
    assert (primary["node_code"], primary["score"], primary["rank"]) == (
        stored.node.code, stored.score, stored.rank)  # fmt: skip
    assert primary["project_terms"] == stored.project_terms and primary["signals"]
    assert body["scored_at"] is not None
    # An analyst reads the same explanations; another agency's staff finds no such project.
    analyst = client_for(who.analyst).get(f"{API}/projects/{project.pk}/linkage/")
    assert analyst.json()["links"] == body["links"]
    other = client_for(who.other_staff).get(f"{API}/projects/{project.pk}/linkage/")
    assert other.status_code == 404


def test_suggestions_are_those_of_the_command(who, tmp_path):
    text = {
        "title": "ส่งเสริมการแปรรูปผลผลิตทางการเกษตร",
        "objective": "เพิ่มมูลค่าสินค้าเกษตร",
        "kpi": "มูลค่าสินค้าเกษตรแปรรูปเพิ่มขึ้น",
        "edition": "mp-2566",
    }
    response = client_for(who.staff).post(f"{API}/linkage/suggest/", text, format="json")
    assert response.status_code == 200
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": 1, **text}, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("linkage_suggest", "--input", str(path), "--edition", "mp-2566", stdout=out)
    expected = json.loads(out.getvalue())["suggestions"]
    assert response.json()["suggestions"] == expected and len(expected) == 5
    bad = client_for(who.staff).post(f"{API}/linkage/suggest/", {"title": "x", "edition": "nope"},
                                     format="json")  # fmt: skip
    assert bad.status_code == 400 and "edition" in bad.json()["errors"]


# --- constant queries ----------------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries)


def test_plan_and_report_lists_use_a_constant_number_of_queries(who, agencies):
    doae = agencies["doae"]
    project = approved_project(doae, who)
    for i in range(10):
        complete_plan(doae, who.staff, reference=f"PL-{i}")
    for quarter in (1, 2, 3, 4):
        report = progress_services.start_report(project, who.staff, "quarterly", 2568, quarter,
                                                today=LATE)  # fmt: skip
        fill(report, "1000", str(1000 * quarter))
    staff = client_for(who.staff)
    staff.get(f"{API}/me/")  # the token's first use is recorded once; count after it
    for report in ProgressReport.objects.filter(project=project):
        engine.perform(report, Action.SUBMIT, who.staff)
    for plan in Plan.objects.all():
        engine.perform(plan, Action.SUBMIT, who.staff)
    for url in ("/plans/", "/plans/?q=แปรรูป&ordering=title", "/progress-reports/",
                "/progress-reports/?fiscal_year=2568"):  # fmt: skip
        sep = "&" if "?" in url else "?"
        small = _count(staff, f"{API}{url}{sep}page_size=1")
        large = _count(staff, f"{API}{url}{sep}page_size=50")
        assert small == large, url
    approver = client_for(who.approver)
    approver.get(f"{API}/me/")
    for url in ("/plans/queue/", "/progress-reports/queue/"):
        small = _count(approver, f"{API}{url}?page_size=1")
        assert small == _count(approver, f"{API}{url}?page_size=50"), url
