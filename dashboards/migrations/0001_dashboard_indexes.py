"""Covering indexes for the dashboards' aggregates over a whole country (bench/RESULTS.md):
each figure then reads index entries only, not the wide project, score and report rows
(17,000 heap pages for one fiscal year of 25,000 projects). PostgreSQL only (INCLUDE); the
tables belong to other apps, so the indexes are plain SQL kept here with the reads they serve."""

from django.db import migrations

# Whole statements, no SQL built at run time. The first also serves the lists' visibility count
# (every column the access rule and the year filter read), so projects needs no index of its own.
INDEXES = {
    "dash_project_fy_agency": "CREATE INDEX IF NOT EXISTS dash_project_fy_agency ON"
    " projects_project (fiscal_year, status, agency_id) INCLUDE (id, is_current, total_budget,"
    " lineage, revision, start_date, end_date)",
    "dash_primary_link": "CREATE INDEX IF NOT EXISTS dash_primary_link ON"
    " projects_strategylink (project_id) INCLUDE (node_id) WHERE is_primary",
    "dash_primary_score": "CREATE INDEX IF NOT EXISTS dash_primary_score ON"
    " linkage_linkscore (project_id) INCLUDE (score) WHERE is_primary",
    "dash_report_lineage": "CREATE INDEX IF NOT EXISTS dash_report_lineage ON"
    " progress_progressreport (lineage) INCLUDE (kind, status, fiscal_year, quarter)",
    "dash_budget_report": "CREATE INDEX IF NOT EXISTS dash_budget_report ON"
    " progress_budgetprogress (report_id) INCLUDE (disbursed)",
}
DROP = {name: f"DROP INDEX IF EXISTS {name}" for name in INDEXES}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in INDEXES.values():
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP.values():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_search_trigram_index"),
        ("linkage", "0001_initial"),
        ("progress", "0001_initial"),
    ]
    operations = [migrations.RunPython(create, drop)]
