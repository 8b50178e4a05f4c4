"""The gradebook as an Excel workbook (openpyxl): the same columns as the CSV, numbers as numbers,
names as text (Chinese intact), formulas never (a cell starting with = is stored as text)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

from ...models import Course
from .gradebook import gradebook_table

SHEET_TITLE = "Gradebook"


def gradebook_xlsx(*, course: Course, user: Any | None = None, zone: str | None = None) -> bytes:
    """The gradebook as an .xlsx file (one sheet, a frozen header row and name column)."""
    header, rows = gradebook_table(course=course, user=user, zone=zone)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    for r, line in enumerate([header, *rows], start=1):
        for c, value in enumerate(line, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # text, never a formula (openpyxl reads "=…" as one)
    sheet.freeze_panes = "B2"
    for c, title in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = max(10, min(40, len(str(title)) + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
