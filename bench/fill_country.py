"""Fill a PostgreSQL database with a realistic country (target: at most 10 minutes).

    .venv/bin/python bench/fill_country.py [--projects 100000] [--database emenscr_country]

2,020 agencies (20 ministries, 200 departments, 1,800 units), staff and approvers, 100,000
projects over fiscal years 2566-2569 with Thai texts (bench/project_generator.py), KPIs,
activities, budget lines, a primary link to the deepest loaded target of the fiscal year's
edition under the project's master plan plus an SDG target, every workflow state, and a first
quarterly progress report for the approved projects. Bulk inserts in batches, one transaction
per batch, ANALYZE at the end. The other benchmarks (the load test) read this database.

The strategy hierarchy is the real shipped one; everything else is generated.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from common import machine, peak_rss_mb, setup_django

BATCH = 5000
STATES = [
    ("approved", 50),
    ("submitted", 15),
    ("agency_approved", 10),
    ("draft", 15),
    ("returned", 10),
]
PASSWORD = "bench-emenscr-2569"  # noqa: S105 (benchmark accounts on a throwaway database)


def agencies():
    from agencies.models import Agency

    K = Agency.Kind
    ministries = Agency.objects.bulk_create(
        Agency(code=f"B{m:02d}", name_th=f"กระทรวงทดสอบที่ {m}", kind=K.MINISTRY)
        for m in range(1, 21)
    )
    departments = Agency.objects.bulk_create(
        Agency(
            code=f"{mi.code}{d:03d}",
            name_th=f"กรมทดสอบที่ {d} ของ{mi.name_th}",
            kind=K.DEPARTMENT,
            parent=mi,
        )
        for mi in ministries
        for d in range(1, 11)
    )
    units = Agency.objects.bulk_create(
        Agency(
            code=f"{de.code}{u:03d}", name_th=f"สำนักทดสอบที่ {u} {de.name_th}", kind=K.UNIT, parent=de
        )
        for de in departments
        for u in range(1, 10)
    )
    return ministries, departments, units


def people(ministries, departments):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agencies.models import Membership

    R = Membership.Role
    User = get_user_model()
    hashed = make_password(PASSWORD)
    rows = [(f"bench_staff_{d.code}", d, R.STAFF) for d in departments]
    rows += [(f"bench_approver_{d.code}", d, R.AGENCY_APPROVER) for d in departments]
    rows += [(f"bench_ministry_{m.code}", m, R.MINISTRY_APPROVER) for m in ministries]
    rows += [("bench_analyst", ministries[0], R.ANALYST)]
    users = User.objects.bulk_create(User(username=name, password=hashed) for name, _a, _r in rows)
    Membership.objects.bulk_create(
        Membership(user=user, agency=agency, role=role)
        for user, (_n, agency, role) in zip(users, rows, strict=True)
    )
    return {name: user for user, (name, _a, _r) in zip(users, rows, strict=True)}


def targets_by_plan() -> dict[tuple[str, str], list]:
    """(edition code, master-plan code) → the deepest loaded nodes under that master plan."""
    from strategy.models import Kind, Node

    found: dict[tuple[str, str], list] = {}
    for edition in ("mp-2561", "mp-2566"):
        plans = {n.pk: n for n in Node.objects.filter(edition__code=edition, kind=Kind.MASTER_PLAN)}
        for plan in plans.values():
            below = Node.objects.descendants(plan).filter(kind=Kind.SUB_PLAN_TARGET)
            found[edition, plan.code] = list(below) or [plan]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--database", default="emenscr_country")
    args = parser.parse_args()
    started = time.perf_counter()
    setup_django(args.database, fresh=True)
    from django.db import connection, transaction
    from project_generator import generate

    from core import thai
    from progress.models import ActivityProgress, BudgetProgress, KPIActual, ProgressReport
    from projects.models import KPI, Activity, BudgetLine, Project, StrategyLink
    from strategy.models import Kind, Node
    from strategy.shipped import load_shipped

    print(machine())
    load_shipped()
    ministries, departments, units = agencies()
    users = people(ministries, departments)
    targets = targets_by_plan()
    units_of: dict[int, list] = {}
    for unit in units:
        units_of.setdefault(unit.parent_id, []).append(unit)
    sdg = list(Node.objects.filter(kind=Kind.SDG_TARGET))
    print(f"agencies and people: {time.perf_counter() - started:.1f} s")

    rng = random.Random(2569)
    states = [s for s, weight in STATES for _ in range(weight)]
    texts = generate(args.projects, seed=2569)
    made = 0
    while made < args.projects:
        batch = [next(texts) for _ in range(min(BATCH, args.projects - made))]
        with transaction.atomic():
            projects, extras = [], []
            for text in batch:
                department = rng.choice(departments)
                # Half the projects belong to a unit below the department.
                agency = rng.choice(units_of[department.pk]) if rng.random() < 0.5 else department
                fy = rng.choice((2566, 2567, 2568, 2569))
                start = date(fy - 544, 10, 1)
                budget = Decimal(rng.randrange(2, 400)) * 50_000
                status = rng.choice(states)
                staff = users[f"bench_staff_{department.code}"]
                projects.append(
                    Project(
                        agency=agency,
                        fiscal_year=fy,
                        title=text["title"][:500],
                        responsible_name="ผู้รับผิดชอบทดสอบ",
                        rationale=text["rationale"],
                        objectives=text["objectives"],
                        target_group=text["target_group"],
                        expected_outcomes=text["expected_outcomes"],
                        total_budget=budget,
                        start_date=start,
                        end_date=start + timedelta(days=364),
                        nationwide=True,
                        status=status,
                        created_by=staff,
                        lineage=uuid.uuid4(),
                        submitted_by=None if status == "draft" else staff,
                        search_text=thai.normalize(f"{text['title']} {text['objectives']}"),
                    )
                )
                extras.append((text, fy, budget))
            Project.objects.bulk_create(projects, batch_size=BATCH)
            kpis, acts, lines, links = [], [], [], []
            for project, (text, fy, budget) in zip(projects, extras, strict=True):
                for name, unit, value in text["kpis"]:
                    kpis.append(
                        KPI(project=project, name=name[:500], unit=unit, target_value=value)
                    )
                share = budget / len(text["activities"])
                for order, name in enumerate(text["activities"], start=1):
                    acts.append(
                        Activity(
                            project=project,
                            order=order,
                            name=name,
                            budget=share,
                            start_date=project.start_date,
                            end_date=project.end_date,
                        )
                    )
                lines.append(
                    BudgetLine(project=project, source="state", fiscal_year=fy, amount=budget)
                )
                edition = "mp-2566" if fy >= 2567 else "mp-2561"
                node = rng.choice(targets[edition, text["master_plan"]])
                links.append(StrategyLink(project=project, node=node, is_primary=True))
                links.append(StrategyLink(project=project, node=rng.choice(sdg)))
            KPI.objects.bulk_create(kpis, batch_size=BATCH)
            Activity.objects.bulk_create(acts, batch_size=BATCH)
            BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
            StrategyLink.objects.bulk_create(links, batch_size=BATCH)

            # A first-quarter report for each approved project, with its rows.
            approved = [p for p in projects if p.status == "approved"]
            reports = ProgressReport.objects.bulk_create(
                ProgressReport(
                    project=p,
                    lineage=p.lineage,
                    agency_id=p.agency_id,
                    fiscal_year=p.fiscal_year,
                    quarter=1,
                    due_date=date(p.fiscal_year - 543, 1, 30),
                    status="approved",
                    created_by=p.created_by,
                    submitted_by=p.created_by,
                    problems="ไม่มี",
                )
                for p in approved
            )
            by_project = {r.project_id: r for r in reports}
            ActivityProgress.objects.bulk_create(
                (
                    ActivityProgress(
                        report=by_project[a.project_id], activity=a, state="in_progress", percent=25
                    )
                    for a in acts
                    if a.project_id in by_project
                ),
                batch_size=BATCH,
            )
            BudgetProgress.objects.bulk_create(
                (
                    BudgetProgress(
                        report=by_project[b.project_id],
                        source=b.source,
                        disbursed=b.amount / 4,
                        cumulative=b.amount / 4,
                    )
                    for b in lines
                    if b.project_id in by_project
                ),
                batch_size=BATCH,
            )
            KPIActual.objects.bulk_create(
                (
                    KPIActual(report=by_project[k.project_id], kpi=k, actual_value="10")
                    for k in kpis
                    if k.project_id in by_project
                ),
                batch_size=BATCH,
            )
        made += len(batch)
        print(f"projects: {made:>7}  {time.perf_counter() - started:6.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    took = time.perf_counter() - started
    print(
        f"filled {made} projects in {took:.1f} s (target <= 600 s); peak RSS {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
