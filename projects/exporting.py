"""The project list as a table for CSV/XLSX downloads."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from core.thai import format_date


def EXPORT_HEADERS() -> list[str]:
    return [
        _("agency code"), _("agency"), _("fiscal year"), _("type"), _("title"), _("status"),
        _("total budget (baht)"), _("start date"), _("end date"), _("primary link code"),
        _("primary link"), _("agency's own reference"),
    ]  # fmt: skip


def export_rows(projects) -> Iterator[list]:
    for p in projects.iterator(chunk_size=2000):
        primary = next(iter(getattr(p, "primary_links", [])), None)
        yield [
            p.agency.code, p.agency.name_th, p.fiscal_year, p.get_kind_display(), p.title,
            p.get_status_display(), p.total_budget, format_date(p.start_date),
            format_date(p.end_date),
            primary.node.code if primary else "", primary.node.label if primary else "",
            p.reference,
        ]  # fmt: skip
