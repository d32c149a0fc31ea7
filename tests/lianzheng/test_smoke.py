import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_greets_by_role(as_user, staff):
    response = as_user(staff).get(reverse("dashboard"))
    assert response.status_code == 200
    assert "工作人员" in response.content.decode()
