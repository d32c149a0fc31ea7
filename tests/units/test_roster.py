"""The roster import (花名册导入): all rows or none, errors by row and column, idempotent, command and browser."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lianzheng.models import AuditEvent
from tests.factories import UserFactory
from units.models import Assignment, KeyArea, Office, Post, Role, Unit, UnitKind, User
from units.services import roster_import

pytestmark = pytest.mark.django_db

UNIT_HEADER = ["单位代码*", "单位名称*", "单位类型", "批次", "是否试点"]
PEOPLE_HEADER = [
    "单位代码*",
    "科室",
    "岗位名称",
    "职务(职级)",
    "主要岗位职责",
    "是否重点岗位",
    "重点领域",
    "工号",
    "姓名",
    "手机",
    "邮箱",
    "系统角色",
    "任职起始日期",
]
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "roster-sample.xlsx"


def person(unit="caiwu", office="", post="", rank="", duties="", is_key="", area="", no="", name="", **more):
    """One 人员岗位 row, in header order."""
    return [
        unit,
        office,
        post,
        rank,
        duties,
        is_key,
        area,
        no,
        name,
        more.get("phone", ""),
        more.get("email", ""),
        more.get("role", ""),
        more.get("start"),
    ]


GOOD_UNITS = [["caiwu", "财务处", "机关部处", "第一批", "是"], ["renshi", "人事处", "机关部处", "2", "否"]]
GOOD_PEOPLE = [
    person(
        office="会计核算科",
        post="出纳",
        rank="科员",
        duties="现金收付",
        is_key="是",
        area="财务管理",
        no="T001",
        name="张三",
        phone="13800000000",
        email="zhangsan@example.edu.cn",
        start=date(2010, 5, 20),
    ),
    person(office="会计核算科", post="会计", rank="科员", is_key="是", area="财务管理"),  # a post without a person
    person(unit="renshi", no="T002", name="李四", role="单位负责人", rank="处长"),  # a person without a post
    person(unit="caiwu", post="处长", is_key="否", no="T003", name="王五", role="单位联络员"),
]


def workbook(units=GOOD_UNITS, people=GOOD_PEOPLE, *, unit_header=UNIT_HEADER, people_header=PEOPLE_HEADER) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in (("单位", unit_header, units), ("人员岗位", people_header, people)):
        if header is None:
            continue
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write(tmp_path, content: bytes, name="roster.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def snapshot():
    """Everything the roster touches, including the history tables, so 'nothing changed' can be asserted."""
    return {
        "units": list(Unit.objects.order_by("code").values()),
        "offices": list(Office.objects.order_by("pk").values()),
        "posts": list(Post.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "history": [
            Unit.history.count(),
            Office.history.count(),
            Post.history.count(),
            User.history.count(),
            Assignment.history.count(),
        ],
    }


def import_bytes(content: bytes, **kwargs):
    return roster_import(file=io.BytesIO(content), actor=None, **kwargs)


def messages_of(plan) -> list[str]:
    return [str(error) for error in plan.errors]


# --- the import itself -------------------------------------------------------------------------------------


def test_good_file_creates_units_offices_posts_people_and_assignments(admin_user):
    plan = roster_import(file=io.BytesIO(workbook()), actor=admin_user)

    assert plan.errors == []
    assert plan.counts == {
        "units_created": 2,
        "units_updated": 0,
        "offices_created": 1,
        "posts_created": 3,
        "posts_updated": 0,
        "users_created": 3,
        "users_updated": 0,
        "assignments_created": 2,
        "assignments_closed": 0,
    }
    caiwu = Unit.objects.get(code="caiwu")
    assert (caiwu.name, caiwu.kind, caiwu.batch, caiwu.is_pilot) == ("财务处", UnitKind.OFFICE, 1, True)
    assert Unit.objects.get(code="renshi").batch == 2
    cashier = Post.objects.get(unit=caiwu, name="出纳")
    assert cashier.office.name == "会计核算科"
    assert (cashier.is_key, cashier.key_area, cashier.rank, cashier.duties) == (
        True,
        KeyArea.FINANCE,
        "科员",
        "现金收付",
    )
    assert Post.objects.get(unit=caiwu, name="处长").office is None
    zhang = User.objects.get(staff_no="T001")
    assert (zhang.username, zhang.full_name, zhang.role, zhang.unit, zhang.phone) == (
        "T001",
        "张三",
        Role.STAFF,
        caiwu,
        "13800000000",
    )
    assert not zhang.has_usable_password()
    assert User.objects.get(staff_no="T002").role == Role.UNIT_LEADER
    assert User.objects.get(staff_no="T003").role == Role.UNIT_CONTACT
    assignment = Assignment.objects.get(user=zhang)
    assert (assignment.post, assignment.start, assignment.end) == (cashier, date(2010, 5, 20), None)
    assert not Assignment.objects.filter(user__staff_no="T002").exists()  # no post on that row
    event = AuditEvent.objects.get(action="roster.import")
    assert event.actor_id == admin_user.pk
    assert event.summary["users_created"] == 3


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    content = workbook()
    import_bytes(content)
    before = snapshot()

    second = import_bytes(content)

    assert second.errors == []
    assert second.total_changes == 0
    assert set(second.counts.values()) == {0}
    assert snapshot() == before


def test_changed_values_update_only_what_differs():
    import_bytes(workbook())
    people = [list(row) for row in GOOD_PEOPLE]
    people[0][9] = "13999999999"  # 手机 of T001
    people[1][4] = "会计凭证审核"  # 主要岗位职责 of 会计
    before_history = User.history.count()

    plan = import_bytes(workbook(people=people))

    assert {k: v for k, v in plan.counts.items() if v} == {"users_updated": 1, "posts_updated": 1}
    assert User.objects.get(staff_no="T001").phone == "13999999999"
    assert Post.objects.get(name="会计").duties == "会计凭证审核"
    assert User.history.count() == before_history + 1


def test_an_empty_optional_cell_keeps_the_existing_value():
    import_bytes(workbook())
    people = [list(row) for row in GOOD_PEOPLE]
    people[0][9] = ""  # 手机 left empty

    plan = import_bytes(workbook(people=people))

    assert plan.total_changes == 0
    assert User.objects.get(staff_no="T001").phone == "13800000000"


def test_an_existing_holder_gets_no_second_assignment_and_a_new_post_gets_one(unit, office, post, staff):
    people = [person(office="会计核算科", post="出纳", no=staff.staff_no, name=staff.full_name)]

    first = import_bytes(workbook(units=[], people=people))
    assert first.counts["assignments_created"] == 0

    people.append(person(office="会计核算科", post="稽核", no="T900", name="新人"))
    second = import_bytes(workbook(units=[], people=people))
    assert second.counts["assignments_created"] == 1
    assert Assignment.objects.filter(user=staff, end__isnull=True).count() == 1
    assert Assignment.objects.get(user__staff_no="T900").start == date.today()


def test_one_broken_row_rejects_the_whole_file_and_names_row_and_column():
    before = snapshot()
    people = [*GOOD_PEOPLE, person(unit="nosuch", post="岗位", no="T009", name="赵六")]

    plan = import_bytes(workbook(people=people))

    assert snapshot() == before
    assert plan.changes == []
    assert len(plan.errors) == 1
    error = plan.errors[0]
    assert (error.sheet, error.row, error.column) == ("人员岗位", 6, "单位代码")
    assert "未知单位" in error.message
    assert "第 6 行「单位代码」" in str(error)


# --- each kind of error -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "people", "expected"),
    [
        pytest.param(
            GOOD_UNITS,
            [person(unit="xyz", no="T1", name="甲")],
            [("人员岗位", 2, "单位代码", "未知单位")],
            id="unknown-unit",
        ),
        pytest.param(
            GOOD_UNITS,
            [person(no="T1", name="甲"), person(post="出纳"), person(no="T1", name="乙")],
            [("人员岗位", 2, "工号", "工号 T1 在文件中重复出现"), ("人员岗位", 4, "工号", "工号 T1 在文件中重复出现")],
            id="duplicate-staff-no",
        ),
        pytest.param(
            [["caiwu", "", "", "", ""]],
            [person(unit="", post="出纳")],
            [("单位", 2, "单位名称", "必填"), ("人员岗位", 2, "单位代码", "必填")],
            id="empty-required-cell",
        ),
        pytest.param(
            GOOD_UNITS,
            [person(post="岗" * 101, no="T1", name="名" * 51)],
            [("人员岗位", 2, "岗位名称", "最多 100 个字符"), ("人员岗位", 2, "姓名", "最多 50 个字符")],
            id="over-long-text",
        ),
        pytest.param(
            GOOD_UNITS,
            [person(post="出纳", name="甲"), person(post="会计", no="T2")],
            [("人员岗位", 2, "工号", "就必须填写工号"), ("人员岗位", 3, "姓名", "就必须填写姓名")],
            id="staff-no-and-name-together",
        ),
        pytest.param(
            [["caiwu", "财务处", "研究所", "第三批", "可能"]],
            [person(post="出纳", is_key="对", area="后勤管理", no="T1", name="甲", role="处长", start="昨天")],
            [
                ("单位", 2, "单位类型", "不是可选值"),
                ("单位", 2, "批次", "不是可选值"),
                ("单位", 2, "是否试点", "是 或 否"),
                ("人员岗位", 2, "是否重点岗位", "是 或 否"),
                ("人员岗位", 2, "重点领域", "不是可选值"),
                ("人员岗位", 2, "系统角色", "不是可选值"),
                ("人员岗位", 2, "任职起始日期", "不是有效日期"),
            ],
            id="invalid-choices",
        ),
        pytest.param(
            [["财务 处", "财务处", "", "", ""]],
            [person(unit="财务 处", post="出纳", no="T 1", name="甲", email="not-an-email")],
            [
                ("单位", 2, "单位代码", "只能包含"),
                ("人员岗位", 2, "工号", "只能包含"),
                ("人员岗位", 2, "邮箱", "邮箱地址"),
            ],
            id="bad-codes-and-email",
        ),
        pytest.param(
            GOOD_UNITS,
            [person(duties="无岗位的职责", no="T1", name="甲"), person(office="综合科", phone="138")],
            [("人员岗位", 2, "主要岗位职责", "岗位名称"), ("人员岗位", 3, "手机", "工号和姓名")],
            id="cells-that-need-a-post-or-person",
        ),
        pytest.param(
            GOOD_UNITS,
            [
                person(post="出纳", is_key="是", no="T1", name="甲"),
                person(post="出纳", is_key="否", no="T2", name="乙"),
            ],
            [("人员岗位", 3, "是否重点岗位", "不一致")],
            id="one-post-described-two-ways",
        ),
        pytest.param(
            [*GOOD_UNITS, ["caiwu", "财务处(重复)", "", "", ""]],
            [person(post="出纳")],
            [("单位", 2, "单位代码", "重复出现"), ("单位", 4, "单位代码", "重复出现")],
            id="duplicate-unit-code",
        ),
    ],
)
def test_each_kind_of_error_is_listed_by_sheet_row_and_column(units, people, expected):
    before = snapshot()

    plan = import_bytes(workbook(units=units, people=people))

    found = [(e.sheet, e.row, e.column) for e in plan.errors]
    for sheet, row, column, text in expected:
        assert (sheet, row, column) in found, messages_of(plan)
        error = plan.errors[found.index((sheet, row, column))]
        assert text in error.message
        assert "(" in error.message  # the English gloss in parentheses
    assert len(plan.errors) == len(expected), messages_of(plan)
    assert snapshot() == before


def test_not_an_xlsx_file_gives_one_clear_error():
    plan = import_bytes("姓名,工号\n张三,T001\n".encode())

    assert len(plan.errors) == 1
    assert "不是有效的 Excel 工作簿" in str(plan.errors[0])


def test_a_zip_that_is_not_a_workbook_gives_one_clear_error():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    plan = import_bytes(buffer.getvalue())

    assert len(plan.errors) == 1
    assert "xlsx" in str(plan.errors[0])


def test_missing_sheets_and_headers_are_named():
    no_people = import_bytes(workbook(people_header=None))
    assert ["工作簿缺少工作表「人员岗位」" in str(e) for e in no_people.errors] == [True]

    short_header = [h for h in PEOPLE_HEADER if h not in ("工号", "邮箱")]
    missing = import_bytes(workbook(people=[], people_header=short_header))
    assert len(missing.errors) == 1
    assert (missing.errors[0].sheet, missing.errors[0].row) == ("人员岗位", 1)
    assert "「工号」" in missing.errors[0].message and "「邮箱」" in missing.errors[0].message


def test_a_unit_name_used_by_another_unit_is_refused(unit):
    plan = import_bytes(workbook(units=[["cw2", "财务处", "", "", ""]], people=[person(unit="cw2", post="出纳")]))

    assert [(e.sheet, e.row, e.column) for e in plan.errors] == [("单位", 2, "单位名称")]


def test_accounts_outside_the_units_cannot_be_changed_through_the_roster(admin_user):
    admin_user.staff_no = "A001"
    admin_user.save()
    UserFactory(username="T050", staff_no=None)

    plan = import_bytes(workbook(people=[person(no="A001", name="管理员"), person(no="T050", name="某人")]))

    assert [(e.row, e.column) for e in plan.errors] == [(2, "工号"), (3, "工号")]
    assert "不能通过花名册修改" in plan.errors[0].message
    assert "已被另一个账号使用" in plan.errors[1].message
    assert User.objects.get(pk=admin_user.pk).role == Role.ADMIN


def test_a_conflict_while_writing_rolls_everything_back(monkeypatch):
    from django.db import IntegrityError

    from units import services

    real_apply = services._apply_roster

    def apply_then_collide(plan, *, actor):
        real_apply(plan, actor=actor)
        raise IntegrityError("simulated")

    monkeypatch.setattr(services, "_apply_roster", apply_then_collide)

    plan = import_bytes(workbook())

    assert "唯一性冲突" in str(plan.errors[0])
    assert not Unit.objects.exists() and not AuditEvent.objects.exists()


# --- the command ---------------------------------------------------------------------------------------------


def test_command_dry_run_reports_counts_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, workbook())
    before = snapshot()

    call_command("import_roster", str(path), "--dry-run")

    out = capsys.readouterr().out
    assert "新增单位: 2" in out and "试运行" in out
    assert snapshot() == before
    assert not AuditEvent.objects.exists()


def test_command_imports_and_reports_counts(tmp_path, capsys):
    call_command("import_roster", str(write(tmp_path, workbook())))

    assert "新增人员: 3" in capsys.readouterr().out
    assert Unit.objects.count() == 2


def test_command_refuses_a_bad_file_listing_every_error(tmp_path):
    people = [person(unit="nosuch", no="T1", name="甲"), person(no="T1", name="乙")]
    path = write(tmp_path, workbook(people=people))

    with pytest.raises(CommandError) as failure:
        call_command("import_roster", str(path))

    text = str(failure.value)
    assert "第 2 行「单位代码」" in text and "未知单位" in text
    assert "第 2 行「工号」" in text and "第 3 行「工号」" in text
    assert not Unit.objects.exists()


def test_command_refuses_a_file_that_is_not_xlsx(tmp_path):
    path = write(tmp_path, b"just text", name="roster.txt")

    with pytest.raises(CommandError, match="xlsx"):
        call_command("import_roster", str(path))


def test_command_template_writes_the_header_row_and_an_example_that_imports_cleanly(tmp_path, capsys):
    target = tmp_path / "template.xlsx"

    call_command("import_roster", "--template", str(target))

    book = load_workbook(target)
    assert [c.value for c in book["单位"][1]] == UNIT_HEADER
    assert [c.value for c in book["人员岗位"][1]] == PEOPLE_HEADER
    assert book["单位"].max_row == 2 and book["人员岗位"].max_row == 2
    call_command("import_roster", str(target))
    assert User.objects.filter(staff_no="T0001").exists()
    assert Assignment.objects.filter(user__staff_no="T0001", post__name="出纳").exists()


def test_command_requires_a_file_or_template():
    with pytest.raises(CommandError):
        call_command("import_roster")


def test_the_sample_fixture_imports_cleanly_and_idempotently():
    first = roster_import(file=SAMPLE, actor=None)
    assert first.errors == []
    assert first.counts["units_created"] >= 5 and first.counts["assignments_created"] > 0
    assert set(Unit.objects.filter(is_pilot=True).values_list("code", flat=True)) == {
        "houqin",
        "xiaojian",
        "shebei",
        "caiwu",
        "zhaojiu",
    }
    assert roster_import(file=SAMPLE, actor=None).total_changes == 0


# --- the browser ---------------------------------------------------------------------------------------------


@pytest.fixture
def roster_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "roster"


def upload(client, content: bytes, name="roster.xlsx"):
    return client.post(reverse("units:roster-import"), {"file": SimpleUploadedFile(name, content)})


def test_admin_uploads_previews_and_confirms(as_user, admin_user, roster_dir):
    client = as_user(admin_user)
    assert client.get(reverse("units:roster-import")).status_code == 200

    response = upload(client, workbook())
    assert response.status_code == 302 and response["Location"] == reverse("units:roster-preview")
    held = list(roster_dir.glob("*.xlsx"))
    assert len(held) == 1
    token = client.session["roster_upload"]["token"]
    assert held[0].name == f"{token}.xlsx"

    preview = client.get(reverse("units:roster-preview"))
    page = preview.content.decode()
    assert preview.status_code == 200 and 'data-testid="roster-confirm"' in page
    assert token in page and not Unit.objects.exists()

    done = client.post(reverse("units:roster-preview"), {"token": token, "confirm": "1"}, follow=True)
    assert "花名册已导入" in done.content.decode()
    assert Unit.objects.count() == 2 and User.objects.filter(staff_no="T001").exists()
    assert list(roster_dir.glob("*.xlsx")) == []
    assert "roster_upload" not in client.session
    assert AuditEvent.objects.filter(action="roster.import", actor_id=admin_user.pk).count() == 1


def test_the_preview_parses_the_workbook_once(as_user, admin_user, roster_dir, monkeypatch):
    """Issue 14 (10): revisiting the preview reads the kept dry run, not the workbook again; confirming parses it
    afresh (the database may have changed) and removes both files."""
    from units import services as unit_services

    parsed = []
    real = unit_services.parse_roster
    monkeypatch.setattr(unit_services, "parse_roster", lambda file: parsed.append(file) or real(file))
    client = as_user(admin_user)
    upload(client, workbook())
    first = client.get(reverse("units:roster-preview")).content.decode()
    again = client.get(reverse("units:roster-preview")).content.decode()
    assert len(parsed) == 1 and 'data-testid="roster-confirm"' in again
    rows = [line for line in first.splitlines() if "共读取" in line]
    assert rows and rows == [line for line in again.splitlines() if "共读取" in line]
    token = client.session["roster_upload"]["token"]
    client.post(reverse("units:roster-preview"), {"token": token, "confirm": "1"})
    assert len(parsed) == 2 and Unit.objects.count() == 2
    assert list(roster_dir.iterdir()) == []


def test_preview_lists_errors_with_row_column_and_problem_and_offers_no_confirm(as_user, admin_user, roster_dir):
    client = as_user(admin_user)
    upload(client, workbook(people=[person(unit="nosuch", no="T1", name="甲")]))

    page = client.get(reverse("units:roster-preview")).content.decode()

    assert 'data-testid="roster-errors"' in page and "未知单位" in page
    assert "<td>2</td><td>单位代码</td>" in page
    assert 'data-testid="roster-confirm"' not in page
    assert list(roster_dir.glob("*.xlsx")) == []


def test_confirm_needs_the_token_from_the_session(as_user, admin_user, roster_dir):
    client = as_user(admin_user)
    upload(client, workbook())

    client.post(reverse("units:roster-preview"), {"token": "x" * 43, "confirm": "1"})

    assert not Unit.objects.exists()


def test_cancel_deletes_the_held_file(as_user, admin_user, roster_dir):
    client = as_user(admin_user)
    upload(client, workbook())
    token = client.session["roster_upload"]["token"]

    client.post(reverse("units:roster-preview"), {"token": token, "cancel": "1"})

    assert list(roster_dir.glob("*.xlsx")) == [] and not Unit.objects.exists()


def test_template_download_is_a_workbook(as_user, admin_user):
    response = as_user(admin_user).get(reverse("units:roster-template"))

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["人员岗位"][1]] == PEOPLE_HEADER


@pytest.mark.parametrize("role", ["reviewer", "school_leader", "unit_leader", "unit_contact", "staff"])
@pytest.mark.parametrize("url_name", ["units:roster-import", "units:roster-preview", "units:roster-template"])
def test_only_admins_may_import_a_roster_others_get_404(request, as_user, role, url_name, roster_dir):
    client = as_user(request.getfixturevalue(role))

    assert client.get(reverse(url_name)).status_code == 404
    assert client.post(reverse(url_name), {"file": SimpleUploadedFile("r.xlsx", workbook())}).status_code == 404
    assert not roster_dir.exists()
    assert Unit.objects.filter(code="renshi").count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.csv", b"a,b\n", "只能上传 .xlsx"),
        ("roster.xlsx", b"this is not a zip", "不是有效的 Excel 工作簿"),
        ("roster.xlsx", None, "文件过大"),
    ],
    ids=["wrong-extension", "not-a-workbook", "too-large"],
)
def test_oversize_or_wrong_type_upload_is_refused_with_a_message(
    settings, as_user, admin_user, roster_dir, name, content, message
):
    settings.UPLOAD_MAX_BYTES = 1000
    client = as_user(admin_user)

    response = upload(client, content if content is not None else workbook(), name=name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not roster_dir.exists() or list(roster_dir.iterdir()) == []
    assert "roster_upload" not in client.session


def test_rotation_closes_the_previous_post_and_keeps_history(unit, office, post, staff):
    """轮岗: the roster lists a holder on another post; the old assignment ends the day before, the new one opens."""
    Assignment.objects.filter(user=staff, post=post).update(start=date(2020, 1, 1))
    people = [person(office="会计核算科", post="稽核", no=staff.staff_no, name=staff.full_name, start="2026-09-01")]

    plan = import_bytes(workbook(units=[], people=people))

    assert plan.errors == []
    assert plan.counts["assignments_created"] == 1
    assert plan.counts["assignments_closed"] == 1
    old = Assignment.objects.get(user=staff, post=post)
    assert old.end == date(2026, 8, 31)
    assert Assignment.objects.get(user=staff, end__isnull=True).post.name == "稽核"
    # Importing the same file again changes nothing.
    assert import_bytes(workbook(units=[], people=people)).total_changes == 0


# --- size limits (issue 14, item 10) ------------------------------------------------------------------------------
def _with_declared_rows(content: bytes, rows: int) -> bytes:
    """The same workbook whose people sheet declares ``rows`` rows in its <dimension> (as a crafted file does)."""
    import re
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', f'<dimension ref="A1:N{rows}"'.encode(), data)
            out.writestr(info, data)
    return target.getvalue()


def test_a_sheet_declaring_millions_of_rows_is_refused_before_reading_them():
    import time

    started = time.monotonic()
    plan = import_bytes(_with_declared_rows(workbook(), 5_000_000), dry_run=True)
    assert time.monotonic() - started < 2
    assert any("超过上限" in message and "人员岗位" in message for message in messages_of(plan))


def test_rows_beyond_the_limit_are_refused_even_without_a_declared_size(monkeypatch):
    from units import roster

    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    people = [person(no=f"9{n:03}", name=f"员工{n}", post=f"岗位{n}") for n in range(6)]
    plan = import_bytes(_with_declared_rows(workbook(people=people), 1), dry_run=True)
    assert any("超过上限 3 行" in message for message in messages_of(plan))
    monkeypatch.undo()
    assert import_bytes(workbook(people=people), dry_run=True).errors == []  # within the real limit: fine


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch):
    import zipfile

    from units import roster

    monkeypatch.setattr(roster, "MAX_UNPACKED_BYTES", 1_000_000)
    padded = io.BytesIO(workbook())
    with zipfile.ZipFile(padded, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 2_000_000)  # compresses to a few kilobytes
    plan = import_bytes(padded.getvalue(), dry_run=True)
    assert any("解压后超过" in message for message in messages_of(plan))
