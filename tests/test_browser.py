"""The pages in a real browser (Debian's chromium through Playwright) against the live server.

Text checks use Thai data (agency names, strategy titles) and ``html[lang]``; the UI's own
labels are being translated while these tests are written.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, Membership
from strategy.importing import import_dataset, read_table
from tests.factories import PASSWORD, AgencyFactory, member

pytestmark = pytest.mark.browser

MP = "mp-2566"
MP_TITLE = "แผนแม่บทภายใต้ยุทธศาสตร์ชาติ (พ.ศ. 2566-2580) (ฉบับแก้ไขเพิ่มเติม)"
ELDERLY = "ผู้สูงอายุได้รับการดูแลอย่างทั่วถึงเพิ่มขึ้น"
AGENCY = "กรมกิจการผู้สูงอายุ"


@pytest.fixture
def agency(shipped_strategy):
    ministry = AgencyFactory(
        code="T26", name_th="กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์", kind=Agency.Kind.MINISTRY
    )
    return AgencyFactory(code="T26006", name_th=AGENCY, parent=ministry)


@pytest.fixture
def person(agency):
    return member(Membership.Role.STAFF, agency, first_name="สมศรี", last_name="มีสุข")


@pytest.fixture
def failed_requests(page):
    """Responses of 400 and above (a missing stylesheet or script, a server error)."""
    failed: list[str] = []

    def check(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            failed.append(f"{response.status} {response.url}")

    page.on("response", check)
    return failed


def sign_in(page, user) -> None:
    page.goto(page.base_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(page.base_url + "/")


def seed_elderly_target() -> None:
    content = f"edition,kind,code,parent_code,title_th\n{MP},y1,170109,1701,{ELDERLY}\n".encode()
    report = import_dataset(read_table(content, "elderly.csv"), commit=True)
    assert report.committed


def test_sign_in_and_walk_the_hierarchy(page, person, failed_requests):
    sign_in(page, person)
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.locator("h1")).to_contain_text("สมศรี มีสุข")
    expect(page.locator("main table")).to_contain_text(AGENCY)
    expect(page.locator("main table")).to_contain_text("T26006")

    page.locator("nav.mainnav a[href='/strategy/']").click()
    expect(page).to_have_url(page.base_url + "/strategy/")
    page.get_by_role("link", name=MP_TITLE, exact=True).click()
    expect(page).to_have_url(page.base_url + f"/strategy/{MP}/")
    expect(page.locator("h1")).to_have_text(MP_TITLE)

    table = page.locator("table.completeness")
    expect(table).to_be_visible()
    row = table.locator("tbody tr").filter(
        has=page.locator("span.code", has_text=re.compile("^03$"))
    )
    expect(row.locator("td.num")).to_have_text(["2", "5", "6", "0"])

    row.locator("a").click()
    expect(page.locator("h1")).to_have_text("การเกษตร")
    page.locator("ul.children a", has_text="เกษตรแปรรูป").click()
    expect(page.locator("h1")).to_have_text("เกษตรแปรรูป")
    expect(page.locator("ul.children")).to_contain_text("สินค้าเกษตรแปรรูปและผลิตภัณฑ์มีมูลค่าเพิ่มขึ้น")

    crumbs = page.locator("nav.crumbs a")
    expect(crumbs).to_have_count(3)  # hierarchy › edition › 03
    crumbs.nth(2).click()
    expect(page.locator("h1")).to_have_text("การเกษตร")
    page.locator("nav.crumbs a").nth(1).click()
    expect(page).to_have_url(page.base_url + f"/strategy/{MP}/")
    page.locator("nav.crumbs a").nth(0).click()
    expect(page).to_have_url(page.base_url + "/strategy/")
    assert failed_requests == []


def test_live_search_without_a_page_reload(page, person, failed_requests):
    seed_elderly_target()
    sign_in(page, person)
    page.goto(page.base_url + "/strategy/search/")
    url = page.url
    page.evaluate("window.__noReload = 'still here'")
    box = page.locator("input[type=search][name=q]")
    box.click()
    box.press_sequentially("ผู้สูงอายุ", delay=30)
    results = page.locator("#search-results ul.results")
    expect(results).to_contain_text(ELDERLY)
    expect(results.locator("li")).to_have_count(1)
    assert page.url == url
    assert page.evaluate("window.__noReload") == "still here"

    # Narrowing the query re-runs the search in place.
    box.press_sequentially("ยานยนต์", delay=30)
    expect(results).not_to_contain_text(ELDERLY)
    assert page.evaluate("window.__noReload") == "still here"

    # The result links to the node page.
    box.fill("ผู้สูงอายุ")
    results.locator("a", has_text=ELDERLY).click()
    expect(page.locator("h1")).to_have_text(ELDERLY)
    assert failed_requests == []


def test_language_switch_in_the_header(page, person):
    sign_in(page, person)
    page.goto(page.base_url + "/strategy/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "th")
    page.locator("form.langswitch button[name=language][value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(page.base_url + "/strategy/")
    expect(page.locator("form.langswitch button[name=language]")).to_have_text("ภาษาไทย")
    page.locator("form.langswitch button[name=language][value=th]").click()
    expect(html).to_have_attribute("lang", "th")
    expect(page).to_have_url(page.base_url + "/strategy/")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="th-TH",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
        " && document.body.scrollWidth <= window.innerWidth + 1"
    )


def test_phone_navigation_is_behind_the_toggle(phone, person, tmp_path):
    seed_elderly_target()
    sign_in(phone, person)
    nav = phone.locator("nav.mainnav")
    toggle = phone.locator("label.nav-toggle-label")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("☰")
    expect(nav).to_be_hidden()
    assert no_horizontal_scroll(phone)

    toggle.tap()
    expect(nav).to_be_visible()
    expect(phone.locator("form.langswitch button")).to_be_visible()
    nav.locator("a[href='/strategy/']").tap()
    expect(phone).to_have_url(phone.base_url + "/strategy/")
    expect(phone.locator("nav.mainnav")).to_be_hidden()

    plan_03 = phone.locator("table.completeness a", has=phone.locator("span.code", has_text="03"))
    for path in (
        "/strategy/",
        f"/strategy/{MP}/",
        "/strategy/search/?q=ผู้สูงอายุ",
        "/accounts/password/",
    ):
        phone.goto(phone.base_url + path)
        assert no_horizontal_scroll(phone), path
    phone.goto(phone.base_url + f"/strategy/{MP}/")
    phone.screenshot(path=str(tmp_path / "phone-edition.png"))
    plan_03.first.tap()
    expect(phone.locator("h1")).to_have_text("การเกษตร")
    assert no_horizontal_scroll(phone)
    phone.locator("label.nav-toggle-label").tap()
    expect(phone.locator("nav.mainnav")).to_be_visible()
    phone.screenshot(path=str(tmp_path / "phone-node-menu.png"))
    print(f"screenshots in {tmp_path}")


def test_screenshots_of_home_and_edition(page, person, tmp_path, failed_requests):
    sign_in(page, person)
    # The stylesheet is served and applied (an unstyled page has a transparent top bar).
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor") == (
        "rgb(29, 78, 137)"
    )
    home = tmp_path / "home.png"
    page.screenshot(path=str(home), full_page=True)
    page.goto(page.base_url + f"/strategy/{MP}/")
    expect(page.locator("table.completeness")).to_be_visible()
    edition = tmp_path / "edition.png"
    page.screenshot(path=str(edition), full_page=True)
    edition_top = tmp_path / "edition-top.png"
    page.screenshot(path=str(edition_top))
    tree = tmp_path / "edition-tree.png"
    page.locator("ul.tree li", has_text="030401").scroll_into_view_if_needed()
    page.screenshot(path=str(tree))
    for shot in (home, edition, edition_top, tree):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 10_000
    print(f"screenshots in {tmp_path}")
    assert failed_requests == []


def test_phone_menu_opens_below_the_top_bar_row(phone, person):
    sign_in(phone, person)
    toggle = phone.locator("label.nav-toggle-label")
    toggle.tap()
    nav = phone.locator("nav.mainnav")
    expect(nav).to_be_visible()
    button = toggle.bounding_box()
    menu = nav.bounding_box()
    width = phone.viewport_size["width"]
    # The ☰ button stays at the right edge; the menu opens as a full-width column below it.
    assert button["x"] + button["width"] >= width - 40
    assert menu["y"] >= button["y"] + button["height"] - 1
    assert menu["width"] >= width * 0.8
