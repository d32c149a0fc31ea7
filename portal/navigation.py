"""The left navigation, by role (UI.md "Frame"). Only what the role may use is listed.

Entries name URL patterns; an entry whose URL is not (yet) part of the site is left out, so each feature's
links appear with the feature.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

ADMIN, REVIEWER, LEADER, UNIT_LEADER, CONTACT, STAFF = (
    "admin",
    "reviewer",
    "leader",
    "unit_leader",
    "unit_contact",
    "staff",
)
UNIT_MANAGERS = (UNIT_LEADER, CONTACT)
OFFICE_SIDE = (ADMIN, REVIEWER, LEADER)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple
    section: str = ""
    own_unit: bool = False  # the URL takes the user's unit code
    query: str = ""
    extra: dict = field(default_factory=dict)


NAV = [
    NavItem(_("工作台"), "dashboard", (ADMIN, REVIEWER, LEADER, UNIT_LEADER, CONTACT, STAFF)),
    # staff
    NavItem(_("我的岗位"), "units:my-posts", (STAFF,)),
    NavItem(_("我的防控表"), "risks:my-forms", (STAFF,)),
    # unit contact / leader
    NavItem(_("本单位概况"), "units:unit-detail", UNIT_MANAGERS, _("本单位"), own_unit=True),
    NavItem(_("权力清理"), "risks:power-items", UNIT_MANAGERS, _("本单位"), own_unit=True),
    NavItem(_("防控表"), "risks:form-list", UNIT_MANAGERS, _("防控表")),
    NavItem(_("风险点"), "risks:point-list", UNIT_MANAGERS, _("防控表")),
    NavItem(_("防控措施"), "measures:unit-measures", UNIT_MANAGERS, _("防控表"), own_unit=True),
    NavItem(_("实施细则"), "measures:rules-list", UNIT_MANAGERS, _("防控表")),
    NavItem(_("阶段材料"), "reviews:unit-progress", UNIT_MANAGERS, _("工作进度"), own_unit=True),
    NavItem(_("自查"), "reviews:self-inspections", UNIT_MANAGERS, _("工作进度")),
    # reviewer / leader
    NavItem(_("待审核"), "reviews:queue", (ADMIN, REVIEWER), _("审核")),
    NavItem(_("进度"), "reviews:progress", OFFICE_SIDE, _("审核")),
    NavItem(_("单位"), "units:unit-list", OFFICE_SIDE, _("组织")),
    NavItem(_("风险点"), "risks:point-list", OFFICE_SIDE, _("风险")),
    NavItem(_("风险分布"), "dashboard-risks", (ADMIN, REVIEWER, LEADER), _("风险")),
    NavItem(_("逾期措施"), "measures:overdue", (ADMIN, REVIEWER), _("风险")),
    NavItem(_("信访举报"), "reviews:complaint-list", (ADMIN, REVIEWER), _("监督")),
    NavItem(_("预警处置"), "reviews:warning-list", (ADMIN, REVIEWER), _("监督")),
    NavItem(_("黄牌与重点监管"), "reviews:yellowcard-list", (ADMIN, REVIEWER), _("监督")),
    NavItem(_("考核"), "reviews:assessment-list", OFFICE_SIDE, _("监督")),
    NavItem(_("批次与日程"), "units:campaign-list", (ADMIN, REVIEWER), _("设置")),
    NavItem(_("导出"), "risks:export-jobs", (ADMIN, REVIEWER), _("设置")),
    NavItem(_("下载记录"), "access-log", (ADMIN, REVIEWER), _("设置")),
    NavItem(_("角色变更"), "units:role-changes", (ADMIN, REVIEWER), _("设置")),
    NavItem(_("用户与导入"), "units:roster-import", (ADMIN,), _("设置")),
    NavItem(_("廉政承诺文本"), "measures:pledge-text", (ADMIN,), _("设置")),
    # everyone
    NavItem(_("通知"), "notifications", (ADMIN, REVIEWER, LEADER, UNIT_LEADER, CONTACT, STAFF)),
]


def nav_for(user, current_path: str = "") -> list[dict]:
    if not user.is_authenticated:
        return []
    role = ADMIN if user.is_superuser else user.role
    items = []
    for item in NAV:
        if role not in item.roles:
            continue
        args = []
        if item.own_unit:
            if user.unit is None:
                continue
            args = [user.unit.code]
        try:
            url = reverse(item.url_name, args=args)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": item.label,
                "url": url + (f"?{item.query}" if item.query else ""),
                "section": item.section,
                "path": url,
                "active": False,
            }
        )
    # The one item whose page the path is in: the longest matching URL (/units/role-changes/ is 角色变更, not 单位).
    matching = [
        i for i in items if i["path"] == current_path or (i["path"] != "/" and current_path.startswith(i["path"]))
    ]
    if matching:
        max(matching, key=lambda i: len(i["path"]))["active"] = True
    return items
