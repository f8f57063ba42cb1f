"""The project-quality rubric: the automatic pass on clear good and bad projects, the
reviewer's confirmation or override (who, when, why) kept across rescoring, who may review,
and what the project page, the approver's queue and the API show."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Membership
from core.states import Status
from linkage import rubric, rubric_services, services, tasks
from linkage.models import RubricAssessment, RubricReview
from linkage.tasks import rescore_chunk
from projects.models import KPI, Activity, Project
from tests.factories import AgencyFactory, complete_project, member

pytestmark = pytest.mark.django_db
R = Membership.Role


def _rescore(*projects: Project) -> None:
    """What the rescoring task does (alignment, then the rubric), in this process."""
    rescore_chunk([p.pk for p in projects])


def _good(**kwargs) -> Project:
    """A project that should pass: a problem with figures and sources, counted beneficiaries,
    an output and an outcome KPI with baselines, dated activities in order."""
    project = complete_project(**kwargs)
    project.rationale = (
        "ข้อมูลจากสำนักงานสถิติแห่งชาติ ปี 2566 พบว่าเกษตรกรร้อยละ 62 ขาดความรู้ในการแปรรูป"
        "ผลผลิตทางการเกษตร ทำให้รายได้ต่ำกว่าเส้นความยากจน 30,000 บาทต่อปี ผลการสำรวจของ"
        "กรมส่งเสริมการเกษตรยังพบปัญหาการเข้าถึงตลาดและเทคโนโลยีการแปรรูปสินค้าเกษตร"
    )
    project.save()
    KPI.objects.filter(project=project).update(baseline="20")
    KPI.objects.create(project=project, kind="outcome", name="มูลค่าสินค้าเกษตรแปรรูปเพิ่มขึ้น",
                       unit="ร้อยละ", target_value="10", baseline="0")  # fmt: skip
    return project


def _scores(project: Project) -> dict[str, int]:
    criteria = RubricAssessment.objects.get(project=project).criteria
    return {c: v["score"] for c, v in criteria.items()}


def _submit(project: Project, by) -> Project:
    Project.objects.filter(pk=project.pk).update(status=Status.SUBMITTED, submitted_by=by)
    project.refresh_from_db()
    return project


@pytest.fixture
def world():
    a, b = AgencyFactory(name_th="กรมทดสอบเอ"), AgencyFactory(name_th="กรมทดสอบบี")
    staff_a = member(R.STAFF, a)
    project = _submit(_good(agency=a), staff_a)
    _rescore(project)
    return {
        "a": a, "b": b, "project": project, "staff_a": staff_a,
        "approver_a": member(R.AGENCY_APPROVER, a, first_name="สมศรี", last_name="ตรวจดี"),
        "staff_b": member(R.STAFF, b), "approver_b": member(R.AGENCY_APPROVER, b),
    }  # fmt: skip


# --- the automatic pass --------------------------------------------------------------------


def test_a_clear_good_project_passes_every_criterion_with_its_evidence(world):
    scores = _scores(world["project"])
    assert scores["alignment"] == 5
    assert all(scores[c] >= rubric.PASS_MIN for c in rubric.SCORED), scores
    assessment = RubricAssessment.objects.get(project=world["project"])
    assert assessment.version == rubric.RUBRIC_VERSION and assessment.total >= 80
    notes = assessment.criteria["evidence"]["notes"]
    assert any(code == "source_words" and "สถิติ" in value for code, value in notes)


def test_construction_and_purchase_project_fails_criterion_7():
    project = complete_project(title="โครงการก่อสร้างอาคารศูนย์เรียนรู้และจัดซื้อครุภัณฑ์")
    Activity.objects.filter(project=project, order=2).update(name="จัดซื้อครุภัณฑ์สำนักงาน")
    _rescore(project)
    assessment = RubricAssessment.objects.get(project=project)
    assert assessment.criteria["not_asset"]["score"] < rubric.PASS_MIN
    text = [rubric.describe(n) for n in assessment.criteria["not_asset"]["notes"]]
    assert any("ก่อสร้าง" in t and "จัดซื้อ" in t for t in text)


def test_fund_and_committee_words_count_too():
    inp = rubric.RubricInput(title="โครงการจัดตั้งกองทุนและแต่งตั้งคณะกรรมการ")
    assert rubric.assess(inp)["not_asset"]["score"] == 0


def test_a_project_without_kpis_scores_low_on_criterion_6():
    project = complete_project()
    KPI.objects.filter(project=project).delete()
    _rescore(project)
    assert _scores(project)["kpis"] == 0
    notes = RubricAssessment.objects.get(project=project).criteria["kpis"]["notes"]
    assert ["no_kpis", ""] in notes


def test_kpis_without_unit_or_numeric_target_lose_points():
    project = complete_project()
    KPI.objects.filter(project=project).update(unit="", target_value="มาก")
    _rescore(project)
    assert _scores(project)["kpis"] == 1


def test_activities_outside_the_period_or_out_of_order_lose_points():
    good = rubric.assess(rubric.RubricInput(
        start=date(2024, 10, 1), end=date(2025, 9, 30),
        activities=[rubric.ActivityIn(1, date(2024, 11, 1), date(2025, 1, 31)),
                    rubric.ActivityIn(2, date(2025, 2, 1), date(2025, 6, 30))],
    ))["activities"]  # fmt: skip
    bad = rubric.assess(rubric.RubricInput(
        start=date(2024, 10, 1), end=date(2025, 9, 30),
        activities=[rubric.ActivityIn(1, date(2025, 5, 1), date(2025, 12, 31)),
                    rubric.ActivityIn(2, date(2025, 2, 1), date(2025, 1, 1))],
    ))["activities"]  # fmt: skip
    assert good["score"] == 5 and bad["score"] == 3  # a point lost for each problem
    codes = {code for code, _v in bad["notes"]}
    assert {"outside_period", "out_of_order"} <= codes


def test_the_gate_zeroes_the_total():
    project = complete_project()
    project.links.all().delete()
    _rescore(project)
    assessment = RubricAssessment.objects.get(project=project)
    assert assessment.criteria["alignment"]["score"] == 0
    assert assessment.total == 0
    assert sum(_scores(project)[c] for c in rubric.SCORED) > 0  # the rest still scored
    assert rubric.total({"alignment": 5, **dict.fromkeys(rubric.SCORED, 5)}) == 100
    assert rubric.total({"alignment": 0, **dict.fromkeys(rubric.SCORED, 5)}) == 0


def test_a_rerun_writes_nothing_and_the_pass_is_cheap():
    projects = [complete_project() for _ in range(20)]
    services.rescore_projects([p.pk for p in projects])
    ids = [p.pk for p in projects]
    assert rubric_services.assess_projects(ids) == 20
    with CaptureQueriesContext(connection) as queries:
        assert rubric_services.assess_projects(ids) == 0
    assert len(queries) == 6  # reads only, whatever the batch size
    inputs = list(rubric_services.read_inputs(ids).values()) * 50
    started = time.perf_counter()
    for inp in inputs:
        rubric.assess(inp)
    per_project = (time.perf_counter() - started) / len(inputs)
    assert per_project < 0.001  # well under 1 ms a project (about 30 µs here)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_rescoring_task_in_the_worker_runs_the_rubric(shipped_strategy, celery_worker):
    # The chunk task (batch and stale runs); rescore_project runs the same two lines, but it
    # also queues the batch checks, which would still be running when the test database is
    # emptied.
    project = complete_project()
    result = tasks.rescore_chunk.delay([project.pk]).get(timeout=90)
    assert result["scored"] == 1 and result["rubric"] == 1
    assert RubricAssessment.objects.get(project=project).criteria["alignment"]["score"] == 5
    assert tasks.rescore_chunk.delay([project.pk]).get(timeout=90)["rubric"] == 0


# --- the reviewer ----------------------------------------------------------------------------


def test_an_approver_overrides_with_a_reason_and_the_page_shows_both(client, world):
    project, approver = world["project"], world["approver_a"]
    client.force_login(approver)
    response = client.post(f"/linkage/rubric/{project.pk}/review/",
                           {"criterion": "evidence", "score": "2",
                            "reason": "ตัวเลขไม่มีแหล่งอ้างอิงที่ตรวจสอบได้"})  # fmt: skip
    assert response.status_code == 302 and response.url.endswith("#rubric")
    saved = RubricReview.objects.get(project=project, criterion="evidence")
    assert saved.score == 2 and saved.reviewer == approver and saved.reviewed_at
    assert saved.auto_score == _scores(project)["evidence"] and saved.is_override
    html = client.get(project.get_absolute_url()).content.decode()
    assert "ตัวเลขไม่มีแหล่งอ้างอิงที่ตรวจสอบได้" in html and "สมศรี ตรวจดี" in html
    assert 'data-testid="review-evidence">2/5' in html
    assert 'data-series="auto"' in html and 'data-series="review"' in html  # both on the chart
    assert "rubric-final-total" in html


def test_an_override_without_a_reason_is_refused_with_a_message(client, world):
    project = world["project"]
    client.force_login(world["approver_a"])
    response = client.post(f"/linkage/rubric/{project.pk}/review/",
                           {"criterion": "kpis", "score": "1", "reason": " "},
                           follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "ระบุเหตุผล" in response.content.decode()
    assert not RubricReview.objects.exists()
    # confirming the automatic score needs no reason
    auto = _scores(project)["kpis"]
    client.post(f"/linkage/rubric/{project.pk}/review/", {"criterion": "kpis", "score": auto})
    confirmed = RubricReview.objects.get(criterion="kpis")
    assert not confirmed.is_override and confirmed.reason == ""


def test_staff_of_another_agency_cannot_override(client, world):
    project = world["project"]
    for user in (world["staff_b"], world["approver_b"], world["staff_a"]):
        client.force_login(user)
        response = client.post(f"/linkage/rubric/{project.pk}/review/",
                               {"criterion": "kpis", "score": "0", "reason": "ไม่ดี"})  # fmt: skip
        assert response.status_code in (403, 404)
    assert not RubricReview.objects.exists()
    client.force_login(world["staff_a"])  # the author sees the rubric but gets no form
    html = client.get(project.get_absolute_url()).content.decode()
    assert 'id="rubric"' in html and "rubric-form" not in html


def test_a_rescore_keeps_the_override_and_flags_a_changed_automatic_score(client, world):
    project, approver = world["project"], world["approver_a"]
    rubric_services.review(project, approver, "kpis", 1, "ตัวชี้วัดวัดผลผลิต ไม่ใช่ผลลัพธ์")
    KPI.objects.filter(project=project).delete()  # the project changes; the auto pass drops
    _rescore(project)
    review = RubricReview.objects.get(project=project, criterion="kpis")
    assert review.score == 1 and review.reason == "ตัวชี้วัดวัดผลผลิต ไม่ใช่ผลลัพธ์"
    assert _scores(project)["kpis"] == 0
    client.force_login(approver)
    html = client.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="changed-kpis"' in html and 'data-testid="review-kpis">1/5' in html


def test_the_queue_shows_a_small_radar_and_the_api_the_rubric(client, world):
    project, approver = world["project"], world["approver_a"]
    rubric_services.review(project, approver, "necessity", 2, "ยังไม่ชี้ว่าทำไมต้องทำตอนนี้")
    client.force_login(approver)
    html = client.get("/projects/queue/").content.decode()
    assert "rubric-mini" in html and "radar-small" in html
    data = client.get(f"/api/v1/projects/{project.pk}/linkage/").json()
    assert data["rubric"]["version"] == rubric.RUBRIC_VERSION
    necessity = next(c for c in data["rubric"]["criteria"] if c["criterion"] == "necessity")
    assert necessity["review"]["score"] == 2
    assert necessity["review"]["reviewer"] == approver.username
    assert necessity["auto"] == _scores(project)["necessity"]
