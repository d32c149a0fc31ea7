"""The synthetic campus's vocabulary: unit, office, post and person names, risks and measures per key area, and the
weighted choices (form states, risk categories and levels) the steps draw from.
"""

import random

from measures.models import MeasureStage
from risks.models import FormState, RiskCategory
from units.models import KeyArea, UnitKind

UNITS = [
    ("后勤集团", UnitKind.AFFILIATED, KeyArea.ADMINISTRATION),
    ("校园建设办公室", UnitKind.OFFICE, KeyArea.CONSTRUCTION),
    ("设备处", UnitKind.OFFICE, KeyArea.EQUIPMENT),
    ("财务处", UnitKind.OFFICE, KeyArea.FINANCE),
    ("招生就业处", UnitKind.OFFICE, KeyArea.STUDENT),
    ("人事处", UnitKind.OFFICE, KeyArea.PERSONNEL),
    ("教务处", UnitKind.OFFICE, KeyArea.ADMINISTRATION),
    ("科技处", UnitKind.OFFICE, KeyArea.FINANCE),
    ("学生工作处", UnitKind.OFFICE, KeyArea.STUDENT),
    ("国有资产管理处", UnitKind.OFFICE, KeyArea.EQUIPMENT),
    ("基建处", UnitKind.OFFICE, KeyArea.CONSTRUCTION),
    ("研究生院", UnitKind.OFFICE, KeyArea.STUDENT),
    ("图书馆", UnitKind.AFFILIATED, KeyArea.EQUIPMENT),
    ("校医院", UnitKind.AFFILIATED, KeyArea.ADMINISTRATION),
    ("继续教育学院", UnitKind.AFFILIATED, KeyArea.STUDENT),
    ("农学院", UnitKind.COLLEGE, KeyArea.STUDENT),
    ("园林与艺术学院", UnitKind.COLLEGE, KeyArea.STUDENT),
    ("动物科学技术学院", UnitKind.COLLEGE, KeyArea.EQUIPMENT),
    ("经济管理学院", UnitKind.COLLEGE, KeyArea.FINANCE),
    ("工学院", UnitKind.COLLEGE, KeyArea.EQUIPMENT),
    ("计算机与信息工程学院", UnitKind.COLLEGE, KeyArea.EQUIPMENT),
    ("生物科学与工程学院", UnitKind.COLLEGE, KeyArea.EQUIPMENT),
    ("理学院", UnitKind.COLLEGE, KeyArea.STUDENT),
    ("人文与公共管理学院", UnitKind.COLLEGE, KeyArea.STUDENT),
    ("外国语学院", UnitKind.COLLEGE, KeyArea.STUDENT),
    ("职业师范技术学院", UnitKind.COLLEGE, KeyArea.STUDENT),
    ("国土资源与环境学院", UnitKind.COLLEGE, KeyArea.CONSTRUCTION),
    ("食品科学与工程学院", UnitKind.COLLEGE, KeyArea.EQUIPMENT),
    ("林学院", UnitKind.COLLEGE, KeyArea.CONSTRUCTION),
    ("体育部", UnitKind.COLLEGE, KeyArea.EQUIPMENT),
]
OFFICES = [
    "综合科",
    "计划科",
    "财务科",
    "采购科",
    "审核科",
    "管理科",
    "服务中心",
    "招标办公室",
    "人事科",
    "学生科",
    "教学科",
    "资产科",
    "工程科",
    "质量监督科",
    "信息科",
    "档案室",
]
POSTS = {
    KeyArea.FINANCE: ["出纳", "会计", "报账审核员", "收费管理员", "预算管理员", "经费审核员"],
    KeyArea.EQUIPMENT: ["采购员", "设备管理员", "仓库保管员", "实验室管理员", "验收员", "招标专员"],
    KeyArea.PERSONNEL: ["人事干事", "职称评审秘书", "招聘专员", "工资核算员", "档案管理员"],
    KeyArea.STUDENT: ["招生专员", "辅导员", "奖助学金管理员", "就业指导员", "学籍管理员", "教务员"],
    KeyArea.CONSTRUCTION: ["工程项目负责人", "现场监理", "预结算审核员", "工程造价员", "维修管理员"],
    KeyArea.ADMINISTRATION: ["办公室主任", "文秘", "车辆管理员", "房产管理员", "物业管理员", "合同管理员"],
}
HEADS = ["科长", "主任", "副科长", "负责人"]
RISKS = {
    KeyArea.FINANCE: [
        ("经费报销审核", "审核把关不严", "对不符合规定的票据予以报销，优亲厚友、违规办理。"),
        ("现金收付", "坐收坐支", "收取现金不及时入账，挪用公款或私设小金库。"),
        ("预算执行", "预算调整随意", "不按规定程序调整预算，变相突击花钱。"),
    ],
    KeyArea.EQUIPMENT: [
        ("物资采购", "供应商选择不公", "与供应商串通，抬高采购价格，收受回扣。"),
        ("设备验收", "验收走过场", "对不合格设备予以验收，损害学校利益。"),
        ("资产处置", "低价处置资产", "未经评估擅自处置国有资产，造成流失。"),
    ],
    KeyArea.PERSONNEL: [
        ("人员招聘", "招聘暗箱操作", "违规设置招聘条件，为特定人员量身定做岗位。"),
        ("职称评审", "评审不公", "评审中打招呼、说情，评审结果失真。"),
    ],
    KeyArea.STUDENT: [
        ("招生录取", "违规录取", "利用职务之便违规调整录取名单，收受好处。"),
        ("奖助学金评定", "评定不公", "评定程序不公开，优亲厚友。"),
        ("就业推荐", "推荐不公", "利用推荐权谋取私利。"),
    ],
    KeyArea.CONSTRUCTION: [
        ("工程招标", "围标串标", "泄露标底，默许投标人围标串标。"),
        ("工程变更", "虚增工程量", "签证把关不严，虚增工程量和变更费用。"),
        ("工程结算", "结算审核不严", "审核中放松标准，多结算工程款。"),
    ],
    KeyArea.ADMINISTRATION: [
        ("公务接待", "超标准接待", "违反规定超标准、超范围接待。"),
        ("公车使用", "公车私用", "公务用车用于私人事务。"),
        ("合同管理", "合同审查不严", "合同条款有利于对方，损害学校利益。"),
    ],
}
MEASURES = {
    MeasureStage.PRE: ["开展廉政教育，签订廉政承诺书", "完善办理流程，明确审批权限", "实行办事公开，接受群众监督"],
    MeasureStage.MID: ["实行双人复核，定期抽查", "关键环节全程留痕，信息化监控", "纪检监察部门参与监督"],
    MeasureStage.POST: ["发现问题及时谈话提醒", "依规依纪追究责任", "定期分析问题，完善制度"],
}
SURNAMES = "张李王刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN_NAMES = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国文斌志红梅海燕"

#: Form states of the personal forms, with weights: every state present, a realistic spread inside 查找风险点.
FORM_STATES = [
    (FormState.DRAFT, 40),
    (FormState.SUBMITTED, 15),
    (FormState.CONFIRMED, 5),
    (FormState.APPROVED, 30),
    (FormState.RETURNED, 10),
]
CATEGORY_WEIGHTS = [
    (RiskCategory.DUTY, 35),
    (RiskCategory.PROCESS, 35),
    (RiskCategory.SYSTEM, 20),
    (RiskCategory.EXTERNAL, 10),
]
LEVEL_WEIGHTS = [(1, 15), (2, 45), (3, 40)]


def pick(rng: random.Random, weighted):
    """One value of ``[(value, weight), ...]``, drawn by weight."""
    values = [v for v, _w in weighted]
    weights = [w for _v, w in weighted]
    return rng.choices(values, weights)[0]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_NAMES) for _ in range(rng.randint(1, 2)))
