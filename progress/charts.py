"""Chart geometry for the project page, computed here so the templates only draw it as inline
SVG: printable, no JavaScript, nothing from a CDN. Values come from filed reports (submitted or
accepted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from core.fiscal import fiscal_quarter, quarter_bounds, quarter_label
from projects.rules import parse_number

from .rules import parse_actual

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 16, 46


@dataclass
class Shape:
    x: float
    y: float
    w: float = 0
    h: float = 0
    cls: str = ""
    text: str = ""

    @property
    def right(self) -> float:
        return round(self.x + self.w, 1)

    @property
    def left_of(self) -> float:
        return round(self.x - 6, 1)


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Shape] = field(default_factory=list)
    labels: list[Shape] = field(default_factory=list)
    grid: list[Shape] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # the same numbers, as a table

    @property
    def empty(self) -> bool:
        return not self.rows


def compact(value: Decimal | float) -> str:
    """Baht for an axis: 1.5 ล้าน, 250,000."""
    value = float(value)
    if abs(value) >= 1_000_000:
        return _("%(n)s M") % {"n": f"{value / 1_000_000:,.1f}".rstrip("0").rstrip(".")}
    return f"{value:,.0f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def planned_by_quarter(project) -> dict[tuple[int, int], Decimal]:
    """Each activity's budget spread evenly over its days (the project's if it has none),
    summed per fiscal quarter: the plan the disbursement is compared with."""
    planned: dict[tuple[int, int], Decimal] = {}
    items = [(a.budget or Decimal(0), a.start_date, a.end_date) for a in project.activities.all()]
    if not any(amount for amount, _s, _e in items):
        items = [(project.total_budget or Decimal(0), None, None)]
    for amount, start, end in items:
        start = start or project.start_date
        end = end or project.end_date
        if not (amount and start and end) or end < start:
            continue
        days = (end - start).days + 1
        day = start
        while day <= end:
            fy, q = fiscal_quarter(day)
            q_end = min(quarter_bounds(fy, q)[1], end)
            share = Decimal((q_end - day).days + 1) / Decimal(days)
            planned[fy, q] = planned.get((fy, q), Decimal(0)) + amount * share
            day = q_end + timedelta(days=1)
    return {k: v.quantize(Decimal("0.01")) for k, v in planned.items()}


def budget_chart(project, periods, budget_rows) -> Chart:
    """Grouped bars per quarter: planned (activity budgets) and disbursed (filed reports)."""
    quarters = [(p.fiscal_year, p.quarter) for p in periods if not p.is_closing]
    planned = planned_by_quarter(project)
    disbursed: dict[tuple[int, int], Decimal] = {}
    for row in budget_rows:
        if row.report.kind == "quarterly":
            key = (row.report.fiscal_year, row.report.quarter)
            disbursed[key] = disbursed.get(key, Decimal(0)) + row.disbursed
    chart = Chart(WIDTH, HEIGHT)
    if not quarters:
        return chart
    top = _nice_max(float(max([*planned.values(), *disbursed.values(), Decimal(0)])))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    for i in range(5):
        y = TOP + plot_h * i / 4
        chart.grid.append(Shape(LEFT, y, plot_w, 0, "grid", compact(top * (4 - i) / 4)))
    slot = plot_w / len(quarters)
    bar = min(28.0, slot * 0.36)
    for i, key in enumerate(quarters):
        x0 = LEFT + slot * i + slot / 2
        plan, paid = planned.get(key, Decimal(0)), disbursed.get(key)
        for value, cls, dx, name in (
            (plan, "planned", -bar, _("planned")),
            (paid or Decimal(0), "disbursed", 0, _("disbursed")),
        ):
            h = plot_h * float(value) / top
            chart.bars.append(
                Shape(
                    round(x0 + dx, 1),
                    round(TOP + plot_h - h, 1),
                    round(bar, 1),
                    round(h, 1),
                    cls,
                    f"{quarter_label(*key)} {name}: {value:,.2f}",
                )
            )
        chart.labels.append(Shape(round(x0, 1), HEIGHT - BOTTOM + 18, text=quarter_label(*key)))
        chart.rows.append({"label": quarter_label(*key), "planned": plan, "disbursed": paid})
    return chart


KPI_ROW = 46
KPI_LEFT = 260


def kpi_chart(project, kpi_rows) -> Chart:
    """One row per KPI: the target as the full track and the latest filed actual on it."""
    latest: dict = {}
    order = sorted(
        kpi_rows, key=lambda r: (r.report.kind == "closing", r.report.fiscal_year, r.report.quarter)
    )
    for row in order:  # later reports overwrite earlier ones
        latest[row.kpi.name] = row
    kpis = list(project.kpis.all())
    chart = Chart(WIDTH, max(1, len(kpis)) * KPI_ROW + 8)
    track = WIDTH - KPI_LEFT - 150
    for i, kpi in enumerate(kpis):
        y = 8 + i * KPI_ROW
        target = parse_number(kpi.target_value)
        row = latest.get(kpi.name)
        actual = parse_actual(row.actual_value, kpi.unit)[0] if row else None
        scale = max(float(target or 0), float(actual or 0)) or 1.0
        chart.labels.append(Shape(8, y + 18, text=kpi.name[:48]))
        target_w = track * float(target or 0) / scale
        chart.bars.append(
            Shape(
                KPI_LEFT,
                y + 4,
                round(target_w, 1),
                22,
                "target",
                f"{kpi.name}: {_('target')} {kpi.target_value} {kpi.unit}",
            )
        )
        if actual is not None:
            chart.bars.append(
                Shape(
                    KPI_LEFT,
                    y + 9,
                    round(track * float(actual) / scale, 1),
                    12,
                    "actual",
                    f"{kpi.name}: {_('actual')} {actual} {kpi.unit}",
                )
            )
        percent = f"{actual / target * 100:,.0f}%" if actual is not None and target else ""
        value = f"{_fmt(actual) if actual is not None else '–'} / {kpi.target_value} {kpi.unit}"
        chart.labels.append(Shape(KPI_LEFT + track + 8, y + 20, text=f"{value} {percent}".strip()))
        chart.rows.append(
            {
                "kpi": kpi,
                "target": kpi.target_value,
                "actual": actual,
                "percent": percent,
                "period": row.report.short_label if row else "",
            }
        )
    return chart


def _fmt(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text
