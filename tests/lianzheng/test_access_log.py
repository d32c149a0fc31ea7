"""下载记录: the office reads who fetched what; the log is filtered by person, unit, form and date; others get 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lianzheng.access_log import log_access
from lianzheng.models import AccessLog, AuditEvent
from portal.navigation import nav_for

pytestmark = pytest.mark.django_db

URL = "/access-log/"


@pytest.fixture
def entries(unit, other_unit, staff, other_staff, unit_contact):
    """Three downloads: 张某 (财务处) today, 李某 (设备处) today, 财务联络员 (财务处) ten days ago; and a clean-up."""
    today = log_access(user=staff, object_repr="附表2 出纳", unit_code="caiwu", fmt="pdf")
    AccessLog.objects.filter(pk=today.pk).update(object_type="risks.RiskForm", object_id="88")
    log_access(user=other_staff, object_repr="附表2 设备管理员", unit_code="shebei", fmt="xlsx")
    old = log_access(user=unit_contact, object_repr="附表1 财务处", unit_code="caiwu", fmt="xlsx")
    AccessLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))
    log_access(action="cleanup", fmt="zip", detail={"removed": 3, "keep_days": 7})


def rows(response) -> list[str]:
    return [row.object_repr for row in response.context["page_obj"].object_list]


def test_reviewer_sees_the_log_newest_first(entries, as_user, reviewer):
    response = as_user(reviewer).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "附表2 出纳" in html and "张某" in html and "财务处" in html and "删除 3 个导出文件" in html
    assert rows(response) == ["", "附表2 设备管理员", "附表2 出纳", "附表1 财务处"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"person": "张某"}, ["附表2 出纳"]),
        ({"person": "shebei_staff"}, ["附表2 设备管理员"]),
        ({"unit": "caiwu"}, ["附表2 出纳", "附表1 财务处"]),
        ({"form": "88"}, ["附表2 出纳"]),
        ({"action": "cleanup"}, [""]),
        ({"date_to": (timezone.localdate() - timedelta(days=5)).isoformat()}, ["附表1 财务处"]),
        ({"date_from": timezone.localdate().isoformat(), "unit": "caiwu"}, ["附表2 出纳"]),
    ],
    ids=["by name", "by user name", "by unit", "by form", "by action", "until a date", "from a date and unit"],
)
def test_filters_narrow_the_log(entries, as_user, reviewer, query, expected):
    assert rows(as_user(reviewer).get(URL, query)) == expected


def test_the_log_is_paginated(as_user, admin_user, staff):
    AccessLog.objects.bulk_create(
        [
            AccessLog(user=staff, user_name="张某", at=timezone.now(), action="download", object_repr=f"表{i}")
            for i in range(60)
        ]
    )
    response = as_user(admin_user).get(URL)
    assert len(response.context["page_obj"].object_list) == 50
    assert len(rows(as_user(admin_user).get(URL, {"page": 2}))) == 10


@pytest.mark.parametrize("who", ["school_leader", "unit_leader", "unit_contact", "staff"])
def test_everyone_but_the_office_gets_404_and_no_menu_entry(request, entries, as_user, who):
    user = request.getfixturevalue(who)
    assert as_user(user).get(URL).status_code == 404
    assert reverse("access-log") not in [item["url"] for item in nav_for(user)]


def test_office_menu_links_to_the_log(reviewer, admin_user):
    for user in (reviewer, admin_user):
        assert reverse("access-log") in [item["url"] for item in nav_for(user)]


def test_logging_a_read_leaves_the_audit_chain_alone(staff):
    before = AuditEvent.objects.count()
    log_access(user=staff, object_repr="附表2", fmt="pdf")
    assert AuditEvent.objects.count() == before and AccessLog.objects.count() == 1
