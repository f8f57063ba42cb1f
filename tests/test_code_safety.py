"""What the code may never do, checked over every template and module of the project (new apps
included): mark user input safe in a template, or build SQL from strings."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "var", "node_modules", ".git", "tests", "bench"}
# Help texts are written by developers (Django's password rules are an HTML list), never users.
SAFE_ALLOWED = {"field.help_text|safe"}
# Python lines allowed to mark text safe, each next to the escaping it relies on.
PY_SAFE_ALLOWED = {("core/widgets.py", 'body = mark_safe("".join(options))  # noqa: S308')}


def _files(pattern: str) -> list[Path]:
    return [p for p in ROOT.rglob(pattern) if not SKIP & set(p.relative_to(ROOT).parts)]


def test_templates_never_mark_values_safe_or_turn_escaping_off():
    offences = []
    for path in _files("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"[\w.]+\|safe\b|autoescape\s+off", text):
            if match.group(0) not in SAFE_ALLOWED:
                offences.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offences == []


def test_no_sql_is_built_from_strings_and_nothing_is_marked_safe_in_python():
    risky = re.compile(
        r"mark_safe\(|SafeString\(|\.raw\(|\.extra\(|RawSQL\("
        r"|execute\(\s*(f[\"']|[\"'][^\"']*[\"']\s*(%|\.format))"
    )
    offences = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _files("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if risky.search(line) and (str(path.relative_to(ROOT)), line.strip()) not in PY_SAFE_ALLOWED
    ]
    assert offences == []
