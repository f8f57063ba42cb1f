"""Security settings a user never sees but relies on: production checks, headers, and the
lockout after repeated failed sign-ins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def _environ() -> dict[str, str]:
    """This process's environment without what the browser tests set for themselves."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **_environ(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "a-production-key-" + "k7#Qz!" * 10,
        "DEBUG": "false",
        "HTTPS": "true",
        "ALLOWED_HOSTS": "emenscr.example.go.th",
        "EMENSCR_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_demo_key_fails_the_production_check(tmp_path):
    env = {**_environ(), "DEBUG": "false", "HTTPS": "true", "EMENSCR_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_forbid_framing_foreign_scripts_and_sniffing(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def _fail(client, username: str, times: int):
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password"})


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_sign_in_even_with_the_right_one(client, settings):
    user = UserFactory()
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    text = response.content.decode()
    assert "เข้าสู่ระบบผิดหลายครั้งเกินไป" in text  # Thai, like every page
    assert "15" in text  # how long to wait


@pytest.mark.django_db
def test_fewer_failures_then_the_right_password_signs_in_and_starts_over(client, settings):
    user = UserFactory()
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    # The count started over with the success: as many failures again are still allowed.
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_locked_user_can_still_sign_in_from_another_computer(client, settings):
    from django.test import Client

    user = UserFactory()
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    response = elsewhere.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_admin_actions_are_logged_with_who_and_what(client):
    from agencies.models import Agency

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    agency = Agency.objects.create(code="T99", name_th="หน่วยงานทดสอบ", kind=Agency.Kind.MINISTRY)
    url = reverse("admin:agencies_agency_delete", args=[agency.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Agency.objects.filter(pk=agency.pk).exists()
    entry = LogEntry.objects.get(object_id=str(agency.pk))
    assert (entry.user, entry.is_deletion(), entry.object_repr) == (admin, True, str(agency))


@pytest.mark.django_db
def test_a_session_ends_after_a_working_day_and_the_page_asks_to_sign_in_again(client, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 8 * 60 * 60  # the browser drops it after eight hours
    assert client.get(reverse("home")).status_code == 200

    # The server does not trust the browser to drop it: past its age the session is dead.
    session = Session.objects.get(session_key=cookie.value)
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
