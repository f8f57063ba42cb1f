"""The plan list as a table for CSV/XLSX downloads."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _


def export_headers() -> list[str]:
    return [
        _("agency code"), _("agency"), _("plan type"), _("title"), _("from fiscal year"),
        _("to fiscal year"), _("status"), _("primary link code"), _("primary link"),
        _("agency's plan reference"),
    ]  # fmt: skip


def export_rows(plans) -> Iterator[list]:
    for p in plans.iterator(chunk_size=2000):
        primary = next(iter(getattr(p, "primary_links", [])), None)
        yield [
            p.agency.code, p.agency.name_th, p.get_plan_type_display(), p.title, p.year_from,
            p.year_to, p.get_status_display(),
            primary.node.code if primary else "", primary.node.label if primary else "",
            p.reference,
        ]  # fmt: skip
