"""Benchmark: the admin import of a 5,000-node strategy file from XLSX, dry run plus commit
(target: at most 15 s together), then the same file again (every row unchanged).

    .venv/bin/python bench/strategy_import.py [--rows 5000] [--database NAME] [--skip-per-row]

Times the bulk path (what a file of this size takes) and then the per-row django-import-export
path on the same file (the naive version), checks that both report the same, prints the ratio.

The file is generated: a benchmark edition shaped like the master plans (23 plans, their Y2
targets, sub-plans, Y1 targets, value-chain components and factors), in its own throwaway
database. It is not strategy data and is never shipped.
"""

from __future__ import annotations

import argparse
import io
import time

try:
    from common import machine, peak_rss_mb, setup_django
except ModuleNotFoundError:  # imported as bench.strategy_import: the tests use its generator
    from bench.common import machine, peak_rss_mb, setup_django

EDITION = "bench-mp"
TOPICS = [
    "ความมั่นคง", "การต่างประเทศ", "การเกษตร", "อุตสาหกรรมและบริการแห่งอนาคต", "การท่องเที่ยว",
    "พื้นที่และเมืองน่าอยู่อัจฉริยะ", "โครงสร้างพื้นฐาน ระบบโลจิสติกส์ และดิจิทัล",
    "ผู้ประกอบการและวิสาหกิจขนาดกลางและขนาดย่อม", "เขตเศรษฐกิจพิเศษ", "การปรับเปลี่ยนค่านิยมและวัฒนธรรม",
    "การพัฒนาศักยภาพคนตลอดช่วงชีวิต", "การพัฒนาการเรียนรู้", "การเสริมสร้างให้คนไทยมีสุขภาวะที่ดี",
    "ศักยภาพการกีฬา", "พลังทางสังคม", "เศรษฐกิจฐานราก", "ความเสมอภาคและหลักประกันทางสังคม",
    "การเติบโตอย่างยั่งยืน", "การบริหารจัดการน้ำทั้งระบบ", "การบริการประชาชนและประสิทธิภาพภาครัฐ",
    "การต่อต้านการทุจริตและประพฤติมิชอบ", "กฎหมายและกระบวนการยุติธรรม", "การวิจัยและพัฒนานวัตกรรม",
]  # fmt: skip
AIMS = ["เพิ่มขึ้น", "ได้รับการพัฒนา", "มีประสิทธิภาพสูงขึ้น", "เข้าถึงบริการอย่างทั่วถึง", "ลดลง"]
HEADERS = ["edition", "kind", "code", "parent_code", "number", "title_th"]


def rows(limit: int) -> list[list]:
    """Breadth-first, so a file cut at ``limit`` rows still has every parent before its child."""
    levels: list[list[list]] = [[] for _ in range(6)]
    for m, topic in enumerate(TOPICS, start=1):
        mp = f"{m:02d}"
        levels[0].append([EDITION, "master_plan", mp, "", m, f"แผนแม่บทด้าน{topic}"])
        for t in range(1, 3):
            levels[1].append([EDITION, "y2", f"{mp}00{t:02d}", mp, t,
                              f"{topic}{AIMS[t % 5]} (เป้าหมายที่ {t})"])  # fmt: skip
        for s in range(1, 7):
            sp = f"{mp}{s:02d}"
            levels[1].append([EDITION, "sub_plan", sp, mp, s, f"แผนย่อยที่ {s} ด้าน{topic}"])
            for y in range(1, 4):
                y1 = f"{sp}{y:02d}"
                levels[2].append([EDITION, "y1", y1, sp, y,
                                  f"ผลสัมฤทธิ์ด้าน{topic} ข้อ {s}.{y} {AIMS[(s + y) % 5]}"])  # fmt: skip
                for c in range(1, 3):
                    comp = f"{y1}C{c}"
                    levels[3].append([EDITION, "component", comp, y1, c,
                                      f"องค์ประกอบที่ {c} ของเป้าหมาย {y1}"])  # fmt: skip
                    for f in range(1, 6):
                        levels[4].append([EDITION, "factor", f"{comp}F{f}", comp, f,
                                          f"ปัจจัยที่ {f}: ความพร้อมของ{topic} ({comp})"])  # fmt: skip
    flat = [row for level in levels for row in level]
    return flat[:limit]


def xlsx(data: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database", default="emenscr_bench")
    parser.add_argument("--skip-per-row", action="store_true",
                        help="time only the bulk path (no ratio to the per-row one)")  # fmt: skip
    args = parser.parse_args()
    setup_django(args.database)
    from django.conf import settings

    from strategy.importing import import_dataset, read_table
    from strategy.models import Edition, Node

    settings.STRATEGY_IMPORT_MAX_ROWS = max(settings.STRATEGY_IMPORT_MAX_ROWS, args.rows)
    content = xlsx(rows(args.rows))
    print(machine())
    print(f"file: {args.rows} rows, {len(content) / 1e6:.2f} MB XLSX")

    def fresh() -> None:
        Node.objects.filter(edition__code=EDITION).order_by("-id").delete()  # children first
        Edition.objects.update_or_create(
            code=EDITION,
            defaults={"family": Edition.Family.MASTER_PLAN, "title_th": "ฉบับทดสอบความเร็ว"},
        )

    def timed(label: str, commit: bool, bulk: bool) -> tuple[float, list]:
        start = time.perf_counter()
        parsed = read_table(content, "strategy.xlsx")
        report = import_dataset(parsed, commit=commit, bulk=bulk)
        took = time.perf_counter() - start
        counts = report.counts
        print(f"{label:<30} {took:6.2f} s   {counts}")
        assert counts["error"] == 0, [r.errors for r in report.rows if r.errors][:3]
        return took, [(r.line, r.status, r.errors) for r in report.rows]

    def run(bulk: bool) -> tuple[float, list]:
        name = "bulk" if bulk else "per-row"
        fresh()
        dry, dry_report = timed(f"{name}: dry run", commit=False, bulk=bulk)
        real, real_report = timed(f"{name}: commit", commit=True, bulk=bulk)
        again, again_report = timed(f"{name}: same file again", commit=False, bulk=bulk)
        assert Node.objects.filter(edition__code=EDITION).count() == args.rows
        print(f"{name}: dry run + commit {dry + real:.2f} s; re-check {again:.2f} s")
        return dry + real, [dry_report, real_report, again_report]

    bulk, bulk_reports = run(bulk=True)
    print(f"bulk dry run + commit: {bulk:.2f} s (target <= 15 s); peak RSS {peak_rss_mb():.0f} MB")
    if not args.skip_per_row:
        per_row, per_row_reports = run(bulk=False)
        assert per_row_reports == bulk_reports, "the two paths report differently"
        print(f"per-row / bulk: {per_row / bulk:.1f}x (same report row for row)")
    fresh()


if __name__ == "__main__":
    main()
