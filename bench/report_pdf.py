"""The PDF reports at national scale: the master-plan summary of a fiscal year for a central
analyst (every project of the year) and the agency quarterly report of the largest department
and of its ministry. Prints the time to gather the figures, the time to lay out and write the
pages, the page count and the peak memory.

    createdb -h 127.0.0.1 -U postgres -T emenscr_country emenscr_country_NAME
    .venv/bin/python bench/report_pdf.py --database emenscr_country_NAME

Reads only (the files go to a temporary folder); run it on a copy of the country database.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import machine, peak_rss_mb, setup_django


def timed(render, *args) -> tuple[float, float, int]:
    """(seconds gathering, seconds laying out and writing, rows) of one render."""
    start = time.perf_counter()
    marks: list[float] = []

    def progress(done: int, total: int) -> None:
        if done * 2 >= total and not marks:  # the first half of the bar is the data
            marks.append(time.perf_counter())

    rows = render(*args, progress)
    end = time.perf_counter()
    gathered = marks[0] if marks else end
    return gathered - start, end - gathered, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="emenscr_country_bench")
    parser.add_argument("--fiscal-year", type=int, default=2568)
    parser.add_argument("--quarter", type=int, default=1)
    parser.add_argument("--only-ministry", action="store_true",
                        help="only the ministry report: its own peak memory")  # fmt: skip
    args = parser.parse_args()
    setup_django(args.database)

    from django.db.models import Count
    from django.utils import translation
    from pypdf import PdfReader

    from agencies.models import Agency, Membership
    from projects.models import Project
    from reports.builders import agency_quarter, master_plan

    translation.activate("th")
    print(machine())
    analyst = Membership.objects.filter(role=Membership.Role.ANALYST).first().user
    biggest = (
        Project.objects.filter(fiscal_year=args.fiscal_year, status="approved",
                               agency__kind=Agency.Kind.DEPARTMENT)
        .values("agency").annotate(n=Count("id")).order_by("-n").first()
    )  # fmt: skip
    department = Agency.objects.get(pk=biggest["agency"])
    ministry = department.parent
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        if not args.only_ministry:
            filters = {"fiscal_year": args.fiscal_year}
            gather, layout, rows = timed(master_plan.render, analyst, filters, path)
            pages = len(PdfReader(path).pages)
            print(f"master-plan summary FY {args.fiscal_year}, analyst: {rows} rows, "
                  f"{pages} pages, figures {gather:.1f} s, pages {layout:.1f} s")  # fmt: skip
        for agency in (ministry,) if args.only_ministry else (department, ministry):
            filters = {"agency": agency.pk, "fiscal_year": args.fiscal_year,
                       "quarter": args.quarter}  # fmt: skip
            gather, layout, rows = timed(agency_quarter.render, analyst, filters, path)
            pages = len(PdfReader(path).pages)
            print(f"agency quarterly Q{args.quarter}/{args.fiscal_year} {agency.code} "
                  f"({agency.get_kind_display()}): {rows} projects, {pages} pages, "
                  f"figures {gather:.1f} s, pages {layout:.1f} s, "
                  f"{path.stat().st_size / 1e6:.1f} MB file, "
                  f"peak RSS so far {peak_rss_mb():.0f} MB")  # fmt: skip
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
