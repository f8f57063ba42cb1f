"""Streaming table writers: rows go to a file on disk one at a time, so a 100,000-row report
keeps memory flat (xlsxwriter's constant_memory mode flushes each row as it is written)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from core.exports import safe_cell


class XlsxWriter:
    def __init__(self, path: Path, sheet: str) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(
            str(path),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False},
        )  # fmt: skip
        self.sheet = self.workbook.add_worksheet(sheet[:31])
        self.bold = self.workbook.add_format({"bold": True, "text_wrap": True})
        self.money = self.workbook.add_format({"num_format": "#,##0.00"})
        self.row = 0

    def header(self, headers: Sequence[str]) -> None:
        self.sheet.write_row(self.row, 0, list(headers), self.bold)
        self.sheet.freeze_panes(1, 0)
        self.row += 1

    def write(self, values: Sequence) -> None:
        for col, value in enumerate(values):
            if isinstance(value, Decimal):
                self.sheet.write_number(self.row, col, float(value), self.money)
            elif value is None or value == "":
                self.sheet.write_blank(self.row, col, None)
            elif isinstance(value, int | float):
                self.sheet.write_number(self.row, col, value)
            else:
                self.sheet.write_string(self.row, col, str(safe_cell(str(value))))
        self.row += 1

    def close(self) -> None:
        self.workbook.close()


class CsvWriter:
    """UTF-8 with a byte-order mark, so Excel on Thai Windows shows Thai correctly."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self.writer = csv.writer(self.handle)

    def header(self, headers: Sequence[str]) -> None:
        self.writer.writerow(headers)

    def write(self, values: Sequence) -> None:
        self.writer.writerow(["" if v is None else safe_cell(v) for v in values])

    def close(self) -> None:
        self.handle.close()
