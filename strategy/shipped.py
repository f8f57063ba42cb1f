"""The public reference data shipped in ``strategy/data`` (see its SOURCES.md), turned into
the import format and loaded through the same resource as an admin's file.

Nothing here adds a row the sources do not print: rows without a code keep an empty code, rows
whose edition the source does not state go to the ``mp-unknown`` edition.
"""

from __future__ import annotations

import csv
from pathlib import Path

import tablib
from django.db import transaction

from .importing import ImportReport, ParsedFile, import_dataset
from .models import Edition
from .resources import COLUMNS

DATA_DIR = Path(__file__).resolve().parent / "data"
MASTER_PLAN_EDITIONS = {"2561": "mp-2561", "2566": "mp-2566", "unknown": "mp-unknown"}
SOURCES = "strategy/data/SOURCES.md"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shipped_rows() -> list[dict[str, str]]:
    """Every shipped hierarchy row in the import columns."""
    out: list[dict[str, str]] = []

    def add(**values: str) -> None:
        out.append({c: values.get(c, "") or "" for c in COLUMNS})

    for r in _rows("national_strategies.csv"):
        add(
            edition="ns-2561",
            kind="strategy",
            code=r["code"],
            number=r["number"],
            title_th=r["title_th"],
            full_title_th=r["full_title_th"],
            title_en=r["title_en"],
            source=SOURCES,
        )
    # SOURCES.md: the 23 titles are the same in every edition of the master plans.
    for edition in MASTER_PLAN_EDITIONS.values():
        for r in _rows("master_plans.csv"):
            add(
                edition=edition,
                kind="master_plan",
                code=r["code"],
                number=r["number"],
                title_th=r["title_th"],
                full_title_th=r["full_title_th"],
                source=SOURCES,
            )
    for r in _rows("master_plan_targets.csv"):
        add(
            edition=MASTER_PLAN_EDITIONS[r["edition"]],
            kind="y2",
            code=r["code"],
            parent_code=r["master_plan_code"],
            title_th=r["text_th"],
            source=r["sources"],
        )
    for r in _rows("sub_plans.csv"):
        add(
            edition=MASTER_PLAN_EDITIONS[r["edition"]],
            kind="sub_plan",
            code=r["code"],
            parent_code=r["master_plan_code"],
            title_th=r["title_th"],
            source=r["sources"],
        )
    for r in _rows("sub_plan_targets.csv"):
        add(
            edition=MASTER_PLAN_EDITIONS[r["edition"]],
            kind="y1",
            code=r["code"],
            parent_code=r["sub_plan_code"] or r["master_plan_code"],
            title_th=r["text_th"],
            source=r["sources"],
        )
    for r in _rows("value_chain_factors.csv"):
        add(
            edition="mp-2566",
            kind=r["kind"],
            code=r["code"],
            parent_code=r["parent_component_code"] or r["sub_plan_target_code"],
            title_th=r["title_th"],
            source=SOURCES,
        )
    for r in _rows("nesdp13_milestones.csv"):
        add(
            edition="nesdp-13",
            kind="milestone",
            code=r["code"],
            number=r["number"],
            title_th=r["title_th"],
            full_title_th=r["full_title_th"],
            source=SOURCES,
        )
    for r in _rows("reform_areas.csv"):
        add(
            edition="reform-2564",
            kind="reform",
            number=r["seq_in_source_list"],
            title_th=r["title_th"],
            full_title_th=r["full_title_th"],
            source=r["source_url"],
        )
    for r in _rows("sdg_goals.csv"):
        add(
            edition="sdg-2030",
            kind="sdg_goal",
            code=r["code"],
            number=r["number"],
            title_th=r["short_th"],
            full_title_th=r["title_th"],
            title_en=r["title_en"],
            source=SOURCES,
        )
    for r in _rows("sdg_targets.csv"):
        add(
            edition="sdg-2030",
            kind="sdg_target",
            code=r["code"],
            parent_code=r["goal_code"],
            title_en=r["text_en"],
            source=SOURCES,
        )
    return out


def load_editions() -> int:
    """Create or update the shipped editions; returns how many changed."""
    changed = 0
    for r in _rows("editions.csv"):
        values = {
            "family": r["family"],
            "title_th": r["title_th"],
            "title_en": r["title_en"],
            "fiscal_year_from": int(r["fiscal_year_from"]) if r["fiscal_year_from"] else None,
            "fiscal_year_to": int(r["fiscal_year_to"]) if r["fiscal_year_to"] else None,
            "note": r["note"],
        }
        edition, created = Edition.objects.get_or_create(code=r["code"], defaults=values)
        if not created and any(getattr(edition, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(edition, k, v)
            edition.save()
            changed += 1
        changed += created
    return changed


@transaction.atomic
def load_shipped() -> ImportReport:
    """Load editions and the shipped hierarchy; loading twice changes nothing."""
    load_editions()
    rows = shipped_rows()
    dataset = tablib.Dataset(*([r[c] for c in COLUMNS] for r in rows), headers=list(COLUMNS))
    report = import_dataset(ParsedFile(dataset=dataset), commit=True)
    if report.has_errors:
        problems = "; ".join(f"line {r.line}: {r.error_text}" for r in report.rejected[:5])
        raise ValueError(f"The shipped strategy data does not load: {problems}")
    return report
