"""Thai first: every interface message has a Thai translation, and the committed compiled
catalog says the same as the source catalog."""

import gettext
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "th" / "LC_MESSAGES"


def test_every_message_is_translated_to_thai():
    catalog = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in catalog if not e.translated() or e.obsolete]
    assert untranslated == []
    assert not [e.msgid for e in catalog if "fuzzy" in e.flags]


def test_compiled_catalog_matches_the_source():
    compiled = gettext.GNUTranslations(open(LOCALE / "django.mo", "rb"))  # noqa: SIM115
    for entry in polib.pofile(str(LOCALE / "django.po")):
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_model_labels_follow_the_active_language():
    from strategy.models import Kind

    with translation.override("th"):
        assert str(Kind.SUB_PLAN_TARGET.label) == "เป้าหมายแผนย่อย (Y1)"
    with translation.override("en"):
        assert str(Kind.SUB_PLAN_TARGET.label) == "Sub-plan target (Y1)"


@pytest.mark.django_db
def test_pages_are_thai_whatever_the_browser_asks_until_the_user_switches():
    # Browsers in government offices often send Accept-Language: en-US.
    browser = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    thai_page = browser.get("/accounts/login/").content.decode()
    assert '<html lang="th">' in thai_page
    assert "เข้าสู่ระบบ" in thai_page
    switched = browser.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302
    english = browser.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in english
    assert "Sign in" in english
