"""Reading and importing hierarchy files (CSV / XLSX): the service behind the admin import,
the shipped-data loader and the template and rejected-rows workbooks.

Every import runs twice: a dry run that classifies each row as new / changed / unchanged /
error, then, once the admin confirms, the real run. Both run in one transaction that is rolled
back if any row fails, so a bad file writes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import RowResult

from core.exports import safe_cell

from .models import KIND_ORDER, KIND_RULES, Edition, Kind, Node
from .resources import COLUMNS, LINE_COLUMN, REQUIRED_COLUMNS, NodeResource

ERROR_COLUMN = "errors"
_THAI = range(0x0E00, 0x0E80)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
# Thai vowel signs and tone marks written above or below a consonant.
_THAI_MARKS = frozenset(
    "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a"
    + "".join(chr(c) for c in range(0x0E47, 0x0E4F))
)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in the user's language."""


@dataclass
class ParsedFile:
    dataset: tablib.Dataset
    encoding: str = ""
    ignored_columns: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> ParsedFile:
    """Parse an uploaded CSV or XLSX file into a dataset with the import columns."""
    max_bytes = settings.STRATEGY_IMPORT_MAX_BYTES
    if len(content) > max_bytes:
        raise ImportFileError(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": len(content) / 1e6, "limit": max_bytes / 1e6}
        )
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content[:4] == b"PK\x03\x04":
        rows, encoding = _read_xlsx(content), ""
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            _("Excel 97-2003 (.xls) files are not supported. Save the file as .xlsx or CSV.")
        )
    elif (
        filename.lower().endswith((".xlsx", ".xlsm"))
        or content[:5] == b"%PDF-"
        or (b"\x00" in content[:4096] and not content.startswith(_UTF16))
    ):
        raise ImportFileError(_not_tabular())
    else:
        rows, encoding = _read_csv(content)
    return _to_dataset(rows, encoding)


def _not_tabular() -> str:
    return _(
        "This file is not a table. Upload a CSV file (UTF-8 or TIS-620) or an Excel "
        "workbook (.xlsx) whose first row holds the column names."
    )


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_not_tabular()) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell(v) for v in values])
    workbook.close()
    return rows


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode(content: bytes) -> tuple[str, str]:
    if content.startswith(_UTF16):
        return content.decode("utf-16"), "UTF-16"
    try:
        return content.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # Thai offices still save CSV as TIS-620; cp874 is its Windows superset.
    try:
        text = content.decode("cp874")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file's characters could not be read. Save it as CSV UTF-8 or TIS-620.")
        ) from exc
    if not _looks_thai(text):
        raise ImportFileError(
            _("The file's characters could not be read. Save it as CSV UTF-8 or TIS-620.")
        )
    return text, "TIS-620"


def _looks_thai(text: str) -> bool:
    """Is cp874-decoded text really Thai? Bytes of other encodings (latin-1 "é" is 0xE9)
    decode to Thai vowel and tone marks that follow no Thai consonant."""
    if not any(ord(ch) in _THAI for ch in text):
        return False
    previous = ""
    for ch in text:
        if ch in _THAI_MARKS and not (previous and ord(previous) in _THAI):
            return False
        previous = ch
    return True


def _read_csv(content: bytes) -> tuple[list[list[str]], str]:
    text, encoding = _decode(content)
    if "\x00" in text:
        raise ImportFileError(_not_tabular())
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(_not_tabular()) from exc
    return rows, encoding


def _to_dataset(rows: list[list[str]], encoding: str) -> ParsedFile:
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    headers = [str(h).strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise ImportFileError(
            _("Missing column(s): %(missing)s. The first row must name the columns %(columns)s.")
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}
        )
    body = rows[1:]
    if len(body) > settings.STRATEGY_IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)d rows; the limit is %(limit)d.")
            % {"rows": len(body), "limit": settings.STRATEGY_IMPORT_MAX_ROWS}
        )
    keep = [i for i, h in enumerate(headers) if h in COLUMNS]
    ignored = [rows[0][i] for i, h in enumerate(headers) if h not in COLUMNS and h]
    dataset = tablib.Dataset(headers=[headers[i] for i in keep])
    width = len(headers)
    for line in body:
        if len(line) > width and any(str(c).strip() for c in line[width:]):
            raise ImportFileError(_not_tabular())
        line = list(line) + [""] * (width - len(line))
        dataset.append([line[i] for i in keep])
    return ParsedFile(dataset=dataset, encoding=encoding, ignored_columns=ignored)


# --- importing -------------------------------------------------------------------------------


@dataclass
class RowReport:
    line: int  # the row's line in the file (line 1 holds the headers)
    status: str  # new / changed / unchanged / error
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.values.get("title_th") or self.values.get("title_en", "")

    @property
    def error_text(self) -> str:
        return "; ".join(f"{col}: {' '.join(msgs)}" for col, msgs in self.errors.items())


@dataclass
class ImportReport:
    rows: list[RowReport]
    committed: bool
    encoding: str = ""
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("new", "changed", "unchanged", "error")}

    @property
    def has_errors(self) -> bool:
        return any(r.status == "error" for r in self.rows)

    @property
    def rejected(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == "error"]


_STATUS = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "changed",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
}


# From this many rows on, a file takes the bulk path (see _import_bulk); below it the
# django-import-export path, whose per-row cost does not matter for a few hundred rows.
BULK_FROM_ROWS = 1_000


def import_dataset(parsed: ParsedFile, *, commit: bool, bulk: bool | None = None) -> ImportReport:
    """Dry-run (commit=False) or import a parsed file; all rows or none are written.
    ``bulk``: force the bulk path (True) or the per-row one (False); by default large files
    take the bulk path. Both give the same report and write the same rows."""
    dataset = parsed.dataset
    # Parents must exist before their children: import in depth order, report in file order.
    order = sorted(
        range(len(dataset)),
        key=lambda i: KIND_ORDER.get(str(dataset[i][dataset.headers.index("kind")]).strip(), 99),
    )
    # The file line travels with each row so messages name the line the user sees.
    ordered = tablib.Dataset(
        *((*dataset[i], i + 2) for i in order), headers=[*dataset.headers, LINE_COLUMN]
    )
    resource = NodeResource()
    if bulk is None:
        bulk = len(dataset) >= BULK_FROM_ROWS
    if bulk:
        # The real run reads the stored nodes and writes in one transaction.
        with transaction.atomic() if commit else contextlib.nullcontext():
            rows = _import_bulk(resource, ordered, commit=commit)
    else:
        result = resource.import_data(
            ordered,
            dry_run=not commit,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        if result.base_errors:
            raise ImportFileError(str(result.base_errors[0].error))
        rows = result.rows
    columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
    columns["__all__"] = "row"
    reports: list[RowReport] = []
    for position, row_result in enumerate(rows):
        original = order[position]
        given = dict(zip(dataset.headers, (str(v) for v in dataset[original]), strict=True))
        values = {column: given.get(column, "") for column in COLUMNS}
        report = RowReport(
            line=original + 2, status=_STATUS.get(row_result.import_type, "error"), values=values
        )
        if row_result.validation_error is not None:
            for attr, messages in row_result.validation_error.message_dict.items():
                report.errors[columns.get(attr, attr)] = list(messages)
        for error in row_result.errors:
            report.errors.setdefault("row", []).append(
                _("Unexpected error: %(error)s") % {"error": error.error}
            )
        if report.errors:
            report.status = "error"
        reports.append(report)
    reports.sort(key=lambda r: r.line)
    failed = any(r.status == "error" for r in reports)
    return ImportReport(
        rows=reports,
        committed=commit and not failed,
        encoding=parsed.encoding,
        ignored_columns=parsed.ignored_columns,
    )


def _import_bulk(resource: NodeResource, ordered: tablib.Dataset, *, commit: bool) -> list:
    """The bulk path: every row is checked in Python by the resource's own steps (its
    duplicate check, its widgets, the model's validation) against its ``Lookup``, so the
    messages are the per-row path's; nothing is written while checking. Then, if no row
    failed and this is the real run, the new nodes are inserted kind by kind (parents before
    children) and the changed ones updated, in one transaction. This saves what costs the
    per-row path most: a savepoint, an INSERT or UPDATE and a deep copy of the node per row."""
    from import_export.results import Error

    fields = resource.get_import_fields()
    results: list[RowResult] = []
    created: dict[str, list[Node]] = {}
    changed: list[Node] = []
    for number, values in enumerate(ordered, start=1):
        row = dict(zip(ordered.headers, values, strict=True))
        result = RowResult()
        results.append(result)
        try:
            resource.before_import_row(row, row_number=number)
            instance = resource.get_instance(None, row)
            new = instance is None
            if new:
                instance = Node()
            # What skip_row compares (a new node is never unchanged).
            before = None if new else [f.get_value(instance) for f in fields]
            errors: dict = {}
            try:
                resource.import_instance(instance, row)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            if not new and not errors and before == [f.get_value(instance) for f in fields]:
                result.import_type = RowResult.IMPORT_TYPE_SKIP
                continue
            resource.validate_instance(instance, errors)
        except ValidationError as exc:
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = exc
            continue
        except Exception as exc:  # reported on the row, as the per-row path does
            result.import_type = RowResult.IMPORT_TYPE_ERROR
            result.errors.append(Error(exc, row=row, number=number))
            continue
        result.import_type = RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
        # Children later in the file find it as their parent (not saved yet: no id).
        resource.lookup.saved(instance)
        (created.setdefault(instance.kind, []) if new else changed).append(instance)
    failed = any(r.import_type in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR)
                 for r in results)  # fmt: skip
    if commit and not failed:
        _write_bulk(created, changed, [f.attribute for f in fields])
    return results


def _write_bulk(created: dict[str, list[Node]], changed: list[Node], attributes: list[str]) -> None:
    with transaction.atomic():  # a savepoint inside the run's transaction
        for kind in KIND_ORDER:  # a kind's parents are of kinds before it
            nodes = created.get(kind, [])
            for node in nodes:
                node.search_text = node.build_search_text()  # save() is not called
            # The parent was inserted at an earlier kind: take its new id.
            Node.objects.bulk_create(nodes, batch_size=1_000)
        for node in changed:
            node.search_text = node.build_search_text()
        Node.objects.bulk_update(changed, [*attributes, "search_text"], batch_size=500)


# --- workbooks -------------------------------------------------------------------------------


def rejected_rows_workbook(report: ImportReport) -> bytes:
    """The rows that failed, with their messages, as an XLSX to fix and upload again."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "rejected"
    sheet.append([*COLUMNS, ERROR_COLUMN, "line"])
    for row in report.rejected:
        sheet.append(
            [safe_cell(row.values.get(c, "")) for c in COLUMNS] + [row.error_text, row.line]
        )
    _text_format(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """An empty import workbook whose edition, kind and parent_code columns offer dropdowns."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "nodes"
    sheet.append(list(COLUMNS))
    help_texts = {
        "edition": _("Edition code (choose from the list)"),
        "kind": _("Kind of node (choose from the list)"),
        "code": _("Official code, e.g. 030401; kept as text"),
        "parent_code": _("Code of the parent node in the same edition"),
        "title_th": _("Thai title or target text"),
    }
    for index, column in enumerate(COLUMNS, start=1):
        if column in help_texts:
            sheet.cell(row=1, column=index).comment = Comment(str(help_texts[column]), "eMENSCR")

    lists = workbook.create_sheet("lists")
    editions = list(Edition.objects.order_by("code").values_list("code", flat=True))
    codes = list(
        Node.objects.exclude(code="").order_by("code").values_list("code", flat=True).distinct()
    )
    kinds = list(KIND_RULES)
    for col, values in (("A", editions), ("B", kinds), ("C", codes)):
        for i, value in enumerate(values, start=1):
            lists[f"{col}{i}"] = value
    lists["E1"] = "kind"
    lists["F1"] = "label"
    for i, kind in enumerate(Kind, start=2):
        lists[f"E{i}"] = kind.value
        lists[f"F{i}"] = str(kind.label)
    lists.sheet_state = "hidden"

    def dropdown(column_letter: str, source: str, count: int, allow_other: bool) -> None:
        if not count:
            return
        validation = DataValidation(
            type="list", formula1=f"=lists!${source}$1:${source}${count}", allow_blank=True
        )
        validation.showErrorMessage = not allow_other
        validation.error = str(_("Choose a value from the list."))
        sheet.add_data_validation(validation)
        validation.add(f"{column_letter}2:{column_letter}5000")

    dropdown("A", "A", len(editions), allow_other=False)
    dropdown("B", "B", len(kinds), allow_other=False)
    # Parents may be new rows of the same file, so other codes stay allowed.
    dropdown("D", "C", len(codes), allow_other=True)
    _text_format(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_format(sheet) -> None:
    # Codes such as "01" must stay text, or Excel turns them into the number 1.
    for column in ("A", "B", "C", "D", "E"):
        sheet.column_dimensions[column].number_format = "@"
        for cell in sheet[column]:
            cell.number_format = "@"
    sheet.column_dimensions["F"].width = 60


# --- export ----------------------------------------------------------------------------------


def export_dataset() -> tablib.Dataset:
    """The whole hierarchy in the import format (re-importing it changes nothing)."""
    return NodeResource().export(NodeResource().get_export_queryset())
