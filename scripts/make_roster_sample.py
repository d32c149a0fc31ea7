"""Write fixtures/roster-sample.xlsx, a small valid roster, through the same writer as the blank template.

Run from the project root: ``.venv/bin/python scripts/make_roster_sample.py``. Unit codes and names match
the demo data, so the sample also imports cleanly on top of ``seed_demo``.
"""

import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianzheng.settings")

import django  # noqa: E402

django.setup()

from units.roster import write_workbook  # noqa: E402

UNITS = [
    ("houqin", "后勤集团", "直属单位", "第一批", "是"),
    ("xiaojian", "校建办", "机关部处", "第一批", "是"),
    ("shebei", "设备处", "机关部处", "第一批", "是"),
    ("caiwu", "财务处", "机关部处", "第一批", "是"),
    ("zhaojiu", "招就处", "机关部处", "第一批", "是"),
    ("renshi", "人事处", "机关部处", "第二批", "否"),
]
START = date(2010, 5, 1)
# 单位代码, 科室, 岗位名称, 职务(职级), 主要岗位职责, 是否重点岗位, 重点领域, 工号, 姓名, 手机, 邮箱, 系统角色, 任职起始日期
PEOPLE = [
    (
        "caiwu",
        "",
        "处长",
        "处长",
        "主持财务处全面工作。",
        "是",
        "财务管理",
        "R2010001",
        "周建国",
        "13900000001",
        "",
        "单位负责人",
        START,
    ),
    (
        "caiwu",
        "综合科",
        "科长",
        "科长",
        "负责综合协调和廉政风险防范联络工作。",
        "否",
        "",
        "R2010002",
        "吴晓燕",
        "13900000002",
        "",
        "单位联络员",
        START,
    ),
    (
        "caiwu",
        "会计核算科",
        "出纳",
        "科员",
        "负责现金收付、银行结算和票据保管。",
        "是",
        "财务管理",
        "R2010003",
        "郑小红",
        "",
        "",
        "",
        START,
    ),
    ("caiwu", "会计核算科", "会计", "科员", "负责会计凭证审核和记账。", "是", "财务管理", "", "", "", "", "", None),
    ("caiwu", "收费管理科", "", "", "", "", "", "", "", "", "", "", None),
    (
        "shebei",
        "设备采购科(招标采购科)",
        "采购员",
        "科员",
        "负责仪器设备的询价、采购和合同执行。",
        "是",
        "设备管理",
        "R2010004",
        "王立新",
        "",
        "",
        "工作人员",
        START,
    ),
    ("shebei", "设备采购科(招标采购科)", "采购员", "", "", "", "", "R2010005", "陈静", "", "", "工作人员", START),
    (
        "xiaojian",
        "工程管理科",
        "现场代表",
        "科员",
        "负责工程现场管理、签证和隐蔽工程验收。",
        "是",
        "工程项目管理",
        "R2010006",
        "刘振华",
        "",
        "",
        "工作人员",
        START,
    ),
    (
        "houqin",
        "饮食服务中心",
        "物资采购员",
        "科员",
        "负责食堂大宗物资采购。",
        "是",
        "财务管理",
        "R2010007",
        "赵海",
        "",
        "",
        "工作人员",
        START,
    ),
    (
        "zhaojiu",
        "招生科(招生办公室)",
        "招生录取岗",
        "科员",
        "负责招生计划编制和录取工作。",
        "是",
        "学生工作管理",
        "R2010008",
        "孙丽",
        "",
        "",
        "工作人员",
        START,
    ),
    (
        "renshi",
        "",
        "",
        "副处长",
        "",
        "",
        "",
        "R2010009",
        "李明",
        "13900000009",
        "liming@example.edu.cn",
        "单位负责人",
        None,
    ),
]

if __name__ == "__main__":
    target = ROOT / "fixtures" / "roster-sample.xlsx"
    write_workbook(target, unit_rows=UNITS, people_rows=PEOPLE)
    print(f"written {target}")
