"""The gap and near-duplicates pages in a real browser, on the demo data."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(shipped_strategy, settings):
    from demo.data import load_agencies, load_users
    from demo.linkage import load_linkage, load_overlaps
    from demo.projects import load_projects

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_agencies()
    load_users()
    load_projects()
    load_overlaps()  # a near-duplicate of a demo project, from another agency
    load_linkage()


def sign_in(page, username: str) -> None:
    from demo.data import DEMO_PASSWORD

    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(page.base_url + "/")


def test_gap_and_duplicate_pages_on_the_demo_data(page, demo):
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    sign_in(page, "analyst")

    page.get_by_role("link", name="การวิเคราะห์ช่องว่าง").click()
    expect(page.locator("h1")).to_have_text("การวิเคราะห์ช่องว่าง")
    page.select_option("select[name=edition]", "mp-2566")
    page.fill("input[name=fiscal_year]", "2568")
    page.locator("form.filters button[type=submit]").click()
    water = page.locator("tr.gap-row", has=page.locator("span.code", has_text="19")).first
    expect(water).to_have_class("gap-row state-ok")
    expect(water.locator("td.num").first).not_to_have_text("0")
    expect(page.locator("tr.state-empty").first).to_be_visible()  # targets without projects
    page.screenshot(path="var/linkage-gaps.png", full_page=False)

    page.goto(page.base_url + "/linkage/duplicates/")
    page.fill("input[name=fiscal_year]", "2568")
    page.fill("input[name=threshold]", "0.6")
    page.locator("form.filters button[type=submit]").click()
    pair = page.locator("section.dup").first
    expect(pair).to_contain_text("จังหวัดขอนแก่น")
    expect(pair).to_contain_text("กรมควบคุมโรค")
    page.fill("input[name=threshold]", "0.95")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("section.dup")).to_have_count(0)
    expect(page.locator("[data-testid=pair-count]")).to_contain_text("0")
    assert not failed
