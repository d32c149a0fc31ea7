"""The Django admin for the organisation: every page opens for an administrator, with its history."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = ["user", "unit", "office", "post", "assignment"]
#: Owned by the campaign services (created, dated and versioned there): read-only in the admin.
SERVICE_MODELS = ["campaign", "phase"]


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_and_add_pages_open(as_user, admin_user, staff, model):
    client = as_user(admin_user)

    assert client.get(reverse(f"admin:units_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:units_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", SERVICE_MODELS)
def test_admin_campaign_pages_open_read_only(as_user, admin_user, staff, model):
    client = as_user(admin_user)

    assert client.get(reverse(f"admin:units_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:units_{model}_add")).status_code == 403


def test_admin_user_change_page_shows_unit_and_role_and_history(as_user, admin_user, staff):
    client = as_user(admin_user)

    page = client.get(reverse("admin:units_user_change", args=[staff.pk])).content.decode()
    assert 'name="staff_no"' in page and 'name="role"' in page and 'name="unit"' in page
    assert client.get(reverse("admin:units_user_history", args=[staff.pk])).status_code == 200
    assert client.get(reverse("admin:units_user_changelist"), {"q": staff.staff_no}).status_code == 200


def test_granting_the_reviewer_role_in_the_admin_is_recorded_and_told_to_the_reviewers(
    as_user, admin_user, reviewer, staff
):
    """Issue 14 (15): the reviewer role sees complaint reporters; giving it is listed with who did it, and the
    existing reviewers are notified (not the new one, not anybody else)."""
    from lianzheng.models import AuditEvent, Notification
    from units.models import Role, RoleChange

    client = as_user(admin_user)
    page = client.get(reverse("admin:units_user_change", args=[staff.pk]))
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update(
        {
            "role": Role.REVIEWER,
            "unit": "",
            "date_joined_0": "2010-05-01",
            "date_joined_1": "08:00:00",
            "last_login_0": "",
            "last_login_1": "",
        }
    )
    data.pop("password", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = client.post(reverse("admin:units_user_change", args=[staff.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    change = RoleChange.objects.get(user=staff)
    assert (change.from_role, change.to_role, change.changed_by) == (Role.STAFF, Role.REVIEWER, admin_user)
    assert AuditEvent.objects.filter(action="user.role_change").exists()
    told = Notification.objects.filter(title__contains="新的纪委监察室审核人")
    assert list(told.values_list("recipient__username", flat=True)) == [reviewer.username]
    listed = as_user(reviewer).get(reverse("units:role-changes")).content.decode()
    assert staff.username in listed and "纪委监察室审核人" in listed
    assert as_user(staff).get(reverse("units:role-changes")).status_code == 200  # now a reviewer
    client.post(reverse("admin:units_user_change", args=[staff.pk]), data)  # saved again, role unchanged
    assert RoleChange.objects.filter(user=staff).count() == 1


def test_the_role_change_list_is_for_the_office(as_user, staff, unit_contact, school_leader):
    for user in (staff, unit_contact, school_leader):
        assert as_user(user).get(reverse("units:role-changes")).status_code == 404
