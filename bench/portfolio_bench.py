"""Benchmark: the portfolio XLSX of 100,000 projects (target: at most 90 s and 600 MB peak
memory), built as the Celery task builds it (``reports.services.build``) for a central analyst
who sees every submitted project, on a copy of bench/fill_country.py's database.

    createdb -h 127.0.0.1 -U postgres -T emenscr_country emenscr_country_NAME
    .venv/bin/python bench/portfolio_bench.py --database emenscr_country_NAME [--format xlsx]

The report streams: project ids first, then chunks of 1,000 projects with their rows prefetched
(reports/builders/portfolio.py), each row written straight to disk (xlsxwriter's constant-memory
mode, reports/writers.py). Peak memory is this process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import time

from common import machine, peak_rss_mb, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="emenscr_country_dashboards")
    parser.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
    args = parser.parse_args()
    setup_django(args.database)

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from agencies.models import Membership
    from reports.models import ReportJob
    from reports.services import build

    print(machine())
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    analyst = (
        get_user_model()
        .objects.filter(memberships__role=Membership.Role.ANALYST, is_active=True)
        .first()
    )
    before = peak_rss_mb()
    job = ReportJob.objects.create(owner=analyst, report="portfolio", format=args.format,
                                   filters={}, title="bench portfolio")  # fmt: skip
    start = time.perf_counter()
    build(job.pk)
    seconds = time.perf_counter() - start
    job.refresh_from_db()
    size = job.file.size if job.file else 0
    print(f"state: {job.state} {job.error_detail[:200]}")
    print(f"rows: {job.row_count:,}; file: {size / 2**20:.1f} MiB ({settings.MEDIA_ROOT})")
    print(f"time: {seconds:.1f} s (target 90 s: {'met' if seconds <= 90 else 'NOT met'})")
    peak = peak_rss_mb()
    print(f"peak RSS: {peak:.0f} MB (before the build {before:.0f} MB; target 600 MB: "
          f"{'met' if peak <= 600 else 'NOT met'})")  # fmt: skip
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if job.file:
        job.file.delete(save=False)
    job.delete()


if __name__ == "__main__":
    main()
