"""The dashboard in a real browser (Debian's chromium through Playwright): an analyst opens it
from the navigation, clicks a bar of a chart and a figure, and lands on lists holding those
projects; printed, the page keeps its charts and drops the navigation and the filters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.test_dashboards import FY, country  # noqa: F401 - the fixture, reused
from tests.test_progress_browser import sign_in

pytestmark = pytest.mark.browser


def test_analyst_opens_the_dashboard_and_clicks_through(
    page,
    browser,
    live_server,
    shipped_strategy,
    agencies,
    country,  # noqa: F811
):
    who, _projects = country
    sign_in(page, who.analyst)
    page.locator("nav.mainnav a.dashboard-link").click()
    expect(page).to_have_url(page.base_url + "/dashboards/")
    page.select_option("select[name='fiscal_year']", str(FY))
    page.locator("form.dashboard-filters button").click()
    expect(page.locator("svg.status-chart rect")).to_have_count(2)  # submitted, approved

    # The approved bar of the status chart: the three approved projects.
    page.locator("svg.status-chart a[href*='status=approved'] rect").click()
    expect(page).to_have_url(re.compile(r"/projects/\?fiscal_year=2568&status=approved$"))
    expect(page.locator("table.projects tbody tr")).to_have_count(3)

    page.go_back()
    page.locator("a.tile.figure[href*='overdue=true']").click()
    expect(page).to_have_url(re.compile(r"/dashboards/projects/\?.*overdue=true"))
    expect(page.locator("table.projects tbody tr")).to_have_count(3)

    page.go_back()
    page.locator("#by-master-plan table a", has_text="12 ").first.click()
    expect(page.locator("table.projects tbody tr")).to_have_count(2)

    page.go_back()
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator("form.dashboard-filters")).to_be_hidden()
    expect(page.locator("svg.quarter-chart")).to_be_visible()
