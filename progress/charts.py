"""Chart geometry for the project page and the dashboards, computed here so the templates only
draw it as inline SVG: printable, no JavaScript, nothing from a CDN. ``grouped_chart`` (bars per
group, e.g. planned and disbursed per quarter) and ``horizontal_chart`` (one labelled bar per row,
e.g. budget per master plan) are the general shapes; the project page's charts are built on
them. ``Shape`` is shared, in core/charts.py. Values come from filed reports (submitted or
accepted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from core.charts import Shape
from core.fiscal import fiscal_quarter, quarter_bounds, quarter_label
from projects.rules import parse_number

from .rules import parse_actual

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 16, 46


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


@dataclass
class Bar:
    """One value to draw: its group or row label, the number, a CSS class (the series) and
    where a click on it leads."""

    label: str
    value: Decimal | float | int
    cls: str = "bar"
    name: str = ""  # the series, for the tooltip
    url: str = ""


def _baht(value) -> str:
    return f"{value:,.2f}"


def grouped_chart(groups: list[tuple[str, list[Bar]]], width: int = WIDTH,
                  height: int = HEIGHT, fmt=_baht) -> Chart:  # fmt: skip
    """Vertical bars side by side per group over a baht axis with four grid lines."""
    chart = Chart(width, height)
    if not groups:
        return chart
    values = [float(b.value or 0) for _label, bars in groups for b in bars]
    top = _nice_max(max([*values, 0.0]))
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    for i in range(5):
        y = TOP + plot_h * i / 4
        chart.grid.append(Shape(LEFT, y, plot_w, 0, "grid", compact(top * (4 - i) / 4)))
    slot = plot_w / len(groups)
    per_group = max(len(bars) for _label, bars in groups) or 1
    bar = min(28.0, slot * 0.72 / per_group)
    for i, (label, bars) in enumerate(groups):
        x0 = LEFT + slot * i + slot / 2 - bar * len(bars) / 2
        for j, b in enumerate(bars):
            value = b.value or Decimal(0)
            h = plot_h * float(value) / top
            chart.bars.append(
                Shape(
                    round(x0 + j * bar, 1),
                    round(TOP + plot_h - h, 1),
                    round(bar, 1),
                    round(h, 1),
                    b.cls,
                    f"{label} {b.name}: {fmt(value)}".replace("  ", " "),
                    b.url,
                )
            )
        chart.labels.append(
            Shape(round(LEFT + slot * i + slot / 2, 1), height - BOTTOM + 18, text=label)
        )
    return chart


ROW, ROW_LABEL = 26, 300


def horizontal_chart(bars: list[Bar], width: int = WIDTH, fmt=compact) -> Chart:
    """One row per bar: the label on the left (cut to fit), the bar, its value after it.
    Suits long Thai labels (master plans) that would not fit under vertical bars."""
    chart = Chart(width, max(1, len(bars)) * ROW + 8)
    track = width - ROW_LABEL - 90
    top = max([float(b.value or 0) for b in bars] + [0.0]) or 1.0
    for i, b in enumerate(bars):
        y = 4 + i * ROW
        w = track * float(b.value or 0) / top
        label = b.label if len(b.label) <= 44 else b.label[:43] + "…"
        chart.labels.append(Shape(ROW_LABEL - 8, y + 16, cls="label", text=label, url=b.url))
        chart.bars.append(
            Shape(
                ROW_LABEL,
                y + 3,
                round(w, 1),
                ROW - 8,
                b.cls,
                f"{b.label}: {fmt(b.value)}",
                url=b.url,
            )
        )
        chart.labels.append(
            Shape(round(ROW_LABEL + w + 6, 1), y + 16, cls="value", text=fmt(b.value), url=b.url)
        )
    return chart


def budget_chart(project, periods, budget_rows) -> Chart:
    """Grouped bars per quarter: planned (activity budgets) and disbursed (filed reports)."""
    quarters = [(p.fiscal_year, p.quarter) for p in periods if not p.is_closing]
    planned = planned_by_quarter(project)
    disbursed: dict[tuple[int, int], Decimal] = {}
    for row in budget_rows:
        if row.report.kind == "quarterly":
            key = (row.report.fiscal_year, row.report.quarter)
            disbursed[key] = disbursed.get(key, Decimal(0)) + row.disbursed
    groups = [
        (quarter_label(*key), [
            Bar(quarter_label(*key), planned.get(key, Decimal(0)), "planned", _("planned")),
            Bar(quarter_label(*key), disbursed.get(key, Decimal(0)), "disbursed", _("disbursed")),
        ])
        for key in quarters
    ]  # fmt: skip
    chart = grouped_chart(groups)
    for key in quarters:
        chart.rows.append({"label": quarter_label(*key), "planned": planned.get(key, Decimal(0)),
                           "disbursed": disbursed.get(key)})  # fmt: skip
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
