"""The quality rubric's automatic pass on the country database (a copy of emenscr_country):
the rules alone per project, and the whole pass (reads + write) per 1,000-project chunk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emenscr_country_NAME \
        .venv/bin/python manage.py migrate linkage && \
        .venv/bin/python -m bench.rubric_bench [--projects 20000]
"""

from __future__ import annotations

import argparse
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emenscr.settings")
django.setup()

from linkage import rubric, rubric_services  # noqa: E402
from projects.models import Project  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=20_000)
    n = parser.parse_args().projects
    ids = list(Project.objects.filter(is_current=True).order_by("pk")
               .values_list("pk", flat=True)[:n])  # fmt: skip
    chunks = [ids[i : i + 1000] for i in range(0, len(ids), 1000)]

    started = time.perf_counter()
    inputs = [inp for c in chunks for inp in rubric_services.read_inputs(c).values()]
    read = time.perf_counter() - started
    started = time.perf_counter()
    for inp in inputs:
        rubric.assess(inp)
    rules = time.perf_counter() - started

    started = time.perf_counter()
    written = sum(rubric_services.assess_projects(c) for c in chunks)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = sum(rubric_services.assess_projects(c) for c in chunks)
    second = time.perf_counter() - started
    started = time.perf_counter()
    for pk in ids[:200]:
        rubric_services.assess_projects([pk])
    single = (time.perf_counter() - started) / min(200, len(ids))
    k = len(ids) / 1000
    print(f"projects {len(ids)} in {len(chunks)} chunks of 1,000")
    print(f"rules alone: {rules / len(ids) * 1e6:.0f} µs a project")
    print(f"reads alone: {read / k * 1000:.0f} ms per 1,000")
    print(f"first pass (writes {written}): {first / k * 1000:.0f} ms per 1,000 "
          f"= {first / len(ids) * 1e6:.0f} µs a project")  # fmt: skip
    print(f"second pass (writes {again}): {second / k * 1000:.0f} ms per 1,000 "
          f"= {second / len(ids) * 1e6:.0f} µs a project")  # fmt: skip
    print(f"one project at a time (the on-save task, unchanged): {single * 1000:.1f} ms")


if __name__ == "__main__":
    main()
