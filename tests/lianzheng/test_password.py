"""Imported accounts start without a password; people set one through the e-mail on their roster row."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


def test_an_imported_account_sets_its_password_by_email_and_logs_in(unit, mailoutbox):
    person = UserFactory(username="T01234", email="zhang@example.edu.cn", role=Role.STAFF, unit=unit)
    person.set_unusable_password()
    person.save()
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "zhang@example.edu.cn"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "设置密码" in mailoutbox[0].subject
    assert "T01234" in mailoutbox[0].body
    link = re.search(r"http://[^/]+(/password/reset/\S+/)", mailoutbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"new_password1": "Lianzheng-2026!", "new_password2": "Lianzheng-2026!"},
    )
    assert done.status_code == 302
    assert Client().login(username="T01234", password="Lianzheng-2026!")


def test_unknown_address_gets_the_same_answer_and_no_mail(mailoutbox):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.edu.cn"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_reset_requests_are_limited_per_address(unit, mailoutbox):
    UserFactory(email="li@example.edu.cn", unit=unit)
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(5):
        client.post(reverse("password_reset"), {"email": "li@example.edu.cn"})
    response = client.post(reverse("password_reset"), {"email": "li@example.edu.cn"})
    assert response.status_code == 200
    assert "过于频繁" in response.content.decode()
    assert len(mailoutbox) == 5


def test_logged_in_user_changes_password(as_user, staff):
    client = as_user(staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": "demo12345", "new_password1": "Another-Pass-2026", "new_password2": "Another-Pass-2026"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("Another-Pass-2026")
