"""Demo progress reports on approved demo projects, so the project pages show charts and
report histories, the home page flags overdue reports and approvers find reports to accept.

Each report is started with ``progress.services.start_report`` and moved with
``workflow.engine.perform`` by the demo user whose role allows the step (as demo.projects does
for projects). Amounts follow each project's own plan (activity budgets spread over the
quarters), so charts show a believable disbursement a little behind plan. Loading is
idempotent: a period that has a report already is skipped.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies import access
from agencies.access import Action
from demo.data import USERS
from demo.projects import DEMO_STAFF
from progress import charts, selectors, services
from progress.models import ActivityProgress, ProgressReport
from projects.models import Project
from projects.rules import parse_number
from workflow import engine

# project reference → the workflow state of each of its quarters in order ("accepted",
# "submitted", "returned", "draft"); quarters left out stay unreported (overdue). "closing"
# adds an accepted closing report, so the project reads as completed.
PLAN: dict[str, list[str]] = {
    "DEMO-001": ["accepted", "accepted", "accepted", "accepted", "closing"],
    "DEMO-002": ["accepted", "accepted", "submitted"],
    "DEMO-009": ["accepted", "returned"],
    "DEMO-011": ["accepted", "accepted", "accepted", "submitted"],
    "DEMO-017": ["accepted", "draft"],
    "DEMO-025": ["submitted"],
}
PROBLEMS = "ฝนตกหนักในบางพื้นที่ทำให้ต้องเลื่อนการจัดกิจกรรมภาคสนามออกไป"
NEXT_STEPS = "เร่งดำเนินกิจกรรมที่ล่าช้าและติดตามผลการเบิกจ่ายร่วมกับกองคลังทุกเดือน"
RETURN_COMMENT = "ยอดเบิกจ่ายไม่ตรงกับระบบ GFMIS โปรดตรวจสอบและแนบรายงานการเบิกจ่าย"


def _users() -> list:
    names = [u.username for u in [*USERS, *DEMO_STAFF]]
    by_name = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    return [by_name[n] for n in names if n in by_name]


def _actor(users, action: str, obj):
    for user in users:
        if access.can(user, action, obj):
            return user
    raise ValueError(f"No demo user may {action} {obj}.")


def _creator(users, project: Project):
    for user in users:
        if access.can_create_in(user, project.agency):
            return user
    raise ValueError(f"No demo staff for {project.agency}.")


def _fill(report: ProgressReport, project: Project, done: float, paid: dict) -> None:
    """Activities, money and KPIs at the share ``done`` (0-1) of the project's plan."""
    for row in report.activity_rows.select_related("activity"):
        percent = min(100, int(done * 100 * (1.1 if row.activity.order == 1 else 0.9)))
        row.percent = 100 if done >= 1 else percent
        row.state = (
            ActivityProgress.State.DONE
            if row.percent == 100
            else ActivityProgress.State.IN_PROGRESS
            if row.percent
            else ActivityProgress.State.NOT_STARTED
        )
        row.save()
    for row in report.budget_rows.all():
        row.disbursed = paid.get(row.source, Decimal(0))
        row.cumulative += row.disbursed
        row.save()
    for row in report.kpi_rows.select_related("kpi"):
        target = parse_number(row.kpi.target_value) or Decimal(0)
        row.actual_value = f"{(target * Decimal(str(min(done, 1) * 0.95))).quantize(Decimal(1))}"
        row.save()
    report.problems = "" if done >= 1 else PROBLEMS
    report.next_steps = "" if done >= 1 else NEXT_STEPS
    report.save()


def _file(users, project: Project, period, step: str, done: float, paid: dict) -> None:
    creator = _creator(users, project)
    report = services.start_report(
        project, creator, period.kind, period.fiscal_year, period.quarter
    )
    _fill(report, project, done, paid)
    if period.is_closing:
        report.outcomes_achieved = project.expected_outcomes
        report.lessons_learned = (
            "การรวมกลุ่มและการมีผู้จัดการกลุ่มที่เข้มแข็งเป็นปัจจัยสำคัญต่อความสำเร็จ "
            "ควรวางแผนเชื่อมโยงตลาดตั้งแต่ต้นโครงการ"
        )
        report.save()
    if step == "draft":
        return
    engine.perform(report, Action.SUBMIT, creator)
    if step in ("accepted", "closing"):
        engine.perform(report, Action.APPROVE, _actor(users, Action.APPROVE, report))
    elif step == "returned":
        engine.perform(report, Action.RETURN, _actor(users, Action.RETURN, report), RETURN_COMMENT)


@transaction.atomic
def load_progress() -> tuple[int, int]:
    """File the demo reports not filed yet; returns (new, existing)."""
    users = _users()
    today = timezone.localdate()
    projects = selectors.latest_approved(Project.objects.filter(reference__in=list(PLAN)))
    new = existing = 0
    for project in projects.select_related("agency"):
        have = {(r.kind, r.fiscal_year, r.quarter) for r in
                ProgressReport.objects.filter(lineage=project.lineage)}  # fmt: skip
        periods = selectors.schedule(project, [], today)
        quarters = [p for p in periods if not p.is_closing]
        planned = charts.planned_by_quarter(project)
        total = sum(planned.values(), Decimal(0)) or Decimal(1)
        sources = services.rules.allocation_by_source(project)
        done_share = Decimal(0)
        for i, step in enumerate(PLAN[project.reference]):
            period = periods[-1] if step == "closing" else quarters[i]
            share = planned.get((period.fiscal_year, period.quarter), Decimal(0)) / total
            done_share += share if step != "closing" else 0
            paid = {
                s: (amount * share * Decimal("0.92")).quantize(Decimal("0.01"))
                for s, amount in sources.items()
            }
            if step == "closing":
                paid = {}
            if (period.kind, period.fiscal_year, period.quarter) in have:
                existing += 1
                continue
            _file(users, project, period, step, float(done_share), paid)
            new += 1
    return new, existing
