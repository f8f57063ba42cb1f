"""Linkage benchmark: batch scoring of 100,000 generated projects against every target of an
edition, one project's rescore, one as-you-type suggestion. Prints the figures and the machine.

    createdb -h 127.0.0.1 -U postgres emenscr_linkage_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emenscr_linkage_bench \\
        .venv/bin/python bench/linkage_bench.py [--projects 100000] [--workers 2]

The first run migrates the database, loads the shipped strategy and inserts the generated
projects (bench/project_generator.py) with their KPIs, activities and primary links (not
timed). Each run then deletes the stored scores and times a cold batch (segmentation
included), a rescore with the same results (a changed target list), one where every stored
row differs (a new scorer version that moves every result), a warm batch (nothing changed:
nothing written), single rescores and suggestions; each batch also prints its workers' CPU
seconds per chunk, which the load of the shared machine does not change much.
Targets: batch ≤ 120 s and ≤ 2 GB peak, rescore ≤ 200 ms, suggestion ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emenscr.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402

from agencies.models import Agency  # noqa: E402
from bench.project_generator import generate  # noqa: E402
from linkage import scoring, services  # noqa: E402
from linkage.models import LinkScore, ProjectAnalysis, ProjectText  # noqa: E402
from linkage.tasks import chunks  # noqa: E402
from projects.models import KPI, Activity, Project, StrategyLink  # noqa: E402
from strategy.models import Edition  # noqa: E402

EDITION = "mp-2566"
FY = 2568


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                if line.startswith("model name")), platform.processor())  # fmt: skip
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next(int(line.split()[1]) for line in meminfo if "MemTotal" in line)
    db = f"{connection.vendor} {connection.pg_version or ''}"
    return (f"{os.cpu_count()} cores ({cpu}), {mem / 1024 / 1024:.0f} GiB, Python "
            f"{platform.python_version()}, {db}")  # fmt: skip


def ensure_projects(n: int) -> list[int]:
    """Insert the generated projects that are not there yet; returns the bench project ids."""
    call_command("migrate", verbosity=0)
    edition = Edition.objects.filter(code=EDITION).first()
    if edition is None:
        call_command("load_strategy", verbosity=0)
        edition = Edition.objects.get(code=EDITION)
    existing = Project.objects.filter(reference__startswith="BENCH-").count()
    if existing < n:
        started = time.perf_counter()
        user, _ = get_user_model().objects.get_or_create(username="bench")
        ministry, _ = Agency.objects.get_or_create(code="B0", defaults={
            "name_th": "กระทรวงทดสอบสมรรถนะ", "kind": Agency.Kind.MINISTRY})  # fmt: skip
        agencies = [Agency.objects.get_or_create(code=f"B0{i:03d}", defaults={
            "name_th": f"กรมทดสอบสมรรถนะ {i}", "parent": ministry,
            "kind": Agency.Kind.DEPARTMENT})[0] for i in range(200)]  # fmt: skip
        index = scoring.get_index(edition)
        per_plan: dict[str, list[int]] = {}
        for row in index.candidates:
            t = index.targets[row]
            per_plan.setdefault(t.master_plan_code, []).append(t.id)
        for batch in chunks(list(generate(n))[existing:], 5000):
            projects = [Project(
                agency=agencies[hash(g["master_plan"] + str(g["n"] % 3)) % 200], fiscal_year=FY,
                reference=f"BENCH-{g['n']:06d}", title=g["title"], rationale=g["rationale"],
                objectives=g["objectives"], target_group=g["target_group"],
                expected_outcomes=g["expected_outcomes"], status="submitted", created_by=user,
                total_budget=Decimal(1_000_000),
            ) for g in batch]  # fmt: skip
            Project.objects.bulk_create(projects, batch_size=5000)
            KPI.objects.bulk_create(
                [KPI(project=p, name=k[0], unit=k[1], target_value=k[2])
                 for p, g in zip(projects, batch, strict=True) for k in g["kpis"]],
                batch_size=5000,
            )  # fmt: skip
            Activity.objects.bulk_create(
                [Activity(project=p, order=i + 1, name=a)
                 for p, g in zip(projects, batch, strict=True)
                 for i, a in enumerate(g["activities"])], batch_size=5000,
            )  # fmt: skip
            # 80 % declare a target of the intended master plan, the rest one of another plan
            links = []
            for p, g in zip(projects, batch, strict=True):
                plan = g["master_plan"] if g["n"] % 5 else f"{(int(g['master_plan']) % 23) + 1:02d}"
                options = per_plan[plan]
                links.append(StrategyLink(project=p, node_id=options[g["n"] % len(options)],
                                          is_primary=True))  # fmt: skip
            StrategyLink.objects.bulk_create(links, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"setup: inserted {n - existing} projects in {time.perf_counter() - started:.0f} s")
    ids = Project.objects.filter(reference__startswith="BENCH-").order_by("pk")
    return list(ids.values_list("pk", flat=True)[:n])


def _work(part: list[list[int]]) -> tuple[dict, int, float]:
    connection.close()  # a fresh connection per process
    cpu = time.process_time()
    priors = services.Priors()
    total = services.RescoreResult()
    for chunk in part:
        total = total + services.rescore_projects(chunk, priors)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return total.as_dict(), rss, time.process_time() - cpu


def batch(ids: list[int], workers: int) -> tuple[float, dict, float, float]:
    """Wall time, totals, peak RSS (MB) and the workers' own CPU seconds per chunk of 1,000
    (load-independent: PostgreSQL's CPU is not in it)."""
    parts = [chunks(ids)[i::workers] for i in range(workers)]
    started = time.perf_counter()
    if workers == 1:
        results = [_work(parts[0])]
    else:
        connection.close()
        with get_context("fork").Pool(workers) as pool:
            results = pool.map(_work, parts)
    elapsed = time.perf_counter() - started
    totals: dict[str, int] = {}
    for r, _, _ in results:
        for k, v in r.items():
            totals[k] = totals.get(k, 0) + v
    peak_mb = max(rss for _, rss, _ in results) / 1024
    cpu_per_chunk = sum(cpu for _, _, cpu in results) / max(1, len(chunks(ids)))
    return elapsed, totals, peak_mb, cpu_per_chunk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="processes, like Celery workers")
    parser.add_argument("--latency-only", action="store_true", help="skip the batch runs")
    parser.add_argument(
        "--rescore-only", action="store_true", help="skip the first scoring (an earlier run's)"
    )
    args = parser.parse_args()
    print("machine:", machine())
    ids = ensure_projects(args.projects)
    edition = Edition.objects.get(code=EDITION)
    index = scoring.get_index(edition)
    print(f"edition {EDITION}: {len(index.targets)} targets, {len(index.candidates)} suggestable;"
          f" {len(ids)} projects; scorer {scoring.SCORER_VERSION}")  # fmt: skip
    if not args.latency_only:
        run_batches(ids, args.workers, first=not args.rescore_only)
    latencies(ids, edition)


def run_batches(ids: list[int], workers: int, first: bool = True) -> None:
    if first:
        LinkScore.objects.filter(project_id__in=ids).delete()
        ProjectAnalysis.objects.filter(project_id__in=ids).delete()
        ProjectText.objects.filter(project_id__in=ids).delete()
        cold, totals, peak, cpu = batch(ids, workers)
        print(f"batch, first scoring (Thai segmentation of every text included): {cold:.1f} s, "
              f"{totals}, peak RSS {peak:.0f} MB per process x {workers}, "
              f"worker CPU {cpu:.2f} s per chunk")  # fmt: skip
    # What a changed target list costs: every fingerprint changes, so every project is scored
    # again (with the words stored at the first scoring), but few results move.
    ProjectAnalysis.objects.filter(project_id__in=ids).update(fingerprint="")
    full, totals, peak_full, cpu = batch(ids, workers)
    print(f"batch rescore against every target (words stored, same results): {full:.1f} s, "
          f"{totals}, peak RSS {peak_full:.0f} MB per process x {workers}, "
          f"worker CPU {cpu:.2f} s per chunk")  # fmt: skip
    # The worst case (a new scorer version that moves every result): every stored row
    # differs, so every row is written again.
    ProjectAnalysis.objects.filter(project_id__in=ids).update(fingerprint="", suggestions=[])
    LinkScore.objects.filter(project_id__in=ids).update(rank=F("rank") + 1000)
    every, totals, peak_every, cpu = batch(ids, workers)
    print(f"batch rescore against every target (words stored, every row rewritten): "
          f"{every:.1f} s, {totals}, peak RSS {peak_every:.0f} MB per process x {workers}, "
          f"worker CPU {cpu:.2f} s per chunk")  # fmt: skip
    warm, totals, _, cpu = batch(ids, workers)
    print(f"batch, nothing changed (nothing written): {warm:.1f} s, {totals}, "
          f"worker CPU {cpu:.2f} s per chunk")  # fmt: skip


def latencies(ids: list[int], edition: Edition) -> None:
    connection.close()
    times, cpus = [], []
    for i, pk in enumerate(ids[:30]):
        title = f"โครงการพัฒนาระบบประปาหมู่บ้าน ระยะที่ {i} รอบ {time.time():.0f}"
        Project.objects.filter(pk=pk).update(title=title)
        started, cpu = time.perf_counter(), time.process_time()
        result = services.rescore_projects([pk])
        times.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert result.scored == 1, result
    print(f"one rescore (text changed): median {statistics.median(times):.0f} ms, "
          f"max {max(times[1:]):.0f} ms (first {times[0]:.0f} ms); "
          f"CPU of this process median {statistics.median(cpus[1:]):.0f} ms")  # fmt: skip

    texts = [g["title"] + " " + g["objectives"] for g in generate(60, seed=7)]
    times = []
    for text in texts:
        started = time.perf_counter()
        services.suggest(text, edition=edition, top=5)
        times.append((time.perf_counter() - started) * 1000)
    print(f"one suggestion: median {statistics.median(times):.1f} ms, max {max(times[1:]):.1f} ms")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the main process: {own:.0f} MB")


if __name__ == "__main__":
    main()
