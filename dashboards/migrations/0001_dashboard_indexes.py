"""Covering indexes for the dashboards' aggregates over a whole country (bench/RESULTS.md):
each figure then reads index entries only, not the wide project, score and report rows
(17,000 heap pages for one fiscal year of 25,000 projects). PostgreSQL only (INCLUDE); the
tables belong to other apps, so the indexes are plain SQL kept here with the reads they serve."""

from django.db import migrations

INDEXES = {
    "dash_project_fy_agency": "projects_project (fiscal_year, status, agency_id) INCLUDE (id,"
    " is_current, total_budget, lineage, revision, start_date, end_date)",
    "dash_primary_link": "projects_strategylink (project_id) INCLUDE (node_id) WHERE is_primary",
    "dash_primary_score": "linkage_linkscore (project_id) INCLUDE (score) WHERE is_primary",
    "dash_report_lineage": "progress_progressreport (lineage) INCLUDE (kind, status,"
    " fiscal_year, quarter)",
    "dash_budget_report": "progress_budgetprogress (report_id) INCLUDE (disbursed)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, spec in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_list_order_index"),
        ("linkage", "0001_initial"),
        ("progress", "0001_initial"),
    ]
    operations = [migrations.RunPython(create, drop)]
