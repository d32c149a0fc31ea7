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


def test_check_fails_in_production_without_an_audit_key(tmp_path):
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
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "lianzheng.E001" in result.stdout + result.stderr


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
    settings.LOGIN_MAX_FAILURES = 3
    client = Client(REMOTE_ADDR="10.9.8.7")
    for name in ["a", "b", "c"]:
        client.post(reverse("login"), {"username": name, "password": "x"})
    response = client.post(reverse("login"), {"username": staff.username, "password": "demo12345"})
    assert "登录失败次数过多" in response.content.decode()


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
