"""The dashboards' charts, drawn with the progress app's SVG shapes (``progress.charts``): each
bar links to the list behind its figure."""

from __future__ import annotations

from django.utils.translation import gettext as _

from progress.charts import Bar, Chart, grouped_chart, horizontal_chart


def _count(value) -> str:
    return f"{int(value):,}"


def charts(d: dict) -> dict[str, Chart]:
    """Chart geometry for the figures of ``selectors.dashboard``."""
    return {
        "status": horizontal_chart(
            [Bar(f.label, f.count, "status", url=f.url) for f in d["statuses"]], fmt=_count
        ),
        "plans": horizontal_chart(
            [Bar(f.label, f.amount, "budget", url=f.url) for f in d["plans"]]
        ),
        "quarters": grouped_chart(
            [
                (
                    q.label,
                    [
                        Bar(q.label, q.planned, "planned", _("planned"), d["approved"].url),
                        Bar(q.label, q.disbursed, "disbursed", _("disbursed"), q.url),
                    ],
                )
                for q in d["quarters"]
            ]
        ),
        "bands": grouped_chart(
            [
                (
                    f.label,
                    [
                        Bar(
                            f.label,
                            f.count,
                            "weak" if f.extra["weak"] else "band",
                            _("projects"),
                            f.url,
                        )
                    ],
                )
                for f in d["bands"]
            ],
            height=240,
            fmt=_count,
        ),
    }
