"""附表1 / 附表2 as Excel (openpyxl) and PDF (WeasyPrint): pure functions from ``appendix_data`` to bytes.

They read nothing but their argument, so a frozen ``FormSnapshot.content`` renders exactly what the live form
did. The PDF is deterministic: the same data gives the same bytes (fixed metadata dates, the same font file, no
clock), which is what ``snapshot_pdf_sha256`` relies on.

The forms are official documents printed in Chinese whatever the reader's interface language, so their labels
are fixed Chinese text here, not translatable strings.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import unicodedata
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from lianzheng.spreadsheet import text_only

from .appendix import numbered
from .pdf_fonts import FAMILY, allowed_urls, font_faces

logger = logging.getLogger("lianzheng.exports")

STAGE_LABELS = (("pre", "前期预防"), ("mid", "中期监控"), ("post", "后期处置"))

#: 附表1 columns: key in a row, header, width in Excel character units.
UNIT_COLUMNS = [
    ("no", "序号", 5),
    ("office", "科室", 9),
    ("posts", "岗位", 10),
    ("matter", "职权(业务)事项", 13),
    ("name", "风险点", 14),
    ("manifestation", "风险表现形式", 24),
    ("category", "风险类别", 11),
    ("level", "风险等级", 8),
    ("pre", "前期预防", 24),
    ("mid", "中期监控", 24),
    ("post", "后期处置", 24),
    ("leader", "责任领导", 8),
    ("person", "责任人", 8),
    ("supervisor", "监督部门", 9),
]

#: 附表2 columns.
PERSONAL_COLUMNS = [
    ("no", "序号", 5),
    ("matter", "职权(岗位职责)事项", 14),
    ("point", "风险点及表现形式", 28),
    ("category", "风险类别", 11),
    ("level", "风险等级", 8),
    ("pre", "前期预防", 24),
    ("mid", "中期监控", 24),
    ("post", "后期处置", 24),
    ("overseer", "监督人", 9),
    ("remark", "备注", 10),
]

MEASURE_KEYS = ("pre", "mid", "post")
MEASURES_HEADER = "防控措施"

#: The campus-wide register (风险点汇总表): one row per point, every column.
REGISTER_COLUMNS = [
    ("unit", "单位", 14),
    ("form_no", "序号", 6),
    ("scope_label", "层次", 6),
    ("office", "科室", 12),
    ("posts", "岗位", 14),
    ("matter", "职权(业务)事项", 16),
    ("name", "风险点", 18),
    ("manifestation", "风险表现形式", 30),
    ("category", "风险类别", 12),
    ("level", "风险等级", 8),
    ("pre", "前期预防", 30),
    ("mid", "中期监控", 30),
    ("post", "后期处置", 30),
    ("leader", "责任领导", 10),
    ("person", "责任人", 10),
    ("supervisor", "监督部门", 12),
    ("state", "防控表状态", 10),
]


def cell_text(row: dict, key: str) -> str | int:
    """The printed value of one cell: measures numbered one per line; the personal form joins point and form."""
    if key in MEASURE_KEYS:
        return numbered(row["measures"][key])
    if key == "point":
        return "：".join(part for part in (row["name"], row["manifestation"]) if part)
    value = row.get(key, "")
    return "" if value is None else value


def footer_lines(data: dict) -> list[str]:
    """The footer block under the table, one line each (signature lines keep their blanks for ink)."""
    footer = data["footer"]
    blank = "__________"
    if data["kind"] == "unit":
        pub = footer.get("publicity") or {}
        if pub:
            publicity = f"公示情况：公示期 {pub['start']} 至 {pub['end']}，收到意见 {pub['comments']} 条"
        else:
            publicity = f"公示情况：公示期 {blank} 至 {blank}，收到意见 ____ 条"
        return [
            f"专题会议评估：会议日期 {footer['meeting_date'] or blank}　　参会人员 {footer['meeting_attendees'] or blank}",
            f"单位领导班子确认意见：{footer['confirmation'] or blank}",
            f"主要负责人（签字）：{footer['confirmed_by'] or blank}　　日期：{footer['confirmed_date'] or blank}　　（单位盖章）",
            publicity,
            f"纪委监察室受理日期：{footer['received_date'] or blank}",
        ]
    return [
        f"个人廉政承诺：{footer['pledge']}",
        f"本人签字：{footer['pledge_signed_by'] or blank}　　日期：{footer['pledge_date'] or blank}",
        f"科室负责人意见：{footer['office_opinion'] or blank}　　签字：{blank}　　日期：{blank}",
        f"单位领导审核意见：{footer['leader_opinion'] or blank}　　签字：{footer['leader_signed_by'] or blank}"
        f"　　日期：{footer['leader_date'] or blank}（单位盖章）",
    ]


def header_pairs(data: dict) -> list[tuple[str, str]]:
    """附表1's one-line header block."""
    header = data["header"]
    return [
        ("单位名称(盖章)", data["unit"]),
        ("填表人", header["filled_by"]),
        ("联系电话", header["phone"]),
        ("填表日期", header["fill_date"]),
    ]


def personal_grid(data: dict) -> list[tuple[str, str, str, str]]:
    """附表2's 2×4 header grid (three rows of two label/value pairs)."""
    h = data["header"]
    return [
        ("单位", data["unit"], "科室", h["office"]),
        ("姓名", h["holder"], "职务(职级)", h["holder_title"]),
        ("岗位名称", h["post"], "是否重点岗位", h["is_key"]),
    ]


# --- Excel -----------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY_FONT = Font(name=FAMILY, size=10.5)
BOLD_FONT = Font(name=FAMILY, size=10.5, bold=True)
TITLE_FONT = Font(name=FAMILY, size=18, bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")
LINE_HEIGHT = 14.0  # points per wrapped line at 10.5 pt


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text, width: float) -> int:
    if text in ("", None):
        return 1
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(_display_width(line) / usable)) for line in str(text).split("\n"))


def _row_height(values: list, widths: list[float]) -> float:
    """openpyxl cannot measure text; estimate the wrapped height so the sheet prints without clipped cells."""
    return max(_lines(v, w) for v, w in zip(values, widths, strict=True)) * LINE_HEIGHT + 4


def _merge(ws, row: int, first: int, last: int, value, *, font=BODY_FONT, align=LEFT, border=False, row2=None):
    ws.cell(row=row, column=first, value=value).font = font
    ws.cell(row=row, column=first).alignment = align
    if last > first or (row2 and row2 > row):
        ws.merge_cells(start_row=row, start_column=first, end_row=row2 or row, end_column=last)
    if border:
        for r in range(row, (row2 or row) + 1):
            for c in range(first, last + 1):
                ws.cell(row=r, column=c).border = BORDER


def _table_header(ws, top: int, columns: list) -> None:
    """Two header rows; 防控措施 spans the three stage columns, every other header spans both rows."""
    keys = [key for key, _label, _width in columns]
    first_measure = keys.index("pre") + 1
    for index, (key, label, _width) in enumerate(columns, 1):
        if key in MEASURE_KEYS:
            cell = ws.cell(row=top + 1, column=index, value=label)
            cell.font, cell.alignment, cell.border = BOLD_FONT, WRAP_CENTER, BORDER
            ws.cell(row=top, column=index).border = BORDER
        else:
            _merge(ws, top, index, index, label, font=BOLD_FONT, align=WRAP_CENTER, border=True, row2=top + 1)
    _merge(ws, top, first_measure, first_measure + 2, MEASURES_HEADER, font=BOLD_FONT, align=WRAP_CENTER, border=True)
    ws.row_dimensions[top].height = 20
    ws.row_dimensions[top + 1].height = 20


def _print_setup(ws, *, header_top: int, last_column: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{header_top}:{header_top + 1}"
    ws.freeze_panes = ws.cell(row=header_top + 2, column=1)
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    ws.oddFooter.center.size = 9
    ws.print_area = f"A1:{get_column_letter(last_column)}{ws.max_row}"


def _data_rows(ws, data: dict, columns: list, top: int) -> int:
    widths = [width for _key, _label, width in columns]
    row_index = top
    for group in data["groups"]:
        if data["kind"] == "unit":
            _merge(ws, row_index, 1, len(columns), group["label"], font=BOLD_FONT, border=True)
            ws.row_dimensions[row_index].height = 18
            row_index += 1
        for row in group["rows"]:
            values = [cell_text(row, key) for key, _label, _width in columns]
            for col, value in enumerate(values, 1):
                cell = ws.cell(row=row_index, column=col, value=value if value != "" else None)
                cell.font, cell.border = BODY_FONT, BORDER
                cell.alignment = WRAP_CENTER if columns[col - 1][0] in ("no", "category", "level") else WRAP_TOP
            ws.row_dimensions[row_index].height = _row_height(values, widths)
            row_index += 1
    return row_index


def _footer_block(ws, data: dict, start: int, last_column: int, widths: list[float]) -> None:
    row_index = start + 1  # one blank line between table and footer
    for line in footer_lines(data):
        _merge(ws, row_index, 1, last_column, line)
        ws.row_dimensions[row_index].height = _lines(line, sum(widths)) * LINE_HEIGHT + 6
        row_index += 1


def _start_sheet(data: dict, columns: list):
    wb = Workbook()
    ws = wb.active
    ws.title = data["sheet_name"]
    # Fixed document dates: the workbook says when the form was, not when the file was made.
    stamp = _as_of(data)
    wb.properties.created = wb.properties.modified = stamp.replace(tzinfo=None)
    wb.properties.title = data["title"]
    wb.properties.creator = "廉政风险防范管理系统"
    for index, (_key, _label, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last = len(columns)
    ws.cell(row=1, column=1, value=f"附表{data['appendix']}").font = BOLD_FONT
    _merge(ws, 2, 1, last, data["title"], font=TITLE_FONT, align=WRAP_CENTER)
    ws.row_dimensions[2].height = 30
    _merge(ws, 3, 1, last, data["subtitle"], align=WRAP_CENTER)
    return wb, ws


def appendix_xlsx(data: dict) -> bytes:
    """附表1 or 附表2 as an .xlsx workbook (one sheet)."""
    columns = UNIT_COLUMNS if data["kind"] == "unit" else PERSONAL_COLUMNS
    widths = [width for _key, _label, width in columns]
    wb, ws = _start_sheet(data, columns)
    last = len(columns)
    if data["kind"] == "unit":
        # Header block on one line, in four parts laid over the columns.
        spans = [(1, 4), (5, 8), (9, 10), (11, 14)]
        for (label, value), (first, end) in zip(header_pairs(data), spans, strict=True):
            _merge(ws, 4, first, end, f"{label}：{value}")
        header_top = 6
    else:
        spans = [(1, 2), (3, 5), (6, 7), (8, 10)]
        for offset, values in enumerate(personal_grid(data)):
            for (first, end), value in zip(spans, values, strict=True):
                is_label = (first, end) in (spans[0], spans[2])
                _merge(ws, 4 + offset, first, end, value, font=BOLD_FONT if is_label else BODY_FONT, border=True)
        duties = data["header"]["duties"]
        _merge(ws, 7, 1, 2, "主要岗位职责", font=BOLD_FONT, border=True)
        _merge(ws, 7, 3, last, duties, border=True)
        ws.row_dimensions[7].height = _lines(duties, sum(widths[2:])) * LINE_HEIGHT + 4
        header_top = 9
    _table_header(ws, header_top, columns)
    end = _data_rows(ws, data, columns, header_top + 2)
    _footer_block(ws, data, end, last, widths)
    _print_setup(ws, header_top=header_top, last_column=last)
    return _save(wb)


def register_xlsx(rows: list[dict], *, title: str, subtitle: str = "", as_of: str = "") -> bytes:
    """风险点汇总表: one row per point of every form given, all columns, with an autofilter.

    ``rows`` are appendix rows with ``unit`` and ``state`` added (see ``register_rows``).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "风险点汇总表"
    stamp = _as_of({"as_of": as_of})
    wb.properties.created = wb.properties.modified = stamp.replace(tzinfo=None)
    wb.properties.title = title
    last = len(REGISTER_COLUMNS)
    for index, (_key, _label, width) in enumerate(REGISTER_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    _merge(ws, 1, 1, last, title, font=TITLE_FONT, align=WRAP_CENTER)
    ws.row_dimensions[1].height = 30
    _merge(ws, 2, 1, last, subtitle, align=WRAP_CENTER)
    header_row = 3
    for index, (_key, label, _width) in enumerate(REGISTER_COLUMNS, 1):
        cell = ws.cell(row=header_row, column=index, value=label)
        cell.font, cell.alignment, cell.border = BOLD_FONT, WRAP_CENTER, BORDER
    for offset, row in enumerate(rows, 1):
        for index, (key, _label, _width) in enumerate(REGISTER_COLUMNS, 1):
            value = cell_text(row, key) if key in MEASURE_KEYS else row.get(key, "")
            cell = ws.cell(row=header_row + offset, column=index, value=value if value != "" else None)
            cell.font, cell.alignment, cell.border = BODY_FONT, WRAP_TOP, BORDER
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(last)}{header_row + max(len(rows), 1)}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    return _save(wb)


def _save(wb) -> bytes:
    text_only(wb)  # names and texts typed by users never become formulas (lianzheng.spreadsheet)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _as_of(data: dict) -> datetime:
    value = data.get("as_of") or ""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return datetime(2000, 1, 1)


# --- PDF -------------------------------------------------------------------------------------------------


def _fetcher():
    """Only the font files may be loaded: the HTML holds user text, and a PDF must never reach the network."""
    from weasyprint.urls import URLFetcher

    allowed = allowed_urls()

    class FontOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"URL not allowed in an appendix PDF: {url}")
            return super().fetch(url, headers)

    return FontOnlyFetcher(fail_on_errors=True, allowed_protocols={"file"})


def appendix_html(data: dict) -> str:
    columns = UNIT_COLUMNS if data["kind"] == "unit" else PERSONAL_COLUMNS
    groups = [
        {
            "label": group["label"],
            "rows": [[(key, cell_text(row, key)) for key, _label, _width in columns] for row in group["rows"]],
        }
        for group in data["groups"]
    ]
    total_width = sum(width for _key, _label, width in columns)
    context = {
        "data": data,
        "fonts": font_faces(),
        "columns": [
            {"key": key, "label": label, "percent": f"{100 * width / total_width:.2f}"} for key, label, width in columns
        ],
        "plain_columns": [label for key, label, _width in columns if key not in MEASURE_KEYS],
        "before_measures": [label for key, label, _w in columns[: [k for k, _l, _w in columns].index("pre")]],
        "after_measures": [label for key, label, _w in columns[[k for k, _l, _w in columns].index("post") + 1 :]],
        "stage_labels": [label for _key, label in STAGE_LABELS],
        "groups": groups,
        "column_count": len(columns),
        "header_pairs": header_pairs(data) if data["kind"] == "unit" else [],
        "personal_grid": personal_grid(data) if data["kind"] == "personal" else [],
        "footer_lines": footer_lines(data),
        "as_of": _as_of(data).isoformat(),
    }
    template = "exports/appendix1.html" if data["kind"] == "unit" else "exports/appendix2.html"
    with translation.override("zh-hans"):
        return render_to_string(template, context)


def appendix_pdf(data: dict) -> bytes:
    """附表1 or 附表2 as PDF (A4 landscape, Noto Sans CJK SC embedded as a subset). Deterministic."""
    import weasyprint

    html = appendix_html(data)
    return weasyprint.HTML(string=html, url_fetcher=_fetcher()).write_pdf()


def snapshot_pdf_sha256(data: dict) -> str:
    """The SHA-256 of the PDF rendered from ``data``: what an approved form's snapshot stores and is checked against."""
    return hashlib.sha256(appendix_pdf(data)).hexdigest()
