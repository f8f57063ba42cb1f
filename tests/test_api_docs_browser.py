"""The interactive API documentation really runs in a browser under the site's content
security policy (no inline script), from files served by the project itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agencies.models import Membership
from tests.factories import AgencyFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_shows_the_api_and_the_policy_blocks_nothing(page, shipped_strategy):
    from django.test import Client

    user = member(Membership.Role.STAFF, AgencyFactory())
    signed_in = Client()
    signed_in.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": signed_in.cookies["sessionid"].value,
                               "url": page.base_url}])  # fmt: skip
    blocked, outside = [], []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text
            else None)  # fmt: skip
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(page.base_url)
            else None)  # fmt: skip
    page.goto(page.base_url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("eMENSCR")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert blocked == []
    assert outside == []
