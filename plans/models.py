"""Level-3 plans (แผนระดับที่ 3): an agency's action plans, provincial plans and other plans
required by law, with their targets and indicators, their links to levels 1-2 of the strategy
hierarchy, the plan document, and the projects that state they serve them.

Data flows projects ← plans: this app reads projects; projects never import it. Rules live in
``rules.py`` (what a complete plan is) and ``services.py`` (every write)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from strategy.models import Node
from workflow.models import Reviewable


class Plan(Reviewable):
    class Type(models.TextChoices):
        ACTION_5Y = "action_5y", _("Government action plan (5-year)")
        ACTION_ANNUAL = "action_annual", _("Government action plan (annual)")
        OPERATIONAL = "operational", _("Operational plan on a topic")
        PROVINCIAL = "provincial", _("Provincial development plan")
        PROVINCIAL_GROUP = "provincial_group", _("Provincial-cluster development plan")
        OTHER = "other", _("Other plan required by law or cabinet resolution")

    class ApprovedBy(models.TextChoices):
        CABINET = "cabinet", _("The cabinet")
        HEAD = "head", _("The head of the agency")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="plans", verbose_name=_("agency")
    )
    plan_type = models.CharField(_("plan type"), max_length=20, choices=Type.choices)
    reference = models.CharField(
        _("agency's plan reference"), max_length=64, blank=True,
        help_text=_("The plan's number in your agency's own system; imports match on it."),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=500)
    year_from = models.PositiveIntegerField(_("from fiscal year"), db_index=True)
    year_to = models.PositiveIntegerField(_("to fiscal year"), db_index=True)
    approved_by = models.CharField(
        _("approved by"), max_length=20, choices=ApprovedBy.choices, blank=True
    )
    approved_by_other = models.CharField(
        _("approved by (other)"), max_length=255, blank=True,
        help_text=_("Who approved the plan, when not the cabinet or the head of the agency."),
    )  # fmt: skip
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    resolution_ref = models.CharField(
        _("resolution or order reference"), max_length=255, blank=True,
        help_text=_("E.g. the cabinet resolution of its date, or the agency's order number."),
    )  # fmt: skip
    objectives = models.TextField(_("objectives"), blank=True, help_text=_("One per line."))
    document = models.FileField(
        _("plan document (PDF)"), upload_to="plans/%Y/", max_length=300, blank=True
    )
    document_name = models.CharField(_("file name"), max_length=255, blank=True)
    document_size = models.PositiveIntegerField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Normalised title, objectives, reference and agency for Thai substring search in lists.
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("Level-3 plan")
        verbose_name_plural = _("Level-3 plans")
        ordering = ["-year_from", "-updated_at", "-id"]
        indexes = [models.Index(fields=["agency", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "reference"], condition=~Q(reference=""),
                name="uniq_plan_reference",
            ),
            models.CheckConstraint(
                condition=Q(year_to__gte=models.F("year_from")), name="plan_period_order"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])

    @property
    def years(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

    @property
    def primary_link(self) -> PlanLink | None:
        return next((link for link in self.links.all() if link.is_primary), None)

    def submission_problems(self) -> dict[str, list[str]]:
        from .rules import submission_problems

        return submission_problems(self)


class PlanTarget(models.Model):
    """One target of the plan with the indicator that measures it; its values per fiscal year
    are ``PlanTargetValue`` rows."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    order = models.PositiveIntegerField(_("order"), default=1)
    name = models.CharField(_("target"), max_length=500)
    indicator = models.CharField(_("indicator"), max_length=500, blank=True)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    baseline = models.CharField(_("baseline"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class PlanTargetValue(models.Model):
    target = models.ForeignKey(PlanTarget, on_delete=models.CASCADE, related_name="values")
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    value = models.CharField(_("target value"), max_length=50)

    class Meta:
        verbose_name = _("target value")
        verbose_name_plural = _("target values")
        ordering = ["target", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "fiscal_year"], name="uniq_target_year")
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.value}"


class PlanLink(models.Model):
    """A link to levels 1-2. The primary link is a master-plan target (Y2) or a sub-plan
    target (Y1); the others may also be national strategies, reform areas or milestones."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="links")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="plan_links")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("strategy link")
        verbose_name_plural = _("strategy links")
        constraints = [
            models.UniqueConstraint(fields=["plan", "node"], name="uniq_plan_link"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(is_primary=True), name="one_primary_plan_link"
            ),
        ]

    def __str__(self) -> str:
        return str(self.node)


class ProjectPlanLink(models.Model):
    """A project states that it serves a plan (and, optionally, one of its targets).

    Kept here, not in projects/, because plans build on projects. A project's revisions share
    its ``lineage``, so reads follow the lineage to the current revision."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="plan_links",
        verbose_name=_("project"),
    )  # fmt: skip
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="project_links", verbose_name=_("plan")
    )
    # A link to a target that the plan drops goes with it (rather than silently becoming a
    # link to the whole plan).
    target = models.ForeignKey(
        PlanTarget, on_delete=models.CASCADE, null=True, blank=True,
        related_name="project_links", verbose_name=_("plan target"),
    )  # fmt: skip
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project serving a plan")
        verbose_name_plural = _("projects serving plans")
        ordering = ["plan", "target__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lineage", "plan", "target"], nulls_distinct=False,
                name="uniq_project_plan_target",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.project} → {self.plan}"
