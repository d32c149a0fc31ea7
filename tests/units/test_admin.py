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
