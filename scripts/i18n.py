"""Refresh the Thai catalog: extract messages, fill them from locale/th_translations.py, compile.

    .venv/bin/python scripts/i18n.py

Compiling needs GNU gettext's msgfmt (Debian package gettext); the compiled .mo is committed so
a fresh checkout needs neither.
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "locale"))
from th_translations import PLURALS, TH  # noqa: E402

# Each app may keep its own table in locale/th_translations_<app>.py (TH and optionally
# PLURALS), so work on separate apps never collides in one file.
for extra in sorted((ROOT / "locale").glob("th_translations_*.py")):
    module = __import__(extra.stem)
    TH.update(module.TH)
    PLURALS.update(getattr(module, "PLURALS", {}))

PO = ROOT / "locale" / "th" / "LC_MESSAGES" / "django.po"


def main() -> int:
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "th", "--no-obsolete",
         "--ignore=.venv", "--ignore=var", "--ignore=tests", "--ignore=scripts"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    catalog = polib.pofile(str(PO))
    missing = []
    for entry in catalog:
        if entry.msgid_plural:
            forms = PLURALS.get(entry.msgid)
            if forms:
                entry.msgstr_plural = dict(enumerate(forms))
        elif entry.msgid in TH:
            entry.msgstr = TH[entry.msgid]
        if "fuzzy" in entry.flags:
            # A guess from a similar old message: never ship it.
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
            if entry.msgid not in TH and entry.msgid not in PLURALS:
                entry.msgstr = ""
                entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
        if not entry.translated():
            missing.append(entry.msgid)
    catalog.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalog.save()
    compile_cmd = [sys.executable, "manage.py", "compilemessages", "-l", "th", "--ignore=.venv"]
    subprocess.run(compile_cmd, cwd=ROOT, check=True)
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
