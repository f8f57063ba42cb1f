"""Chart geometry shared by the apps' pages: computed here so templates only draw it as inline
SVG (printable, no JavaScript, nothing from a CDN). ``Shape`` is one positioned mark or label;
``radar_chart`` lays out values on N axes (the quality rubric on project pages)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Shape:
    x: float
    y: float
    w: float = 0
    h: float = 0
    cls: str = ""
    text: str = ""
    url: str = ""  # a bar that clicks through to the list behind its figure

    @property
    def right(self) -> float:
        return round(self.x + self.w, 1)

    @property
    def left_of(self) -> float:
        return round(self.x - 6, 1)


@dataclass
class RadarSeries:
    name: str
    cls: str
    points: str  # an SVG polygon's "x,y x,y ..."
    dots: list[Shape] = field(default_factory=list)


@dataclass
class Radar:
    width: int
    height: int
    cx: float
    cy: float
    rings: list[str] = field(default_factory=list)
    spokes: list[Shape] = field(default_factory=list)  # x, y: the outer end of each axis
    labels: list[Shape] = field(default_factory=list)  # cls: the text-anchor
    series: list[RadarSeries] = field(default_factory=list)


def _point(cx: float, cy: float, radius: float, i: int, n: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n  # the first axis points up, then clockwise
    return round(cx + radius * math.cos(angle), 1), round(cy + radius * math.sin(angle), 1)


def radar_chart(axes: list[str], series: list[tuple[str, str, list[float]]], maximum: float,
                radius: float = 110, margin: float = 0) -> Radar:  # fmt: skip
    """``series``: (name, css class, one value per axis in 0..maximum). ``margin``: room for
    the axis labels around the circle (0 draws none: the small chart of a list row)."""
    n = len(axes)
    side, top = (margin, 28) if margin else (0, 0)  # labels run sideways more than up and down
    width, height = 2 * (radius + side) + 8, 2 * (radius + top) + 8
    chart = Radar(round(width), round(height), round(width / 2, 1), round(height / 2, 1))
    steps = int(maximum)
    for level in range(1, steps + 1):
        r = radius * level / steps
        ring = (_point(chart.cx, chart.cy, r, i, n) for i in range(n))
        chart.rings.append(" ".join(f"{x},{y}" for x, y in ring))
    for i, label in enumerate(axes):
        x, y = _point(chart.cx, chart.cy, radius, i, n)
        chart.spokes.append(Shape(x, y))
        if margin:
            lx, ly = _point(chart.cx, chart.cy, radius + 10, i, n)
            dx = lx - chart.cx
            anchor = "start" if dx > 5 else "end" if dx < -5 else "middle"
            ly = ly + (4 if abs(dx) > 5 else (-4 if ly < chart.cy else 14))
            chart.labels.append(Shape(lx, round(ly, 1), cls=anchor, text=label))
    for name, cls, values in series:
        pts = [
            _point(chart.cx, chart.cy, radius * max(0.0, min(float(v), maximum)) / maximum, i, n)
            for i, v in enumerate(values)
        ]
        dots = [Shape(x, y, text=f"{axes[i]}: {values[i]:g}") for i, (x, y) in enumerate(pts)]
        chart.series.append(RadarSeries(name, cls, " ".join(f"{x},{y}" for x, y in pts), dots))
    return chart
