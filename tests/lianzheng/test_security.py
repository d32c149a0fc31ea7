"""Production settings pass the deploy checks; logins are throttled; CSRF and CSP are on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from lianzheng.models import RateLimitHit

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x7!kq2Lr9vZ#pT4mW8sN1cY6hB3jF0dG5aE-uQ_oI+eR2tU9yP",
        "LIANZHENG_AUDIT_KEY": "Qm3v9XkP2rT7wZ1yB5nH8jL4cF6gD0sA-audit-chain",
        "DJANGO_ALLOWED_HOSTS": "lianzheng.example.edu.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest for the browser tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_in_production_without_an_audit_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x7!kq2Lr9vZ#pT4mW8sN1cY6hB3jF0dG5aE-uQ_oI+eR2tU9yP",
        "DJANGO_ALLOWED_HOSTS": "x.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
    }
    env.pop("LIANZHENG_AUDIT_KEY", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "lianzheng.E001" in result.stdout + result.stderr
    # Commands that write no audit event run without the key (migrations are made and checked in production too).
    made = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr


def test_check_deploy_fails_without_a_secret_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "x.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
    }
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(staff, settings):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        response = client.post(reverse("login"), {"username": staff.username, "password": "wrong"})
        assert "用户名或密码不正确" in response.content.decode()
    # Even the right password is refused while locked out, and the message says why.
    response = client.post(reverse("login"), {"username": staff.username, "password": "demo12345"})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_throttle_counts_per_address_across_user_names(staff, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    client = Client(REMOTE_ADDR="10.9.8.7")
    for name in ["a", "b", "c"]:
        client.post(reverse("login"), {"username": name, "password": "x"})
    response = client.post(reverse("login"), {"username": staff.username, "password": "demo12345"})
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.django_db
def test_a_full_width_spelling_of_a_locked_name_is_locked_too(staff, settings):
    """Issue 14 (5): ``ｘiaojian`` authenticates as ``xiaojian`` (NFKC), so it counts and is refused as that name."""
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        client.post(reverse("login"), {"username": staff.username, "password": "wrong"})
    wide = chr(ord(staff.username[0]) - 0x21 + 0xFF01) + staff.username[1:]
    assert wide != staff.username
    response = client.post(reverse("login"), {"username": wide, "password": "demo12345"})
    assert "登录失败次数过多" in response.content.decode() and "_auth_user_id" not in client.session
    response = client.post(reverse("login"), {"username": wide.upper(), "password": "demo12345"})
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.django_db
def test_a_stranger_cannot_lock_a_colleague_out_from_elsewhere(staff, settings):
    """Issue 14 (13): failures lock the name from the address they came from; the owner elsewhere still logs in.
    Guessing one name from many addresses is bounded by the per-name limit."""
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_NAME = 6
    stranger = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(3):
        stranger.post(reverse("login"), {"username": staff.username, "password": "wrong"})
    refused = stranger.post(reverse("login"), {"username": staff.username, "password": "demo12345"})
    assert "登录失败次数过多" in refused.content.decode()
    owner = Client(REMOTE_ADDR="10.0.0.7")
    assert owner.post(reverse("login"), {"username": staff.username, "password": "demo12345"}).status_code == 302
    # Many addresses, one name: after the per-name bound even a new address is refused.
    for n in range(6):
        Client(REMOTE_ADDR=f"10.1.0.{n}").post(reverse("login"), {"username": staff.username, "password": "wrong"})
    late = Client(REMOTE_ADDR="10.2.0.1").post(reverse("login"), {"username": staff.username, "password": "demo12345"})
    assert "登录失败次数过多" in late.content.decode()


@pytest.mark.django_db
def test_the_admin_login_shares_the_throttle(staff, admin_user, settings):
    """Issue 14 (2): /admin/login/ refuses the right password after repeated failures, on either login page."""
    settings.LOGIN_MAX_FAILURES = 3
    admin_login = reverse("admin:login")
    client = Client()
    for _ in range(2):
        client.post(admin_login, {"username": admin_user.username, "password": "wrong"})
    client.post(reverse("login"), {"username": admin_user.username, "password": "wrong"})
    response = client.post(admin_login, {"username": admin_user.username, "password": "demo12345"})
    assert response.status_code == 200 and "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    fresh = Client(REMOTE_ADDR="10.3.0.1")
    ok = fresh.post(admin_login, {"username": admin_user.username, "password": "demo12345", "next": "/admin/"})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_x_forwarded_for_is_believed_only_from_configured_proxies(staff, settings):
    """Issue 14 (6): by default the header is ignored, so rotating it does not reset the per-address limit; with
    one trusted proxy, the entry that proxy appended is the client and earlier (client-written) entries are not."""
    from django.test import RequestFactory

    from lianzheng.ratelimit import client_ip

    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}").post(
            reverse("login"), {"username": f"nobody{n}", "password": "x"}
        )
    rotated = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="5.6.7.8")
    response = rotated.post(reverse("login"), {"username": staff.username, "password": "demo12345"})
    assert "登录失败次数过多" in response.content.decode()

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "10.0.0.1"
    settings.LIANZHENG_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.9"
    settings.LIANZHENG_TRUSTED_PROXIES = 2
    assert client_ip(request) == "6.6.6.6"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


@pytest.mark.django_db
def test_successful_login_clears_the_user_counter(staff):
    client = Client()
    client.post(reverse("login"), {"username": staff.username, "password": "wrong"})
    assert RateLimitHit.objects.filter(key=f"login:user:{staff.username}").exists()
    response = client.post(reverse("login"), {"username": staff.username, "password": "demo12345"})
    assert response.status_code == 302
    assert not RateLimitHit.objects.filter(key=f"login:user:{staff.username}").exists()


@pytest.mark.django_db
def test_csrf_is_enforced_on_login(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": staff.username, "password": "demo12345"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()  # no inline script in the page
