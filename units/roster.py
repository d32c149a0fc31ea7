"""The roster workbook (花名册): its layout, the template writer, and ``parse_roster``.

``parse_roster`` reads a workbook, validates every row and compares it with the database; it writes nothing.
What it returns is a ``RosterPlan``: every error found (sheet, row, column, message) and, when there is none,
the list of changes that would bring the database in line with the file. ``units.services.roster_import``
applies a plan inside one transaction. Because the plan only holds real differences, importing the same
file twice changes nothing the second time.

An empty optional cell never overwrites a value already in the system: the file adds and corrects, it does
not erase.
"""

import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from lianzheng.spreadsheet import text_only

from .models import UNIT_ROLES, Assignment, Batch, KeyArea, Office, Post, Role, Unit, UnitKind, User

UNIT_SHEET = "单位"
PEOPLE_SHEET = "人员岗位"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the file's column title; part of the file format, so never translated
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()  # offered as a drop-down in the template

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header


def _max(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


YES_NO = ("是", "否")
KIND_NAMES = {"机关部处": UnitKind.OFFICE, "学院": UnitKind.COLLEGE, "直属单位": UnitKind.AFFILIATED}
BATCH_NAMES = {
    "1": Batch.FIRST,
    "第一批": Batch.FIRST,
    "第一批(试点)": Batch.FIRST,
    "2": Batch.SECOND,
    "第二批": Batch.SECOND,
}
KEY_AREA_NAMES = {
    "行政管理": KeyArea.ADMINISTRATION,
    "设备管理": KeyArea.EQUIPMENT,
    "人事管理": KeyArea.PERSONNEL,
    "财务管理": KeyArea.FINANCE,
    "学生工作管理": KeyArea.STUDENT,
    "工程项目管理": KeyArea.CONSTRUCTION,
}
ROLE_NAMES = {"单位负责人": Role.UNIT_LEADER, "单位联络员": Role.UNIT_CONTACT, "工作人员": Role.STAFF}

UNIT_COLUMNS = (
    Column("code", "单位代码", required=True, max_length=_max(Unit, "code")),
    Column("name", "单位名称", required=True, max_length=_max(Unit, "name")),
    Column("kind", "单位类型", choices=tuple(KIND_NAMES)),
    Column("batch", "批次", choices=("第一批", "第二批")),
    Column("is_pilot", "是否试点", choices=YES_NO),
)
PEOPLE_COLUMNS = (
    Column("unit", "单位代码", required=True, max_length=_max(Unit, "code")),
    Column("office", "科室", max_length=_max(Office, "name")),
    Column("post", "岗位名称", max_length=_max(Post, "name")),
    Column("rank", "职务(职级)", max_length=min(_max(Post, "rank"), _max(User, "title"))),
    Column("duties", "主要岗位职责"),
    Column("is_key", "是否重点岗位", choices=YES_NO),
    Column("key_area", "重点领域", choices=tuple(KEY_AREA_NAMES)),
    Column("staff_no", "工号", max_length=_max(User, "staff_no")),
    Column("full_name", "姓名", max_length=_max(User, "full_name")),
    Column("phone", "手机", max_length=_max(User, "phone")),
    Column("email", "邮箱", max_length=_max(User, "email")),
    Column("role", "系统角色", choices=tuple(ROLE_NAMES)),
    Column("start", "任职起始日期"),
)
SHEETS = {UNIT_SHEET: UNIT_COLUMNS, PEOPLE_SHEET: PEOPLE_COLUMNS}

EXAMPLE_UNIT_ROW = ("caiwu", "财务处", "机关部处", "第一批", "是")
EXAMPLE_PEOPLE_ROW = (
    "caiwu",
    "会计核算科",
    "出纳",
    "科员",
    "负责现金收付、银行结算和票据保管。",
    "是",
    "财务管理",
    "T0001",
    "张三",
    "13800000000",
    "zhangsan@example.edu.cn",
    "工作人员",
    date(2010, 5, 20),
)

#: The planned changes, in the order they are applied and shown.
COUNT_LABELS = (
    ("units_created", gettext_lazy("新增单位")),
    ("units_updated", gettext_lazy("更新单位")),
    ("offices_created", gettext_lazy("新增科室")),
    ("posts_created", gettext_lazy("新增岗位")),
    ("posts_updated", gettext_lazy("更新岗位")),
    ("users_created", gettext_lazy("新增人员")),
    ("users_updated", gettext_lazy("更新人员")),
    ("assignments_created", gettext_lazy("新增任职")),
    ("assignments_closed", gettext_lazy("结束任职(轮岗)")),
)


# --- the plan --------------------------------------------------------------------------------------------


@dataclass
class RosterError:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            if self.sheet:
                return _("工作表「%(sheet)s」: %(message)s") % {"sheet": self.sheet, "message": self.message}
            return str(self.message)
        if not self.column:
            return _("工作表「%(sheet)s」第 %(row)s 行: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        return _("工作表「%(sheet)s」第 %(row)s 行「%(column)s」: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Change:
    """One write: ``kind`` unit/office/post/user/assignment, ``action`` create/update.

    ``key`` names the object by its natural key (unit code; unit code and office name; unit code, office name
    and post name; staff number), so that rows can refer to objects the same plan creates.
    """

    kind: str
    action: str
    key: tuple
    fields: dict
    instance: object = None


@dataclass
class RosterPlan:
    errors: list[RosterError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rows: int = 0  # data rows read, both sheets
    # Natural key → instance, for what exists already; apply adds what it creates.
    units: dict = field(default_factory=dict, repr=False)
    offices: dict = field(default_factory=dict, repr=False)
    posts: dict = field(default_factory=dict, repr=False)
    users: dict = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((key for key, _label in COUNT_LABELS), 0)
        for change in self.changes:
            counts[f"{change.kind}s_{change.action}d"] += 1
        return counts

    @property
    def total_changes(self) -> int:
        return len(self.changes)

    def labelled_counts(self) -> list[tuple[str, int]]:
        counts = self.counts
        return [(str(label), counts[key]) for key, label in COUNT_LABELS]

    def error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.errors.append(RosterError(sheet, row, column, message))


# --- reading cells -------------------------------------------------------------------------------------


class _UnreadableFile(Exception):
    pass


def _normalise_header(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("（", "(").replace("）", ")").replace("＊", "*")
    return re.sub(r"\s+", "", text).rstrip("*")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


#: A whole school's roster is a few tens of thousands of rows; a sheet declaring millions is refused before reading.
MAX_ROWS = 60_000
#: The workbook unpacked (an .xlsx is a zip): beyond this it is refused before parsing (a "zip bomb").
MAX_UNPACKED_BYTES = 80 * 1024 * 1024


def _unpacked_size(file) -> int:
    with zipfile.ZipFile(file) as archive:
        return sum(info.file_size for info in archive.infolist())


def _too_large(file, plan: RosterPlan) -> bool:
    """Refuse, before openpyxl reads a row, a workbook that unpacks to too much."""
    try:
        size = _unpacked_size(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False  # not a zip: load_workbook reports it
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    if size > MAX_UNPACKED_BYTES:
        plan.error(
            "",
            None,
            "",
            _("工作簿解压后超过 %(mb)s MB，无法导入，请检查文件 (the workbook unpacks to too much data)")
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)},
        )
        return True
    return False


def _too_many_rows(plan: RosterPlan, sheet: str, rows: int) -> None:
    plan.error(
        sheet,
        None,
        "",
        _("工作表「%(sheet)s」有 %(rows)s 行，超过上限 %(limit)s 行 (too many rows)")
        % {"sheet": sheet, "rows": rows, "limit": MAX_ROWS},
    )


def _read_sheets(file, plan: RosterPlan) -> dict[str, list[tuple[int, dict]]] | None:
    """Each sheet's non-blank data rows as (row number, {column key: raw value}); None after file-level errors."""
    if _too_large(file, plan):
        return None
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, EOFError):
        plan.error("", None, "", _("文件不是有效的 Excel 工作簿 (.xlsx)，无法打开 (not a readable .xlsx workbook)"))
        return None
    try:
        return _read_open_workbook(workbook, plan)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError):
        plan.error("", None, "", _("文件内容已损坏，无法读取 (the workbook is damaged)"))
        return None
    finally:
        workbook.close()


def _read_open_workbook(workbook, plan: RosterPlan):
    names = {name.strip(): name for name in workbook.sheetnames}
    missing = [sheet for sheet in SHEETS if sheet not in names]
    for sheet in missing:
        plan.error(sheet, None, "", _("工作簿缺少工作表「%(sheet)s」 (missing sheet)") % {"sheet": sheet})
    if missing:
        return None
    for sheet in SHEETS:
        declared = workbook[names[sheet]].max_row or 0  # the sheet's own <dimension>, read without its rows
        if declared > MAX_ROWS + 1:
            _too_many_rows(plan, sheet, declared - 1)
    if plan.errors:
        return None
    result = {}
    for sheet, columns in SHEETS.items():
        rows = workbook[names[sheet]].iter_rows(values_only=True, max_row=MAX_ROWS + 2)
        header = [_normalise_header(value) for value in next(rows, ())]
        positions = {}
        for column in columns:
            if column.header in header:
                positions[column.key] = header.index(column.header)
        absent = [column.header for column in columns if column.key not in positions]
        if absent:
            plan.error(
                sheet,
                1,
                "",
                _("表头缺少列：%(columns)s (missing columns)") % {"columns": "、".join(f"「{h}」" for h in absent)},
            )
            continue
        records = []
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:  # no <dimension> declared, or a false one: stop reading anyway
                _too_many_rows(plan, sheet, number - 1)
                return None
            record = {key: values[i] if i < len(values) else None for key, i in positions.items()}
            if all(_text(value) == "" for value in record.values()):
                continue
            records.append((number, record))
        result[sheet] = records
    return None if len(result) < len(SHEETS) else result


class _Row:
    """One data row being validated; errors go straight to the plan."""

    def __init__(self, plan: RosterPlan, sheet: str, number: int, record: dict, columns):
        self.plan, self.sheet, self.number, self.record = plan, sheet, number, record
        self.columns = {column.key: column for column in columns}
        self.bad = False

    def fail(self, key: str, message: str) -> None:
        self.bad = True
        header = self.columns[key].header if key else ""
        self.plan.error(self.sheet, self.number, header, message)

    def text(self, key: str) -> str:
        column = self.columns[key]
        value = _text(self.record.get(key))
        if not value and column.required:
            self.fail(key, _("必填项不能为空 (required)"))
        elif column.max_length and len(value) > column.max_length:
            self.fail(
                key,
                _("内容过长：最多 %(limit)s 个字符，本格有 %(length)s 个 (too long)")
                % {"limit": column.max_length, "length": len(value)},
            )
            return ""
        return value

    def choice(self, key: str, names: dict, *, values=()):
        """The stored value for a cell that names a choice (in Chinese or by its code); None when empty."""
        value = self.text(key)
        if not value:
            return None
        plain = value.replace("（", "(").replace("）", ")").replace(" ", "")
        if plain in names:
            return names[plain]
        if plain.lower() in {str(v).lower() for v in values}:
            return next(v for v in values if str(v).lower() == plain.lower())
        allowed = "/".join(self.columns[key].choices)
        self.fail(
            key,
            _("「%(value)s」不是可选值，应为 %(allowed)s (invalid value)") % {"value": value, "allowed": allowed},
        )
        return None

    def yes_no(self, key: str) -> bool | None:
        value = self.text(key)
        if not value:
            return None
        lowered = value.lower()
        if lowered in {"是", "y", "yes", "true", "1", "√"}:
            return True
        if lowered in {"否", "n", "no", "false", "0", "×"}:
            return False
        self.fail(key, _("「%(value)s」无效，应填 是 或 否 (expected 是/否)") % {"value": value})
        return None

    def day(self, key: str) -> date | None:
        raw = self.record.get(key)
        if raw is None or _text(raw) == "":
            return None
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
            return from_excel(raw).date()
        text = _text(raw)
        for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.fail(key, _("「%(value)s」不是有效日期，请填写如 2010-05-20 (invalid date)") % {"value": text})
        return None

    def filled(self, key: str) -> bool:
        return _text(self.record.get(key)) != ""


SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")


# --- parsing -------------------------------------------------------------------------------------------


def parse_roster(file) -> RosterPlan:
    """Read and validate a roster workbook (a path or a binary file object) and plan the changes. Writes nothing."""
    plan = RosterPlan()
    sheets = _read_sheets(file, plan)
    if sheets is None:
        return plan
    plan.rows = sum(len(rows) for rows in sheets.values())
    if not plan.rows:
        plan.error("", None, "", _("文件中没有任何数据行 (the file has no data rows)"))
        return plan
    plan.units = {unit.code: unit for unit in Unit.objects.all()}
    unit_rows = _clean_units(plan, sheets[UNIT_SHEET])
    file_codes = {_text(record.get("code")) for _number, record in sheets[UNIT_SHEET]} - {""}
    people_rows = _clean_people(plan, sheets[PEOPLE_SHEET], known_codes=set(plan.units) | file_codes)
    if plan.errors:
        return plan
    _plan_units(plan, unit_rows)
    _plan_people(plan, people_rows)
    if plan.errors:  # found while comparing with the accounts already in the system
        plan.changes = []
    return plan


def _duplicates(plan, sheet, rows, key, header, message):
    """An error on every row that shares a value of ``key`` with another row."""
    seen = defaultdict(list)
    for row in rows:
        if row.get(key):
            seen[row[key]].append(row["_row"])
    for value, numbers in seen.items():
        if len(numbers) < 2:
            continue
        for number in numbers:
            others = "、".join(str(n) for n in numbers if n != number)
            plan.error(sheet, number, header, message % {"value": value, "rows": others})


def _clean_units(plan: RosterPlan, records) -> list[dict]:
    rows = []
    for number, record in records:
        row = _Row(plan, UNIT_SHEET, number, record, UNIT_COLUMNS)
        code = row.text("code")
        if code and not SLUG.match(code):
            row.fail(
                "code",
                _("单位代码「%(value)s」只能包含英文字母、数字、下划线或连字符 (letters, digits, _ and - only)")
                % {"value": code},
            )
        cleaned = {
            "_row": number,
            "code": code,
            "name": row.text("name"),
            "kind": row.choice("kind", KIND_NAMES, values=UnitKind.values),
            "batch": row.choice("batch", BATCH_NAMES),
            "is_pilot": row.yes_no("is_pilot"),
        }
        if cleaned["name"] and code:
            taken = next((u for u in plan.units.values() if u.name == cleaned["name"] and u.code != code), None)
            if taken is not None:
                row.fail(
                    "name",
                    _("单位名称「%(value)s」已被单位 %(code)s 使用 (unit name already used)")
                    % {"value": cleaned["name"], "code": taken.code},
                )
        rows.append(cleaned)
    _duplicates(
        plan,
        UNIT_SHEET,
        rows,
        "code",
        "单位代码",
        _("单位代码 %(value)s 在文件中重复出现，另见第 %(rows)s 行 (duplicate unit code)"),
    )
    _duplicates(
        plan,
        UNIT_SHEET,
        rows,
        "name",
        "单位名称",
        _("单位名称 %(value)s 在文件中重复出现，另见第 %(rows)s 行 (duplicate unit name)"),
    )
    return rows


POST_ONLY = ("duties", "is_key", "key_area")
PERSON_ONLY = ("phone", "email", "role")
username_validator = UnicodeUsernameValidator()


def _clean_people(plan: RosterPlan, records, *, known_codes: set) -> list[dict]:
    rows = []
    for number, record in records:
        row = _Row(plan, PEOPLE_SHEET, number, record, PEOPLE_COLUMNS)
        cleaned = {
            "_row": number,
            "unit": row.text("unit"),
            "office": row.text("office"),
            "post": row.text("post"),
            "rank": row.text("rank"),
            "duties": row.text("duties"),
            "is_key": row.yes_no("is_key"),
            "key_area": row.choice("key_area", KEY_AREA_NAMES, values=KeyArea.values),
            "staff_no": row.text("staff_no"),
            "full_name": row.text("full_name"),
            "phone": row.text("phone"),
            "email": row.text("email"),
            "role": row.choice("role", ROLE_NAMES, values=[r.value for r in UNIT_ROLES]),
            "start": row.day("start"),
        }
        _check_person_row(row, cleaned, known_codes=known_codes)
        rows.append(cleaned)
    _duplicates(
        plan,
        PEOPLE_SHEET,
        rows,
        "staff_no",
        "工号",
        _("工号 %(value)s 在文件中重复出现，另见第 %(rows)s 行 (duplicate staff number)"),
    )
    _check_post_consistency(plan, rows)
    return rows


def _check_person_row(row: _Row, cleaned: dict, *, known_codes: set) -> None:
    code = cleaned["unit"]
    if code and code not in known_codes:
        row.fail(
            "unit", _("未知单位「%(value)s」：既不在系统中，也不在「单位」工作表中 (unknown unit)") % {"value": code}
        )
    staff_no, name = cleaned["staff_no"], cleaned["full_name"]
    if name and not staff_no and not row.filled("staff_no"):
        row.fail("staff_no", _("填写了姓名就必须填写工号 (staff number required with a name)"))
    if staff_no and not name and not row.filled("full_name"):
        row.fail("full_name", _("填写了工号就必须填写姓名 (name required with a staff number)"))
    if staff_no:
        try:
            username_validator(staff_no)
        except ValidationError:
            row.fail(
                "staff_no",
                _("工号「%(value)s」只能包含字母、数字和 @ . + - _ (invalid staff number)") % {"value": staff_no},
            )
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            row.fail("email", _("「%(value)s」不是有效的邮箱地址 (invalid e-mail)") % {"value": cleaned["email"]})
    has_person = row.filled("staff_no") or row.filled("full_name")
    has_post = row.filled("post")
    if not has_post:
        for key in POST_ONLY:
            if row.filled(key):
                row.fail(key, _("未填写岗位名称时不能填写此列 (needs a post name)"))
    if not has_person:
        for key in PERSON_ONLY:
            if row.filled(key):
                row.fail(key, _("未填写工号和姓名时不能填写此列 (needs a person)"))
        if row.filled("rank") and not has_post:
            row.fail("rank", _("未填写岗位名称或人员时不能填写此列 (needs a post or a person)"))
    if row.filled("start") and not (has_post and has_person):
        row.fail("start", _("任职起始日期需要同时填写岗位名称和人员 (needs a post and a person)"))
    if not (has_post or has_person or row.filled("office")):
        row.fail("", _("本行没有科室、岗位或人员信息 (nothing to import on this row)"))


def _post_key(row: dict) -> tuple:
    return (row["unit"], row["office"], row["post"])


def _check_post_consistency(plan: RosterPlan, rows: list[dict]) -> None:
    """Several rows may name one post (several holders); what they say about the post must agree."""
    first = {}
    for row in rows:
        if not row["post"]:
            continue
        for key in ("rank", "duties", "is_key", "key_area"):
            value = row[key]
            if value in (None, ""):
                continue
            seen = first.setdefault((_post_key(row), key), (row["_row"], value))
            if seen[1] != value:
                header = next(c.header for c in PEOPLE_COLUMNS if c.key == key)
                plan.error(
                    PEOPLE_SHEET,
                    row["_row"],
                    header,
                    _("与第 %(row)s 行对同一岗位填写的内容不一致 (conflicts with another row for the same post)")
                    % {"row": seen[0]},
                )


# --- planning: compare with the database -----------------------------------------------------------------


def _differences(instance, wanted: dict) -> dict:
    return {name: value for name, value in wanted.items() if value is not None and getattr(instance, name) != value}


def _plan_units(plan: RosterPlan, rows: list[dict]) -> None:
    for row in rows:
        wanted = {key: row[key] for key in ("name", "kind", "batch", "is_pilot") if row[key] is not None}
        existing = plan.units.get(row["code"])
        if existing is None:
            plan.changes.append(Change("unit", "create", (row["code"],), wanted))
        elif changed := _differences(existing, wanted):
            plan.changes.append(Change("unit", "update", (row["code"],), changed, existing))


def _plan_people(plan: RosterPlan, rows: list[dict]) -> None:
    codes = {row["unit"] for row in rows}
    plan.offices = {
        (o.unit.code, o.name): o for o in Office.objects.filter(unit__code__in=codes).select_related("unit")
    }
    for post in Post.objects.filter(unit__code__in=codes).select_related("unit", "office").order_by("pk"):
        plan.posts.setdefault((post.unit.code, post.office.name if post.office else "", post.name), post)
    staff_nos = {row["staff_no"] for row in rows if row["staff_no"]}
    plan.users = {u.staff_no: u for u in User.objects.filter(staff_no__in=staff_nos).select_related("unit")}
    usernames = set(User.objects.filter(username__in=staff_nos - set(plan.users)).values_list("username", flat=True))
    open_rows = list(
        Assignment.objects.filter(end__isnull=True, user__staff_no__in=staff_nos).values_list(
            "pk", "post_id", "user_id", "user__staff_no", "start"
        )
    )
    open_assignments = {(post_id, user_id) for _pk, post_id, user_id, _no, _start in open_rows}
    open_by_person: dict[str, list] = {}
    for pk, post_id, _user_id, staff_no, start in open_rows:
        open_by_person.setdefault(staff_no, []).append((pk, post_id, start))

    offices, posts, users, assignments = [], {}, [], []
    for row in rows:
        if row["office"] and (row["unit"], row["office"]) not in plan.offices:
            key = (row["unit"], row["office"])
            if key not in {c.key for c in offices}:
                offices.append(Change("office", "create", key, {}))
        if row["post"]:
            _plan_post(plan, row, posts)
        if row["staff_no"]:
            if not _plan_user(plan, row, users, usernames):
                continue
            if row["post"]:
                post, user = plan.posts.get(_post_key(row)), plan.users.get(row["staff_no"])
                if post is None or user is None or (post.pk, user.pk) not in open_assignments:
                    assignments.append(
                        Change("assignment", "create", (_post_key(row), row["staff_no"]), {"start": row["start"]})
                    )
                assignments += _rotations(row, post, open_by_person.get(row["staff_no"], []))
    plan.changes += offices + list(posts.values()) + users + assignments


def _rotations(row: dict, post, open_assignments: list) -> list[Change]:
    """A person listed on a post no longer holds their other posts (轮岗/交流): those assignments end the day
    before the new one starts, so the history shows who held each post when (R3)."""
    start = row["start"] or timezone.localdate()
    closes = []
    for pk, post_id, held_since in open_assignments:
        if post is not None and post_id == post.pk:
            continue
        end = max(held_since, start - timedelta(days=1))
        closes.append(Change("assignment", "close", (pk,), {"end": end}))
    return closes


def _plan_post(plan: RosterPlan, row: dict, posts: dict) -> None:
    key = _post_key(row)
    wanted = {name: row[name] or None for name in ("rank", "duties", "key_area")}
    wanted["is_key"] = row["is_key"]
    wanted = {name: value for name, value in wanted.items() if value is not None}
    existing = plan.posts.get(key)
    change = posts.get(key)
    if change is not None:  # another holder of the same post: merge what this row adds
        fields = _differences(existing, wanted) if existing is not None else wanted
        change.fields.update(fields)
        return
    if existing is None:
        posts[key] = Change("post", "create", key, wanted)
    elif changed := _differences(existing, wanted):
        posts[key] = Change("post", "update", key, changed, existing)


def _plan_user(plan: RosterPlan, row: dict, users: list, usernames: set) -> bool:
    staff_no = row["staff_no"]
    wanted = {
        "full_name": row["full_name"],
        "phone": row["phone"] or None,
        "email": row["email"] or None,
        "title": row["rank"] or None,
        "role": row["role"],
    }
    existing = plan.users.get(staff_no)
    if existing is None:
        if staff_no in usernames:
            plan.error(
                PEOPLE_SHEET,
                row["_row"],
                "工号",
                _("用户名 %(value)s 已被另一个账号使用，无法为此工号建立账号 (user name taken)") % {"value": staff_no},
            )
            return False
        wanted["unit"] = row["unit"]
        users.append(Change("user", "create", (staff_no,), {k: v for k, v in wanted.items() if v is not None}))
        return True
    if existing.is_superuser or existing.role not in UNIT_ROLES:
        plan.error(
            PEOPLE_SHEET,
            row["_row"],
            "工号",
            _("工号 %(value)s 属于%(role)s账号，不能通过花名册修改 (not a unit account)")
            % {"value": staff_no, "role": existing.get_role_display()},
        )
        return False
    changed = _differences(existing, wanted)
    if existing.unit is None or existing.unit.code != row["unit"]:
        changed["unit"] = row["unit"]
    if changed:
        users.append(Change("user", "update", (staff_no,), changed, existing))
    return True


# --- writing workbooks -------------------------------------------------------------------------------------


def write_workbook(target, *, unit_rows=(), people_rows=()) -> None:
    """Write a roster workbook (header rows, then the given rows) to a path or a binary file object."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, columns, rows in ((UNIT_SHEET, UNIT_COLUMNS, unit_rows), (PEOPLE_SHEET, PEOPLE_COLUMNS, people_rows)):
        ws = workbook.create_sheet(sheet)
        ws.append([column.title for column in columns])
        for cell, column in zip(ws[1], columns, strict=True):
            cell.font = Font(bold=True, color="B3261E" if column.required else "000000")
            cell.fill = PatternFill("solid", fgColor="F2F2F2")
            ws.column_dimensions[cell.column_letter].width = max(12, len(column.title) * 2 + 4)
        for row in rows:
            ws.append(list(row))
        ws.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            if column.choices:
                validation = DataValidation(
                    type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
                )
                validation.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(validation)
            if column.key == "start":
                for cells in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    for cell in cells:
                        cell.number_format = "yyyy-mm-dd"
    notes = workbook.create_sheet("填写说明")
    for line in TEMPLATE_NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    text_only(workbook)  # names typed by users never become formulas
    if isinstance(target, str | Path):
        workbook.save(str(target))
    else:
        workbook.save(target)


# Written into the template; part of the file, like the headers, so in Chinese only.
TEMPLATE_NOTES = (
    "花名册填写说明",
    "1. 带 * 的列必须填写；请勿修改表头和工作表名称（「单位」「人员岗位」）。",
    "2. 「单位」表：单位代码只能使用英文字母、数字、下划线或连字符；单位类型为 机关部处/学院/直属单位；批次填 第一批 或 第二批；是否试点填 是/否。",
    "3. 「人员岗位」表每行可描述一个岗位及其任职人；只有岗位没有人员时工号、姓名留空；只有人员没有岗位时岗位名称留空。",
    "4. 工号和姓名须同时填写；工号在文件中不能重复，并作为登录用户名（初始无密码，由管理员设置或找回）。",
    "5. 重点领域为 行政管理/设备管理/人事管理/财务管理/学生工作管理/工程项目管理 之一或留空；系统角色为 单位负责人/单位联络员/工作人员，默认工作人员。",
    "6. 任职起始日期格式如 2010-05-20，留空则为导入当天。",
    "7. 留空的非必填单元格不会覆盖系统中已有的内容；文件中任何一行有错误，整个文件都不会导入。",
    "8. 请删除示例行后再填写本单位数据。",
)


def write_template(target) -> None:
    """The blank template: header rows and one example row per sheet."""
    write_workbook(target, unit_rows=[EXAMPLE_UNIT_ROW], people_rows=[EXAMPLE_PEOPLE_ROW])


def template_bytes() -> bytes:
    buffer = io.BytesIO()
    write_template(buffer)
    return buffer.getvalue()
