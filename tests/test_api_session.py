"""The API also answers a signed-in browser session (the interactive docs use it), with
Django's CSRF protection on writes, and follows Accept-Language while pages stay Thai."""

from __future__ import annotations

import pytest
from django.test import Client

from agencies.models import Membership
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(agencies, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return member(Membership.Role.STAFF, agencies["doae"], username="session_staff")


def test_a_session_reads_and_writes_only_with_the_csrf_token(staff, agencies):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert browser.get("/api/v1/me/").json()["username"] == "session_staff"
    body = {"agency": agencies["doae"].pk, "fiscal_year": 2568, "title": "ร่างจากเบราว์เซอร์"}
    refused = browser.post("/api/v1/projects/", body, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/account/api-tokens/")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    created = browser.post("/api/v1/projects/", body, content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)  # fmt: skip
    assert created.status_code == 201


def test_api_language_follows_the_header_and_says_so(staff, client):
    client.force_login(staff)
    english = client.get("/api/v1/projects/?status=nonsense", HTTP_ACCEPT_LANGUAGE="en-GB,en")
    thai = client.get("/api/v1/projects/?status=nonsense", HTTP_ACCEPT_LANGUAGE="th")
    assert english["Content-Language"] == "en" and thai["Content-Language"] == "th"
    assert "Accept-Language" in english["Vary"]
    assert english.json()["detail"] == "Some fields are not valid."
    assert thai.json()["detail"] == "ข้อมูลบางช่องไม่ถูกต้อง"
    assert list(english.json()["errors"]) == ["status"]
    # Without the header the cookie (the language switch), then Thai, decide.
    assert client.get("/api/v1/me/")["Content-Language"] == "th"
    client.cookies["django_language"] = "en"
    assert client.get("/api/v1/me/")["Content-Language"] == "en"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="th")["Content-Language"] == "en"
