"""The first sheet of an uploaded .xlsx workbook as rows of text, read no further than asked."""

import io
import zipfile
from itertools import islice

from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet


class Unreadable(Exception):
    """Not a workbook, or a damaged one."""


class TooLargeUnpacked(Exception):
    """The archive declares more unpacked bytes than allowed."""


class TooWide(Exception):
    """A row has a value past the last column allowed."""


def first_sheet_rows(data: bytes, *, max_rows: int, max_columns: int, max_unpacked_bytes: int) -> list[list[str]]:
    """At most `max_rows` rows of the first worksheet, each without its trailing blank cells."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Sizes as the archive declares them: Python's zipfile never unpacks more than declared,
            # and openpyxl reads the shared strings whole, so a small file could unpack to gigabytes.
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise Unreadable from error
    if unpacked > max_unpacked_bytes:
        raise TooLargeUnpacked
    try:
        reader = _FirstSheetReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
        workbook = reader.wb
        try:
            if not workbook.worksheets:
                raise Unreadable
            sheet = workbook.worksheets[0]
            sheet.column_limit = max_columns
            cells = sheet.iter_rows(values_only=True)
            rows = [_without_trailing_blanks([_cell_text(value) for value in row]) for row in islice(cells, max_rows)]
        finally:
            workbook.close()
    except (Unreadable, TooWide):
        raise
    except Exception as error:  # openpyxl raises many kinds of errors for a damaged or foreign file
        raise Unreadable from error
    return rows


class _UnmeasuredSheet(ReadOnlyWorksheet):
    column_limit = 16_384  # Excel's own

    def _get_size(self):
        # openpyxl measures a sheet that does not declare its size by parsing all of it when the
        # workbook opens: a million rows read before the first is taken. The rows are counted as
        # they are read instead, and a declared size, which may be wrong, is not trusted either.
        pass

    def _get_row(self, row, min_col=1, max_col=None, values_only=False):
        # Each row is padded to its last cell: one value in column XFD would make it 16,384 wide.
        kept = [cell for cell in row if cell["column"] <= self.column_limit]
        if len(kept) < len(row) and any(cell["value"] not in (None, "") for cell in row if cell not in kept):
            raise TooWide
        return super()._get_row(kept, min_col, max((cell["column"] for cell in kept), default=None), values_only)


class _FirstSheetReader(ExcelReader):
    """openpyxl's reader, opening only the first worksheet, and without measuring it."""

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.wb._sheets.append(_UnmeasuredSheet(self.wb, sheet.name, rel.target, self.shared_strings))
                return


def _without_trailing_blanks(values: list[str]) -> list[str]:
    while values and not values[-1].strip():
        values.pop()
    return values


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone extensions typed as numbers come back as 1234.0
    return str(value)
