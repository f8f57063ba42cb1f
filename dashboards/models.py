from django.db import models

from projects.models import Project


class PrimaryLink(models.Model):
    """A project's primary link's node and the alignment score of its primary link, one narrow
    row per project, for the national dashboard's one scan (bench/RESULTS.md): joining one
    year's rows is one small hash instead of two of every link and score of the country.

    Kept by the database, in one place: the function ``dash_primary_refresh`` that triggers on
    the link, score and project tables call after every statement that writes them (and after
    a project's fiscal year changes)
    (dashboards/migrations/0002), whatever writes them: the services, the linkage batch's COPY,
    bulk_create, the cascade of a deleted node or project. Nothing in Python writes it.
    PostgreSQL only: elsewhere the dashboards read the joins (``selectors.with_primary``)."""

    project = models.OneToOneField(
        Project, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True,
        related_name="dash_primary",
    )  # fmt: skip
    fiscal_year = models.PositiveIntegerField()  # the project's: a dashboard reads one year
    node_id = models.BigIntegerField(null=True)
    score = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["fiscal_year", "project"], include=["node_id", "score"],
                         name="dash_primary_year")
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.project_id}: {self.node_id} ({self.score})"
