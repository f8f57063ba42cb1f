"""Importing plans with their targets from an XLSX workbook: the same pattern as the strategy
import (strategy/importing.py). A dry run classifies every row and names each problem by sheet,
row and column in the user's language; the real run writes only a file without any error, all
of it in one transaction. Imported plans are drafts of the importing user.

Sheets: ``plans`` (one row a plan, keyed by agency code + reference) and ``targets`` (one row a
target, naming its plan's reference).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import access
from core import audit, thai
from core.exports import safe_cell
from core.forms import BuddhistDateField
from strategy.importing import ImportFileError
from strategy.models import Edition, Node
from workflow import engine

from . import rules, services
from .models import Plan, PlanTarget

PLAN_COLUMNS = (
    "reference", "agency_code", "plan_type", "title", "year_from", "year_to", "approved_by",
    "approved_by_other", "approved_on", "resolution_ref", "objectives", "primary_target",
    "other_targets",
)  # fmt: skip
PLAN_REQUIRED = ("reference", "agency_code", "plan_type", "title", "year_from", "year_to")
TARGET_COLUMNS = ("plan_reference", "order", "name", "indicator", "unit", "baseline", "values")
TARGET_REQUIRED = ("plan_reference", "name")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

__all__ = ["ImportFileError", "import_workbook", "read_workbook", "template_workbook"]


@dataclass
class RowReport:
    sheet: str
    line: int  # the row's line in the sheet (line 1 holds the headers)
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "error" if self.errors else "new"

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(str(message))

    @property
    def messages(self) -> list[str]:
        """Each problem as a sentence naming the sheet, row and column."""
        return [
            _("Sheet %(sheet)s, row %(line)s, column %(column)s: %(message)s")
            % {"sheet": self.sheet, "line": self.line, "column": column, "message": " ".join(m)}
            for column, m in self.errors.items()
        ]


@dataclass
class ImportReport:
    plans: list[RowReport]
    targets: list[RowReport]
    committed: bool = False

    @property
    def rows(self) -> list[RowReport]:
        return [*self.plans, *self.targets]

    @property
    def has_errors(self) -> bool:
        return any(r.errors for r in self.rows)

    @property
    def messages(self) -> list[str]:
        return [m for r in self.rows for m in r.messages]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "plans": sum(1 for r in self.plans if not r.errors),
            "targets": sum(1 for r in self.targets if not r.errors),
            "error": sum(1 for r in self.rows if r.errors),
        }


# --- reading ---------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return thai.normalize_cell(str(value))


def read_workbook(content: bytes) -> dict[str, list[dict[str, str]]]:
    """The rows of the ``plans`` and ``targets`` sheets as dicts (with their ``__line``)."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": len(content) / 1e6, "limit": MAX_BYTES / 1e6}
        )
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content[:4] != b"PK\x03\x04":
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx)."))
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx).")) from exc
    sheets = {}
    try:
        for name, columns, required in (("plans", PLAN_COLUMNS, PLAN_REQUIRED),
                                        ("targets", TARGET_COLUMNS, TARGET_REQUIRED)):  # fmt: skip
            if name not in workbook.sheetnames:
                raise ImportFileError(
                    _("The workbook has no sheet “%(sheet)s”. Use the template.") % {"sheet": name}
                )
            sheets[name] = _sheet_rows(workbook[name], name, columns, required)
    finally:
        workbook.close()
    if not sheets["plans"]:
        raise ImportFileError(_("The sheet “plans” has no rows."))
    return sheets


def _sheet_rows(sheet, name: str, columns, required) -> list[dict[str, str]]:
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ImportFileError(_("The sheet “%(sheet)s” is empty.") % {"sheet": name})
    headers = [_text(h).lower() for h in rows[0]]
    missing = [c for c in required if c not in headers]
    if missing:
        raise ImportFileError(
            _("Sheet %(sheet)s: missing column(s) %(missing)s. The first row must name the "
              "columns %(columns)s.")
            % {"sheet": name, "missing": ", ".join(missing), "columns": ", ".join(columns)}
        )  # fmt: skip
    out = []
    for line, values in enumerate(rows[1:], start=2):
        cells = {h: _text(v) for h, v in zip(headers, values, strict=False) if h in columns}
        if not any(cells.values()):
            continue
        out.append({**dict.fromkeys(columns, ""), **cells, "__line": line})
    if len(out) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)d rows; the limit is %(limit)d.")
            % {"rows": len(out), "limit": MAX_ROWS}
        )
    return out


# --- checking --------------------------------------------------------------------------------


def _choice(value: str, choices) -> str | None:
    """A choice given by its code or by its label, in Thai or English whatever the language
    of the person importing."""
    lowered = value.strip().lower()
    for code, label in choices:
        labels = set()
        for language in ("th", "en"):
            with translation.override(language):
                labels.add(str(label).lower())
        if lowered == code or lowered in labels:
            return code
    return None


def _year(report: RowReport, column: str) -> int | None:
    text = report.values[column].translate(thai.THAI_DIGITS)
    if not text.isdigit() or not 2400 <= int(text) <= 2700:
        report.error(column, _("“%(value)s” is not a Buddhist-era fiscal year (e.g. 2568).")
                     % {"value": report.values[column]})  # fmt: skip
        return None
    return int(text)


def _target_node(code: str, year_from: int, year_to: int) -> Node | None:
    """The Y2/Y1 target with ``code`` in a master-plan edition in force during the period."""
    editions = [
        e.pk for e in Edition.objects.filter(family=Edition.Family.MASTER_PLAN)
        if any(e.covers(y) for y in range(year_from, year_to + 1))
    ]  # fmt: skip
    nodes = Node.objects.filter(edition__in=editions, code=code, kind__in=rules.PRIMARY_KINDS)
    return nodes.select_related("edition").order_by("-edition__fiscal_year_from").first()


@dataclass
class _PlanRow:
    report: RowReport
    data: dict = field(default_factory=dict)
    primary: Node | None = None
    others: list[Node] = field(default_factory=list)
    targets: list[tuple[RowReport, dict]] = field(default_factory=list)


def _check_plan(report: RowReport, user, importable: set[int], seen: dict) -> _PlanRow:
    from agencies.models import Agency

    v, row = report.values, _PlanRow(report)
    for column in PLAN_REQUIRED:
        if not v[column]:
            report.error(column, _("This column is required."))
    agency = None
    if v["agency_code"]:
        agency = Agency.objects.filter(code=v["agency_code"], is_active=True).first()
        if agency is None:
            report.error("agency_code", _("Unknown agency code “%(code)s”.")
                         % {"code": v["agency_code"]})  # fmt: skip
        elif agency.pk not in importable:
            report.error("agency_code", _("You may not enter plans for %(agency)s.")
                         % {"agency": agency.name_th})  # fmt: skip
    key = v["reference"]  # targets name their plan by reference alone
    if v["reference"]:
        if key in seen:
            report.error("reference", _("Duplicate of row %(row)s in this file.")
                         % {"row": seen[key]})  # fmt: skip
        else:
            seen[key] = report.line
        if agency and Plan.objects.filter(agency=agency, reference=v["reference"]).exists():
            report.error("reference", _("%(agency)s already has a plan with this reference.")
                         % {"agency": agency.name_th})  # fmt: skip
    plan_type = _choice(v["plan_type"], Plan.Type.choices) if v["plan_type"] else None
    if v["plan_type"] and plan_type is None:
        report.error("plan_type", _("Unknown plan type “%(value)s”. Use one of: %(codes)s.")
                     % {"value": v["plan_type"], "codes": ", ".join(Plan.Type.values)})  # fmt: skip
    approved_by = _choice(v["approved_by"], Plan.ApprovedBy.choices) if v["approved_by"] else ""
    if approved_by is None:
        codes = ", ".join(Plan.ApprovedBy.values)
        message = _("Unknown approver “%(value)s”. Use one of: %(codes)s.")
        report.error("approved_by", message % {"value": v["approved_by"], "codes": codes})
    approved_on = None
    if v["approved_on"]:
        try:
            approved_on = BuddhistDateField().clean(v["approved_on"])
        except ValidationError as exc:
            report.error("approved_on", " ".join(exc.messages))
    year_from = _year(report, "year_from") if v["year_from"] else None
    year_to = _year(report, "year_to") if v["year_to"] else None
    if year_from and year_to:
        for message in rules.period_problems(plan_type or "", year_from, year_to):
            report.error("year_to", message)
    if year_from and year_to and year_to >= year_from:
        if v["primary_target"]:
            row.primary = _target_node(v["primary_target"], year_from, year_to)
            if row.primary is None:
                report.error("primary_target", _(
                    "No master-plan target (Y2) or sub-plan target (Y1) with the code "
                    "“%(code)s” is in force in fiscal years %(first)s-%(last)s."
                ) % {"code": v["primary_target"], "first": year_from, "last": year_to})  # fmt: skip
        for code in filter(
            None, (c.strip() for c in v["other_targets"].replace(";", ",").split(","))
        ):
            node = _target_node(code, year_from, year_to)
            if node is None:
                report.error("other_targets", _("Unknown target code “%(code)s” for this period.")
                             % {"code": code})  # fmt: skip
            else:
                row.others.append(node)
    row.data = {
        "agency": agency, "plan_type": plan_type or "", "reference": v["reference"],
        "title": v["title"][:500], "year_from": year_from, "year_to": year_to,
        "approved_by": approved_by or "", "approved_by_other": v["approved_by_other"][:255],
        "approved_on": approved_on, "resolution_ref": v["resolution_ref"][:255],
        "objectives": v["objectives"],
    }  # fmt: skip
    return row


def _check_target(report: RowReport, plans: dict[str, _PlanRow]) -> None:
    v = report.values
    for column in TARGET_REQUIRED:
        if not v[column]:
            report.error(column, _("This column is required."))
    plan = plans.get(v["plan_reference"])
    if v["plan_reference"] and plan is None:
        report.error("plan_reference", _("No row of the sheet plans has the reference "
                                         "“%(ref)s”.") % {"ref": v["plan_reference"]})  # fmt: skip
    order = 1
    if v["order"]:
        if not v["order"].isdigit():
            report.error("order", _("“%(value)s” is not a whole number.") % {"value": v["order"]})
        else:
            order = int(v["order"])
    try:
        values = rules.parse_values(v["values"])
    except rules.ValuesError as exc:
        report.error("values", str(exc))
        values = {}
    if plan is not None and plan.data.get("year_from") and plan.data.get("year_to"):
        outside = [y for y in values if not plan.data["year_from"] <= y <= plan.data["year_to"]]
        if outside:
            report.error("values", _("Fiscal year(s) %(years)s are outside the plan's period "
                                     "%(first)s-%(last)s.") % {
                "years": ", ".join(map(str, sorted(outside))), "first": plan.data["year_from"],
                "last": plan.data["year_to"]})  # fmt: skip
    if plan is not None:
        plan.targets.append((report, {
            "order": order, "name": v["name"][:500], "indicator": v["indicator"][:500],
            "unit": v["unit"][:100], "baseline": v["baseline"][:50], "values": values,
        }))  # fmt: skip


# --- importing -------------------------------------------------------------------------------


def import_workbook(content: bytes, user, *, commit: bool, file_name: str = "") -> ImportReport:
    """Check (commit=False) or import a workbook; rows are written only when none is wrong.
    An import leaves one entry per plan in the audit log (core.audit) naming the file."""
    sheets = read_workbook(content)
    importable = set(access.agencies_for_plan_import(user).values_list("pk", flat=True))
    seen: dict = {}
    plan_rows: list[_PlanRow] = []
    for raw in sheets["plans"]:
        line = raw.pop("__line")
        plan_rows.append(_check_plan(RowReport("plans", line, raw), user, importable, seen))
    by_reference = {
        r.report.values["reference"]: r for r in plan_rows if r.report.values["reference"]
    }
    target_reports = []
    for raw in sheets["targets"]:
        line = raw.pop("__line")
        report = RowReport("targets", line, raw)
        _check_target(report, by_reference)
        target_reports.append(report)
    report = ImportReport(plans=[r.report for r in plan_rows], targets=target_reports)
    if commit and not report.has_errors:
        with transaction.atomic():
            plans = [_write(row, user) for row in plan_rows]
            audit.record(
                user, plans,
                gettext_lazy("Imported from the workbook “%(file)s” (%(plans)d plans, "
                             "%(targets)d targets)."),
                {"file": file_name, **report.counts}, flag=audit.ADDITION,
            )  # fmt: skip
        report.committed = True
    return report


def _write(row: _PlanRow, user) -> Plan:
    plan = Plan.objects.create(created_by=user, **row.data)
    for _report, data in row.targets:
        values = data.pop("values")
        target = PlanTarget.objects.create(plan=plan, **data)
        services.set_values(target, values)
    services.set_links(plan, services.LinkChoice(primary=row.primary, secondary=row.others))
    services.refresh_search_text(plan)
    engine.record(plan, "create", user, comment=_("Imported from a workbook."))
    return plan


# --- workbooks -------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """An empty import workbook with both sheets, their columns and an example row each."""
    from openpyxl import Workbook

    workbook = Workbook()
    plans = workbook.active
    plans.title = "plans"
    plans.append(list(PLAN_COLUMNS))
    plans.append(["PLAN-2568-01", "07003", "action_annual", "แผนปฏิบัติราชการประจำปี 2568",
                  "2568", "2568", "head", "", "1/10/2567", "", "เพื่อ...", "030001", ""])  # fmt: skip
    targets = workbook.create_sheet("targets")
    targets.append(list(TARGET_COLUMNS))
    targets.append(["PLAN-2568-01", "1", "เป้าหมาย...", "ตัวชี้วัด...", "ร้อยละ", "", "2568: 10"])
    codes = workbook.create_sheet("codes")
    codes.append(["plan_type", "", "approved_by", ""])
    types, approvers = list(Plan.Type.choices), list(Plan.ApprovedBy.choices)
    for i in range(max(len(types), len(approvers))):
        t = types[i] if i < len(types) else ("", "")
        a = approvers[i] if i < len(approvers) else ("", "")
        codes.append([t[0], str(t[1]), a[0], str(a[1])])
    for sheet in (plans, targets):
        for column in sheet.columns:
            for cell in column:
                cell.number_format = "@"  # codes such as "07003" stay text
                cell.value = safe_cell(cell.value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
