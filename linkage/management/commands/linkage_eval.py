"""manage.py linkage_eval --input LABELLED.jsonl [--edition E]

Each line: {"id", "title", "objective", "kpi", "master_plan", "sub_plan"} (sub_plan empty
where the loaded hierarchy has none; "edition" optional). Prints top-1 and top-3 accuracy at
master-plan and sub-plan level for the scorer and a plain TF-IDF baseline."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from linkage import evaluation, services
from strategy.models import Edition


class Command(BaseCommand):
    help = "Accuracy of the linkage suggestions on a labelled set, next to a baseline."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", required=True)
        parser.add_argument("--edition", help="default: the items' own, else the one in force")

    def handle(self, *args, **options) -> None:
        try:
            with open(options["input"], encoding="utf-8-sig") as handle:
                items = evaluation.read_jsonl(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        code = options["edition"] or next((i["edition"] for i in items if i.get("edition")), None)
        edition = Edition.objects.filter(code=code).first() if code else services.default_edition()
        if edition is None:
            raise CommandError(f"Unknown edition: {code}")
        rows = [evaluation.evaluate_scorer(items, edition),
                evaluation.evaluate_baseline(items, edition)]  # fmt: skip
        n_sub = rows[0].n_sub
        self.stdout.write(f"edition {edition.code}: {rows[0].n} items, {n_sub} with a sub-plan")
        header = f"{'':40} {'MP top-1':>9} {'MP top-3':>9} {'SP top-1':>9} {'SP top-3':>9}"
        self.stdout.write(header)
        for r in rows:
            self.stdout.write(
                f"{r.name:40} {r.mp_top1:9.1%} {r.mp_top3:9.1%} {r.sp_top1:9.1%} {r.sp_top3:9.1%}"
            )
