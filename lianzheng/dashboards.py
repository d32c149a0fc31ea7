"""The dashboard page. Until the dashboards issue lands this greets the user by role and shows where to start.

This module sits on top of the apps (DESIGN §4) and may import any of them.
"""

from django.utils.translation import gettext as _

from units.models import Role
from units.selectors import current_posts_of, units_visible_to

GREETINGS = {
    Role.ADMIN: _("您可以管理用户、导入花名册，并查看全部单位。"),
    Role.REVIEWER: _("您可以审核各单位报送的防控表和材料，受理信访举报，并进行预警处置和考核。"),
    Role.SCHOOL_LEADER: _("您可以查看全校廉政风险防范管理工作的进度和风险分布。"),
    Role.UNIT_LEADER: _("您可以确认本单位的防控表，并查看本单位工作进度。"),
    Role.UNIT_CONTACT: _("您负责汇总本单位的防控表、实施细则和各阶段材料。"),
    Role.STAFF: _("请填写您所在岗位的个人廉政风险识别防控表。"),
}


def dashboard_context(request) -> dict:
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    context = {
        "role_label": Role(role).label,
        "greeting": GREETINGS.get(role, ""),
        "unit": user.unit,
    }
    if user.has_unit_role:
        context["my_posts"] = list(current_posts_of(user))
    else:
        context["unit_count"] = units_visible_to(user).count()
    return context
