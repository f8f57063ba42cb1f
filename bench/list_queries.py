"""Benchmark: what select_related / prefetch_related buy the project list, against the naive
version of the same selector (each row then reads its agency, the ministry above it and its
primary link with queries of its own: the N+1 the design notes warn of).

    createdb -h 127.0.0.1 -U postgres -T emenscr_country emenscr_country_NAME
    .venv/bin/python bench/list_queries.py --database emenscr_country_NAME [--pages 20]
    dropdb -h 127.0.0.1 -U postgres emenscr_country_NAME

Run it on a copy of the country database of bench/fill_country.py (it runs migrate). Both
versions build the same rows (checked) for the same pages; the figures are per page.
"""

from __future__ import annotations

import argparse
import statistics
import time

try:
    from common import machine, setup_django
except ModuleNotFoundError:  # imported as bench.list_queries
    from bench.common import machine, setup_django

USERS = (("analyst", "bench_analyst"), ("ministry approver", "bench_ministry_B01"),
         ("staff", "bench_staff_B01001"))  # fmt: skip


def row(project, links) -> tuple:
    """What a list row shows (templates/projects/list.html)."""
    agency = project.agency
    return (
        project.pk, project.title, project.status, agency.code, agency.name_th,
        agency.parent.name_th if agency.parent_id else "",
        sorted((link.node.code, link.node.label, link.node.parent.code if link.node.parent_id
                else "", link.factor.code if link.factor_id else "") for link in links),
    )  # fmt: skip


def tuned_page(qs, offset: int, size: int) -> list[tuple]:
    return [row(p, p.primary_links) for p in qs[offset : offset + size]]


def naive_page(qs, offset: int, size: int) -> list[tuple]:
    naive = qs.select_related(None).prefetch_related(None)
    return [row(p, p.links.filter(is_primary=True)) for p in naive[offset : offset + size]]


def measure(build, qs, pages: int, size: int) -> tuple[list[float], int, list]:
    """Time per page, queries per page, the rows."""
    from django.db import connection

    times, rows, count = [], [], [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        for page in range(pages):
            start = time.perf_counter()
            rows.append(build(qs, page * size, size))
            times.append(time.perf_counter() - start)
    return times, count[0] // pages, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True, help="a copy of emenscr_country")
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    setup_django(args.database)
    import os

    from django.contrib.auth import get_user_model

    from projects.selectors import visible_projects

    print(machine())
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    User = get_user_model()
    print(f"{'user':<18} {'rows':>4} {'pages':>5} {'tuned ms':>9} {'q':>3} {'naive ms':>9} "
          f"{'q':>4} {'ratio':>6}")  # fmt: skip
    for label, username in USERS:
        user = User.objects.get(username=username)
        for size in (25, 100):
            qs = visible_projects(user)
            pages = max(1, min(args.pages, qs.count() // size))  # full pages only
            measure(tuned_page, qs, 1, size)  # warm the caches for both
            tuned, tuned_q, tuned_rows = measure(tuned_page, qs, pages, size)
            naive, naive_q, naive_rows = measure(naive_page, qs, pages, size)
            assert tuned_rows == naive_rows, "the two versions show different rows"
            t, n = statistics.median(tuned) * 1000, statistics.median(naive) * 1000
            print(f"{label:<18} {size:>4} {pages:>5} {t:>9.1f} {tuned_q:>3} {n:>9.1f} {naive_q:>4} "
                  f"{n / t:>5.1f}x")  # fmt: skip
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
