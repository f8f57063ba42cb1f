"""The server-rendered pages through Django's test client: sign-in, language, password,
the strategy hierarchy and its Thai search. The shipped hierarchy is loaded (conftest).

The UI's own labels are being translated into Thai while these tests are written, so text
assertions use data that is Thai anyway (agency names, strategy titles, the user's name) and
the ``lang`` attribute; where a UI label must be checked the client asks for English.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from strategy.importing import import_dataset, read_table
from strategy.models import Edition, Kind, Node
from tests.factories import PASSWORD, UserFactory, member

pytestmark = pytest.mark.django_db

R = Membership.Role
MP = "mp-2566"
ELDERLY = "ผู้สูงอายุได้รับการดูแลอย่างทั่วถึงเพิ่มขึ้น"
ELDERLY_CODE = "170109"  # a Y1 code the shipped data does not use, under sub-plan 1701
THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip


# --- a small DOM, enough to read tables and lists ---------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class El:
    def __init__(self, tag: str, attrs: dict[str, str], parent: El | None = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[El | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join("".join(parts).split())

    def find_all(self, tag: str, cls: str | None = None) -> list[El]:
        found = []
        for child in self.children:
            if isinstance(child, El):
                if child.tag == tag and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.find_all(tag, cls))
        return found

    def find(self, tag: str, cls: str | None = None) -> El:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls!r}> in the page"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = El("#document", {})

    def handle_starttag(self, tag, attrs):
        el = El(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(el)
        if tag not in VOID:
            self.current = el

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(response) -> El:
    builder = _Builder()
    builder.feed(response.content.decode())
    return builder.root


def html_lang(response) -> str:
    return dom(response).find("html").attrs.get("lang", "")


def english(client) -> None:
    client.cookies["django_language"] = "en"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def staff(agencies):
    return member(R.STAFF, agencies["doae"], first_name="สมหญิง", last_name="ใจดี")


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


def seed_elderly_target() -> Node:
    """A Y1 under sub-plan 1701 of mp-2566, created through the real import path."""
    content = (
        f"edition,kind,code,parent_code,title_th\n{MP},y1,{ELDERLY_CODE},1701,{ELDERLY}\n"
    ).encode()
    report = import_dataset(read_table(content, "elderly.csv"), commit=True)
    assert report.committed, [r.error_text for r in report.rows]
    assert report.counts["new"] == 1
    return Node.objects.get(edition__code=MP, code=ELDERLY_CODE)


# --- anonymous access, health ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/strategy/", "/strategy/search/?q=x", "/accounts/password/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    login = reverse("login")
    assert response.url.startswith(login + "?next=")


def test_login_page_is_thai_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert html_lang(response) == "th"
    page = dom(response)
    names = {i.attrs.get("name") for i in page.find_all("input")}
    assert {"username", "password", "csrfmiddlewaretoken"} <= names


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


# --- sign in, language, password --------------------------------------------------------------


def test_login_lands_on_home_with_agency_and_role(client, staff, agencies):
    response = client.post(
        reverse("login"), {"username": staff.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.status_code == 200
    assert "_auth_user_id" in client.session
    assert html_lang(response) == "th"
    roles = dom(response).find("table", "table")
    assert "กรมส่งเสริมการเกษตร" in roles.text
    assert "กระทรวงเกษตรและสหกรณ์" in roles.text  # the parent ministry, for context
    assert "T07003" in roles.text
    assert "สมหญิง ใจดี" in response.content.decode()
    # The role's label, in English to be independent of the Thai catalog being written.
    english(client)
    response = client.get(reverse("home"))
    assert "Data entry staff" in dom(response).find("table", "table").text


def test_login_follows_next(client, staff):
    response = client.post(
        reverse("login") + "?next=/strategy/",
        {"username": staff.username, "password": PASSWORD, "next": "/strategy/"},
    )
    assert response.status_code == 302
    assert response.url == "/strategy/"


def test_wrong_password_shows_the_form_again_with_an_error(client, staff):
    response = client.post(reverse("login"), {"username": staff.username, "password": "wrong"})
    assert response.status_code == 200
    page = dom(response)
    assert page.find("div", "errorlist-box").attrs.get("role") == "alert"
    assert any(i.attrs.get("name") == "password" for i in page.find_all("input"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_language_switch_to_english_and_back(signed_in):
    client = signed_in
    assert html_lang(client.get("/")) == "th"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/strategy/"})
    assert response.status_code == 302
    assert response.url == "/strategy/"
    assert client.cookies["django_language"].value == "en"
    home = client.get("/")
    assert html_lang(home) == "en"
    # The header now offers Thai, labelled in Thai.
    button = dom(home).find("form", "langswitch").find("button")
    assert button.attrs["value"] == "th"
    assert button.text == "ภาษาไทย"
    assert "Welcome" in home.content.decode()

    client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    home = client.get("/")
    assert html_lang(home) == "th"
    assert dom(home).find("form", "langswitch").find("button").attrs["value"] == "en"


def test_password_change_then_new_password_logs_in(client, staff):
    client.force_login(staff)
    form = client.get(reverse("password_change"))
    assert form.status_code == 200
    new = "Mango-sticky-rice-2567"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert client.get(response.url).status_code == 200
    # The session survives the change (Django rotates its hash).
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    response = client.post(reverse("login"), {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200  # the old password no longer works
    response = client.post(reverse("login"), {"username": staff.username, "password": new})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_too_short_new_password_is_refused(client, staff):
    english(client)
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Kp9!x", "new_password2": "Kp9!x"},
    )
    assert response.status_code == 200
    page = dom(response)
    errors = " ".join(p.text for p in page.find_all("p", "error"))
    assert "too short" in errors
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_password_change_needs_the_old_password(client, staff):
    client.force_login(staff)
    new = "Mango-sticky-rice-2567"
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert dom(response).find_all("p", "error")
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


# --- the hierarchy ----------------------------------------------------------------------------


def test_edition_list_shows_each_edition_with_its_row_count(signed_in):
    response = signed_in.get(reverse("strategy:editions"))
    assert response.status_code == 200
    rows = dom(response).find("table", "table").find("tbody").find_all("tr")
    shown = {}
    for row in rows:
        cells = row.find_all("td")
        link = cells[0].find("a")
        shown[link.attrs["href"]] = int(cells[-1].text)
    expected = {
        reverse("strategy:edition", args=[e.code]): e.nodes.count() for e in Edition.objects.all()
    }
    assert shown == expected
    assert shown[reverse("strategy:edition", args=[MP])] > 0
    assert "แผนแม่บทภายใต้ยุทธศาสตร์ชาติ (พ.ศ. 2566-2580)" in response.content.decode()


def completeness_rows(response) -> dict[str, list[El]]:
    table = dom(response).find("table", "completeness")
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = tr.find_all("td")
        codes = cells[0].find_all("span", "code")
        rows[codes[0].text if codes else ""] = cells
    return rows


def test_master_plan_edition_shows_the_completeness_table(signed_in):
    english(signed_in)  # to read the column headers
    response = signed_in.get(reverse("strategy:edition", args=[MP]))
    assert response.status_code == 200
    table = dom(response).find("table", "completeness")
    headers = [th.text for th in table.find("thead").find_all("th")]
    assert headers[1:5] == [
        "Master plan target (Y2)",
        "Sub-plan",
        "Sub-plan target (Y1)",
        "Value-chain factor",
    ]
    rows = completeness_rows(response)
    # All 23 master plans have a row.
    assert [f"{n:02d}" for n in range(1, 24)] == [c for c in rows if c]

    agriculture = rows["03"]
    assert "การเกษตร" in agriculture[0].text
    y2, sub_plans, y1, _factors = (int(td.text) for td in agriculture[1:5])
    assert sub_plans == 5  # 0302-0306
    assert y1 == 6
    assert y2 == 2
    assert "zero" not in agriculture[2].classes

    empty = [
        n.code
        for n in Node.objects.filter(edition__code=MP, kind=Kind.MASTER_PLAN)
        if not n.children.exists()
    ]
    assert "01" in empty
    for code in empty:
        cells = rows[code][1:5]
        assert [td.text for td in cells] == ["0", "0", "0", "0"]
        assert all("zero" in td.classes for td in cells)


def test_edition_page_lists_the_nodes_of_the_tree(signed_in):
    response = signed_in.get(reverse("strategy:edition", args=[MP]))
    items = dom(response).find("ul", "tree").find_all("li")
    assert len(items) == Node.objects.filter(edition__code=MP).count()
    text = " ".join(li.text for li in items)
    for code in ("0302", "0303", "0304", "0305", "0306", "030401"):
        assert code in text
    assert "สินค้าเกษตรแปรรูปและผลิตภัณฑ์มีมูลค่าเพิ่มขึ้น" in text
    # Depth-first: sub-plan 0304 comes right before its target 030401, indented one level more.
    codes = [li.find("span", "code").text for li in items]
    i = codes.index("0304")
    assert codes[i + 1] == "030401"
    assert "depth-1" in items[i].classes and "depth-2" in items[i + 1].classes


def test_unknown_edition_is_404(signed_in):
    assert signed_in.get("/strategy/no-such-edition/").status_code == 404


def test_y1_node_page_shows_its_ancestors_and_title(signed_in):
    node = Node.objects.get(edition__code=MP, code="030401")
    response = signed_in.get(reverse("strategy:node", args=[node.pk]))
    assert response.status_code == 200
    page = dom(response)
    assert page.find("h1").text == "สินค้าเกษตรแปรรูปและผลิตภัณฑ์มีมูลค่าเพิ่มขึ้น"
    ancestors = page.find("ol", "ancestors").find_all("li")
    assert [li.find("span", "code").text for li in ancestors] == ["03", "0304"]
    assert "การเกษตร" in ancestors[0].text
    assert "เกษตรแปรรูป" in ancestors[1].text
    crumbs = page.find("nav", "crumbs").find_all("a")
    hrefs = [a.attrs["href"] for a in crumbs]
    assert hrefs == [
        reverse("strategy:editions"),
        reverse("strategy:edition", args=[MP]),
        reverse("strategy:node", args=[node.parent.parent_id]),
        reverse("strategy:node", args=[node.parent_id]),
    ]


def test_node_with_children_lists_them(signed_in):
    plan = Node.objects.get(edition__code=MP, code="03")
    response = signed_in.get(reverse("strategy:node", args=[plan.pk]))
    children = dom(response).find("ul", "children").find_all("li")
    codes = {li.find("span", "code").text for li in children}
    assert codes == {"030001", "030002", "0302", "0303", "0304", "0305", "0306"}
    assert any("เกษตรปลอดภัย" in li.text for li in children)


def test_unknown_node_is_404(signed_in):
    missing = (Node.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    assert signed_in.get(reverse("strategy:node", args=[missing])).status_code == 404


# --- search -----------------------------------------------------------------------------------


def search(client, q, edition=None, htmx=False):
    params = {"q": q} if edition is None else {"q": q, "edition": edition}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(reverse("strategy:search"), params, headers=headers)


def result_codes(response) -> list[str]:
    results = dom(response).find_all("ul", "results")
    if not results:
        return []
    return [s.text for li in results[0].find_all("li") for s in li.find_all("span", "code")]


@pytest.fixture
def elderly(signed_in):
    return seed_elderly_target()


def test_search_finds_a_thai_word_inside_a_title(signed_in, elderly):
    response = search(signed_in, "ผู้สูงอายุ")
    assert response.status_code == 200
    assert result_codes(response) == [ELDERLY_CODE]
    assert ELDERLY in response.content.decode()
    link = dom(response).find("ul", "results").find("a")
    assert link.attrs["href"] == reverse("strategy:node", args=[elderly.pk])


@pytest.mark.parametrize(
    "q",
    [
        "ผู้สูงอายุทั่วถึง",  # two words without a space, not adjacent in the title
        "ทั่วถึง ผู้สูงอายุ",  # any order
        "  ผู้สูงอายุ  ",
        "ผู้สูง\u200bอายุ",  # a zero-width space inside the word
        "ผู้สูงอายุ\u200bทั่วถึง",
        "ผู้สูงอายุ ๑๗๐๑๐๙",  # Thai digits: the code
        "๑๗๐๑๐๙",
    ],
)
def test_search_is_word_based_and_normalised(signed_in, elderly, q):
    assert ELDERLY_CODE in result_codes(search(signed_in, q))


def test_search_needs_every_word(signed_in, elderly):
    assert result_codes(search(signed_in, "ผู้สูงอายุยานยนต์")) == []
    # An empty result list is still a result section (with its "nothing found" line).
    assert dom(search(signed_in, "ผู้สูงอายุยานยนต์")).find_all("ul", "results")


def test_search_can_be_limited_to_an_edition(signed_in, elderly):
    assert ELDERLY_CODE in result_codes(search(signed_in, "ผู้สูงอายุ", edition=MP))
    assert result_codes(search(signed_in, "ผู้สูงอายุ", edition="mp-2561")) == []


def test_htmx_search_returns_only_the_results_fragment(signed_in, elderly):
    response = search(signed_in, "ผู้สูงอายุ", htmx=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "<body" not in body and "<form" not in body
    assert result_codes(response) == [ELDERLY_CODE]
    # Without the header the whole page comes back.
    assert "<html" in search(signed_in, "ผู้สูงอายุ").content.decode()


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "\u200b",
    ],
)
def test_empty_query_returns_the_page_without_results(signed_in, q):
    response = search(signed_in, q)
    assert response.status_code == 200
    page = dom(response)
    assert page.find_all("html")
    assert any(i.attrs.get("name") == "q" for i in page.find_all("input"))
    assert not page.find_all("ul", "results")
    results = [d for d in page.find_all("div") if d.attrs.get("id") == "search-results"]
    assert results and results[0].text == ""


def test_search_finds_sdg_targets_by_english_words(signed_in):
    codes = result_codes(search(signed_in, "poverty"))
    assert "1.1" in codes and "1.2" in codes
    # Case does not matter and every word must match.
    assert "1.1" in result_codes(search(signed_in, "Eradicate POVERTY"))
    assert "1.2" not in result_codes(search(signed_in, "eradicate poverty"))
    only_sdg = search(signed_in, "poverty", edition="sdg-2030")
    assert "1.1" in result_codes(only_sdg)


# --- dates ------------------------------------------------------------------------------------


def test_home_shows_today_in_the_buddhist_era(signed_in):
    today = timezone.localdate()
    lead = dom(signed_in.get(reverse("home"))).find("p", "lead").text
    assert f"{today.day} {THAI_MONTHS[today.month - 1]} {today.year + 543}" in lead
    english(signed_in)
    lead = dom(signed_in.get(reverse("home"))).find("p", "lead").text
    assert f"{today.year + 543} BE" in lead
    assert str(today.year) not in lead.replace(str(today.year + 543), "")


def test_user_without_membership_sees_home(client):
    user = UserFactory(first_name="มานี")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "มานี" in response.content.decode()
    assert not dom(response).find_all("table", "table")
