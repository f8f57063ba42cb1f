"""The national dashboard's one scan with one join of narrow rows (bench/RESULTS.md): per
project, its fiscal year, its primary link's node and the score of its primary link, in
``PrimaryLink``.

The database keeps the rows, in one place: ``dash_primary_refresh`` recomputes them for some
projects; statement-level triggers on the link, score and project tables call it with the
projects a statement wrote, and a row trigger when a project changes fiscal year (the services, the linkage batch's COPY, bulk_create, cascades of a
deleted node or project). A narrow table rather than columns on the project: the linkage batch
rewrites up to 100,000 scores, and each project row is wide and has sixteen indexes (a trigram
one among them). PostgreSQL only, like the indexes of 0001; elsewhere the table stays empty and
the dashboards read the joins."""

import django.db.models.deletion
from django.db import migrations, models

# Whole statements, no SQL built at run time.
CREATE = [
    # Lock the projects first, then read: a transaction that changed one of them and
    # committed while this one waited is seen by the next statement (READ COMMITTED takes a
    # snapshot per statement), so two writers of the same project cannot leave a stale row.
    """CREATE FUNCTION dash_primary_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF cardinality(ids) = 0 THEN
            RETURN;
        END IF;
        PERFORM 1 FROM projects_project WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
        DELETE FROM dashboards_primarylink AS d WHERE d.project_id = ANY (ids)
           AND NOT EXISTS (SELECT 1 FROM projects_project WHERE id = d.project_id);
        -- Set-based: a per-project "newest score" LIMIT 1 let PostgreSQL walk the scores'
        -- primary key backwards for each project (10,000 projects took minutes).
        INSERT INTO dashboards_primarylink AS d (project_id, fiscal_year, node_id, score)
        SELECT p.id, p.fiscal_year, l.node_id, s.score
          FROM unnest(ids) AS i (id)
          JOIN projects_project AS p ON p.id = i.id
          LEFT JOIN projects_strategylink AS l ON l.project_id = p.id AND l.is_primary
          LEFT JOIN (
                SELECT DISTINCT ON (project_id) project_id, score FROM linkage_linkscore
                 WHERE project_id = ANY (ids) AND is_primary ORDER BY project_id, id DESC
               ) AS s ON s.project_id = p.id
        ON CONFLICT (project_id) DO UPDATE
           SET fiscal_year = EXCLUDED.fiscal_year, node_id = EXCLUDED.node_id,
               score = EXCLUDED.score
         WHERE (d.fiscal_year, d.node_id, d.score)
               IS DISTINCT FROM (EXCLUDED.fiscal_year, EXCLUDED.node_id, EXCLUDED.score);
    END $$""",
    # One trigger per table and event (PostgreSQL allows transition tables only on
    # single-event triggers); links and scores matter only when primary.
    """CREATE FUNCTION dash_primary_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_LEVEL = 'ROW' THEN  -- a project moved to another fiscal year
            PERFORM dash_primary_refresh(ARRAY[NEW.id]);
        ELSIF TG_TABLE_NAME = 'projects_project' THEN
            PERFORM dash_primary_refresh(ARRAY(SELECT id FROM old_rows));
        ELSIF TG_OP = 'INSERT' THEN
            PERFORM dash_primary_refresh(ARRAY(
                SELECT DISTINCT project_id FROM new_rows WHERE is_primary));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM dash_primary_refresh(ARRAY(
                SELECT DISTINCT project_id FROM old_rows WHERE is_primary));
        ELSE
            PERFORM dash_primary_refresh(ARRAY(
                SELECT project_id FROM new_rows WHERE is_primary
                UNION SELECT project_id FROM old_rows WHERE is_primary));
        END IF;
        RETURN NULL;
    END $$""",
    *(
        f"CREATE TRIGGER dash_primary_{name} AFTER {event} ON {table} REFERENCING {tables}"
        " FOR EACH STATEMENT EXECUTE FUNCTION dash_primary_changed()"
        for name, event, table, tables in (
            ("link_ins", "INSERT", "projects_strategylink", "NEW TABLE AS new_rows"),
            ("link_upd", "UPDATE", "projects_strategylink",
             "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("link_del", "DELETE", "projects_strategylink", "OLD TABLE AS old_rows"),
            ("score_ins", "INSERT", "linkage_linkscore", "NEW TABLE AS new_rows"),
            ("score_upd", "UPDATE", "linkage_linkscore",
             "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("score_del", "DELETE", "linkage_linkscore", "OLD TABLE AS old_rows"),
            ("project_del", "DELETE", "projects_project", "OLD TABLE AS old_rows"),
        )
    ),  # fmt: skip
    "CREATE TRIGGER dash_primary_project_year AFTER UPDATE OF fiscal_year ON projects_project"
    " FOR EACH ROW WHEN (OLD.fiscal_year IS DISTINCT FROM NEW.fiscal_year)"
    " EXECUTE FUNCTION dash_primary_changed()",
    # The back-fill, by the same function.
    "SELECT dash_primary_refresh(ARRAY(SELECT id FROM projects_project ORDER BY id))",
]
DROP = [
    *(
        f"DROP TRIGGER IF EXISTS dash_primary_{name} ON {table}"
        for name, table in (
            ("link_ins", "projects_strategylink"), ("link_upd", "projects_strategylink"),
            ("link_del", "projects_strategylink"), ("score_ins", "linkage_linkscore"),
            ("score_upd", "linkage_linkscore"), ("score_del", "linkage_linkscore"),
            ("project_del", "projects_project"), ("project_year", "projects_project"),
        )
    ),  # fmt: skip
    "DROP FUNCTION IF EXISTS dash_primary_changed()",
    "DROP FUNCTION IF EXISTS dash_primary_refresh(bigint[])",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_dashboard_indexes"),
        ("projects", "0003_search_trigram_index"),
        ("linkage", "0002_rubric"),
    ]
    operations = [
        migrations.CreateModel(
            name="PrimaryLink",
            fields=[
                ("project", models.OneToOneField(
                    db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                    primary_key=True, related_name="dash_primary", serialize=False,
                    to="projects.project",
                )),
                ("fiscal_year", models.PositiveIntegerField()),
                ("node_id", models.BigIntegerField(null=True)),
                ("score", models.PositiveSmallIntegerField(null=True)),
            ],
            options={
                "indexes": [models.Index(
                    fields=["fiscal_year", "project"], include=["node_id", "score"],
                    name="dash_primary_year",
                )],
            },
        ),  # fmt: skip
        migrations.RunPython(create, drop),
    ]
