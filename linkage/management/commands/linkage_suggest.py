"""manage.py linkage_suggest --input FILE.jsonl [--edition E] [--top K]

Reads JSON lines {"id", "title", "objective", "kpi"} and writes one JSON line per input:
{"id", "suggestions": [{"code", "kind", "title", "master_plan_code", "sub_plan_code",
"sub_plan_title", "score"}, ...]}, best first. Other tools call this: keep it stable."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from linkage import services
from strategy.models import Edition


class Command(BaseCommand):
    help = "Suggest strategy targets for project texts (JSON lines in, JSON lines out)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", required=True, help="JSON lines file, or - for stdin")
        parser.add_argument("--edition", help="master-plan edition code (default: in force now)")
        parser.add_argument("--top", type=int, default=5)

    def handle(self, *args, **options) -> None:
        if options["edition"]:
            edition = Edition.objects.filter(code=options["edition"]).first()
            if edition is None:
                raise CommandError(f"Unknown edition: {options['edition']}")
        else:
            edition = services.default_edition()
            if edition is None:
                raise CommandError("No master-plan edition covers the current fiscal year.")
        top = max(1, options["top"])
        path = options["input"]
        try:
            handle = sys.stdin if path == "-" else open(path, encoding="utf-8-sig")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        with handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CommandError(f"line {number}: not JSON ({exc})") from exc
                suggestions = services.suggest(
                    str(item.get("title") or ""), str(item.get("objective") or ""),
                    str(item.get("kpi") or ""), edition=edition, top=top,
                )  # fmt: skip
                out = {"id": item.get("id"), "suggestions": suggestions}
                self.stdout.write(json.dumps(out, ensure_ascii=False))
