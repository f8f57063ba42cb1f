"""Load-independent view of the linkage batch: the CPU time per chunk of 1,000 projects of
this process and of its PostgreSQL backend (read from /proc), next to the wall time, and a
cProfile of one chunk. Runs against the database bench/linkage_bench.py filled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emenscr_linkage_bench \\
        .venv/bin/python -u bench/linkage_profile.py [--chunks 3] [--profile]

Two cases per chunk, both with the words already stored: "same results" (the fingerprints
cleared, as after a target-list change that moves no score) and "every row differs" (the
stored rows changed too, as after a new scorer version that moves every result: every row
must be written).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection
from django.db.models import F

from bench.linkage_bench import ensure_projects, machine  # sets Django up first
from linkage import services
from linkage.models import LinkScore, ProjectAnalysis
from linkage.tasks import chunks
from projects.models import Project


def _backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (0 where /proc does not
    show it, e.g. a database on another machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(ids: list[int], priors: services.Priors | None) -> tuple[float, float, dict]:
    """Wall seconds, CPU seconds (this process + its PostgreSQL backend), the result."""
    wall, cpu, db = time.perf_counter(), time.process_time(), _backend_cpu()
    result = services.rescore_projects(ids, priors)
    cpu = time.process_time() - cpu + _backend_cpu() - db
    return time.perf_counter() - wall, cpu, result.as_dict()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of a chunk")
    args = parser.parse_args()
    print("machine:", machine())
    ids = ensure_projects(100_000)
    priors = services.Priors()
    parts = chunks(ids)[10 : 10 + args.chunks]
    for part in parts:
        services.rescore_projects(part, priors)  # words stored, scores present
    for case in ("same results", "every row differs"):
        walls, cpus = [], []
        for part in parts:
            ProjectAnalysis.objects.filter(project_id__in=part).update(fingerprint="")
            if case == "every row differs":  # as after a version that moves every result
                LinkScore.objects.filter(project_id__in=part).update(rank=F("rank") + 1000)
                ProjectAnalysis.objects.filter(project_id__in=part).update(suggestions=[])
            wall, cpu, result = _timed(part, priors)
            assert result["scored"] == len(part), result
            walls.append(wall)
            cpus.append(cpu)
        print(f"chunk of 1,000, {case}: wall median {statistics.median(walls):.2f} s, "
              f"CPU (process + DB backend) median {statistics.median(cpus):.2f} s")  # fmt: skip
    wall, cpu, result = _timed(parts[0], priors)
    print(f"chunk of 1,000, nothing changed: wall {wall:.2f} s, CPU {cpu:.2f} s, {result}")
    if args.profile:
        ProjectAnalysis.objects.filter(project_id__in=parts[0]).update(fingerprint="")
        LinkScore.objects.filter(project_id__in=parts[0]).update(rank=F("rank") + 1000)
        profiler = cProfile.Profile()
        profiler.enable()
        services.rescore_projects(parts[0], priors)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())

    single = ids[20_000:20_030]
    services.rescore_projects(single, priors)  # a stored score and words to replace
    walls, cpus = [], []
    for i, pk in enumerate(single):
        Project.objects.filter(pk=pk).update(title=f"โครงการพัฒนาระบบประปาหมู่บ้าน {i} {time.time()}")
        wall, cpu, result = _timed([pk], None)
        assert result["scored"] == 1, result
        walls.append(wall * 1000)
        cpus.append(cpu * 1000)
    print(f"one rescore (text changed, 30 runs): wall median {statistics.median(walls):.0f} ms, "
          f"max {max(walls[1:]):.0f} ms; CPU (process + backend) median "
          f"{statistics.median(cpus):.0f} ms")  # fmt: skip
    if args.profile:
        profiler = cProfile.Profile()
        pk = ids[20_000]
        Project.objects.filter(pk=pk).update(title=f"โครงการประปา {time.time()}")
        profiler.enable()
        services.rescore_projects([pk])
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
