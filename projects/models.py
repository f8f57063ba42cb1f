"""Projects and ongoing operations with their KPIs, activities, budget lines, locations,
attachments and links to the strategy hierarchy. Rules live in ``rules.py`` (what a complete
project is) and ``services.py`` (every write)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.models import Province
from strategy.models import Edition, Node
from workflow.models import Reviewable

MONEY = {"max_digits": 16, "decimal_places": 2}


class Project(Reviewable):
    class Kind(models.TextChoices):
        PROJECT = "project", _("Project")
        OPERATION = "operation", _("Ongoing operation")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="projects", verbose_name=_("agency")
    )
    fiscal_year = models.PositiveIntegerField(_("fiscal year"), db_index=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.PROJECT)
    reference = models.CharField(
        _("agency's own reference"), max_length=64, blank=True,
        help_text=_("The project's number in your agency's own system, if any."),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=500)
    responsible_name = models.CharField(_("responsible person"), max_length=200, blank=True)
    responsible_position = models.CharField(_("position"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True, help_text=_("One per line."))
    target_group = models.TextField(_("target group"), blank=True)
    expected_outcomes = models.TextField(_("expected outcomes"), blank=True)
    total_budget = models.DecimalField(_("total budget (baht)"), **MONEY, null=True, blank=True)
    budget_difference_reason = models.TextField(
        _("why activity budgets differ from the total"), blank=True
    )
    nationwide = models.BooleanField(_("nationwide"), default=False)
    provinces = models.ManyToManyField(Province, blank=True, verbose_name=_("provinces"))

    # Revisions: an approved project is changed through a new revision (a copy) that goes
    # through approval again; the approved one stays readable until it is replaced.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by",
        verbose_name=_("revision of"),
    )  # fmt: skip
    is_current = models.BooleanField(_("current revision"), default=True, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Normalised title, objectives and reference for Thai substring search in lists.
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-fiscal_year", "-updated_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "fiscal_year", "status"]),
            models.Index(fields=["is_current", "status"]),
            # The lists' default order, so a page of 25 reads 25 index entries, not a sort of
            # every visible project.
            models.Index(fields=["-fiscal_year", "-updated_at", "-id"], name="project_list_order"),
            # The lists' visibility count reads dashboards' covering index (PostgreSQL).
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "reference", "revision"],
                condition=~Q(reference=""),
                name="uniq_project_reference",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def edition(self) -> Edition | None:
        from strategy.selectors import edition_for_fiscal_year

        return edition_for_fiscal_year(Edition.Family.MASTER_PLAN, self.fiscal_year)

    @property
    def primary_link(self) -> StrategyLink | None:
        return next((link for link in self.links.all() if link.is_primary), None)

    @property
    def activity_budget(self) -> Decimal:
        return sum((a.budget or Decimal(0) for a in self.activities.all()), Decimal(0))

    @property
    def budget_by_source(self) -> Decimal:
        return sum((b.amount or Decimal(0) for b in self.budget_lines.all()), Decimal(0))

    def submission_problems(self) -> dict[str, list[str]]:
        from .rules import submission_problems

        return submission_problems(self)

    def after_transition(self, action: str, from_status: str, user) -> None:
        from .services import on_transition

        on_transition(self, action, from_status, user)


class KPI(models.Model):
    class Kind(models.TextChoices):
        OUTPUT = "output", _("Output")
        OUTCOME = "outcome", _("Outcome")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="kpis")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.OUTPUT)
    name = models.CharField(_("indicator"), max_length=500)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    target_value = models.CharField(_("target value"), max_length=50, blank=True)
    baseline = models.CharField(_("baseline"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    order = models.PositiveIntegerField(_("order"), default=1)
    name = models.CharField(_("activity"), max_length=500)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    budget = models.DecimalField(_("budget (baht)"), **MONEY, null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["project", "order", "id"]

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    class Source(models.TextChoices):
        STATE = "state", _("State budget")
        OFF_BUDGET = "off_budget", _("Off-budget funds")
        LOAN = "loan", _("Loan")
        AGENCY_REVENUE = "agency_revenue", _("Agency revenue")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    amount = models.DecimalField(_("amount (baht)"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project", "fiscal_year", "source"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.fiscal_year}: {self.amount}"


class StrategyLink(models.Model):
    """A link to the hierarchy. The primary link names the Y1 target (or the deepest level the
    loaded hierarchy has) and, where loaded, the value-chain factor the project acts on."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="project_links")
    factor = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("value-chain factor"),
    )  # fmt: skip
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("strategy link")
        verbose_name_plural = _("strategy links")
        constraints = [
            models.UniqueConstraint(fields=["project", "node"], name="uniq_project_link"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_primary=True), name="one_primary_link"
            ),
        ]

    def __str__(self) -> str:
        return str(self.node)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"projects/{instance.project.lineage}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name
