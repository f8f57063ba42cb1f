"""The shipped public hierarchy: loaded with the counts SOURCES.md states, and idempotent."""

import re
from pathlib import Path

import pytest

from strategy.models import Edition, Kind, Node
from strategy.shipped import load_shipped

pytestmark = pytest.mark.django_db
SOURCES = Path(__file__).resolve().parent.parent / "strategy" / "data" / "SOURCES.md"
FILE_KINDS = {
    "national_strategies.csv": [Kind.STRATEGY],
    "master_plan_targets.csv": [Kind.MASTER_PLAN_TARGET],
    "sub_plans.csv": [Kind.SUB_PLAN],
    "sub_plan_targets.csv (Y1)": [Kind.SUB_PLAN_TARGET],
    "nesdp13_milestones.csv": [Kind.MILESTONE],
    "reform_areas.csv": [Kind.REFORM_AREA],
    "sdg_goals.csv": [Kind.SDG_GOAL],
    "sdg_targets.csv": [Kind.SDG_TARGET],
    "value_chain_factors.csv": [Kind.COMPONENT, Kind.FACTOR],
}


def documented_rows() -> dict[str, int]:
    """The 'rows' column of the table in SOURCES.md, by file."""
    rows = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*([^|]+?)\s*\|\s*(\d+)\s*\|", line)
        if match:
            rows[match.group(1)] = int(match.group(2))
    return rows


def test_every_file_of_sources_md_is_loaded_with_its_row_count():
    documented = documented_rows()
    assert set(FILE_KINDS) <= set(documented)
    for name, kinds in FILE_KINDS.items():
        assert Node.objects.filter(kind__in=kinds).count() == documented[name], name


def test_master_plans_stand_in_each_master_plan_edition():
    documented = documented_rows()["master_plans.csv"]
    for edition in Edition.objects.filter(family=Edition.Family.MASTER_PLAN):
        plans = Node.objects.filter(edition=edition, kind=Kind.MASTER_PLAN)
        assert plans.count() == documented == 23
    assert set(
        Node.objects.filter(edition__code="mp-2566", kind=Kind.MASTER_PLAN).values_list(
            "code", flat=True
        )
    ) == {f"{n:02d}" for n in range(1, 24)}


def test_targets_hang_under_the_plans_the_sources_name():
    y1 = Node.objects.get(edition__code="mp-2566", code="030401")
    assert [(a.kind, a.code) for a in y1.ancestors()] == [
        (Kind.MASTER_PLAN, "03"),
        (Kind.SUB_PLAN, "0304"),
    ]
    assert y1.title_th == "สินค้าเกษตรแปรรูปและผลิตภัณฑ์มีมูลค่าเพิ่มขึ้น"
    # The 2561 Y1 whose sub-plan the source does not print hangs under its master plan.
    y1_2561 = Node.objects.get(edition__code="mp-2561", code="040601")
    assert y1_2561.parent.code == "04"
    assert y1_2561.parent.kind == Kind.MASTER_PLAN
    # SDG targets under their goals.
    assert Node.objects.get(edition__code="sdg-2030", code="3.8").parent.code == "3"


def test_no_row_is_invented():
    """Rows without a code in the sources keep an empty code; rows of unknown edition are in
    an edition nothing can link to."""
    codeless = Node.objects.filter(code="").exclude(kind=Kind.REFORM_AREA)
    assert codeless.filter(kind=Kind.SUB_PLAN).count() == 5
    assert codeless.filter(kind=Kind.SUB_PLAN_TARGET).count() == 8
    unknown = Edition.objects.get(code="mp-unknown")
    assert not any(unknown.covers(fy) for fy in range(2560, 2581))
    assert Node.objects.filter(edition=unknown).exclude(kind=Kind.MASTER_PLAN).count() == 9
    # Y1 rows the source lists by code without their text stay without text.
    assert Node.objects.get(edition__code="mp-2561", code="050102").title_th == ""


def test_loading_twice_changes_nothing():
    before = {
        (n.edition_id, n.kind, n.code, n.title_th, n.parent_id, n.search_text)
        for n in Node.objects.all()
    }
    report = load_shipped()
    assert report.counts["new"] == report.counts["changed"] == report.counts["error"] == 0
    assert report.counts["unchanged"] == len(before)
    after = {
        (n.edition_id, n.kind, n.code, n.title_th, n.parent_id, n.search_text)
        for n in Node.objects.all()
    }
    assert after == before


def test_the_edition_follows_the_fiscal_year():
    from strategy.selectors import edition_for_fiscal_year

    family = Edition.Family.MASTER_PLAN
    assert edition_for_fiscal_year(family, 2565).code == "mp-2561"
    assert edition_for_fiscal_year(family, 2566).code == "mp-2561"
    assert edition_for_fiscal_year(family, 2567).code == "mp-2566"
    assert edition_for_fiscal_year(family, 2570).code == "mp-2566"
