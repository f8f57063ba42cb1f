"""Levels 1 and 2 of the national planning system: editions and one tree of typed nodes.

One ``Node`` model with a ``kind`` (instead of a model per level) keeps the tree queries, the
import and the browse pages single; the rules of what may sit under what are in ``KIND_RULES``.
Codes are the official ones (edition + code is the natural key). Public sources leave some rows
without a code; such rows keep an empty code and are matched by edition, kind and title.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

from core import thai


class Edition(models.Model):
    """A published version of a plan family, e.g. the master plans of 2561 or their 2566
    revision. A project links to the edition in force in its fiscal year."""

    class Family(models.TextChoices):
        NATIONAL_STRATEGY = "national_strategy", _("National strategy")
        MASTER_PLAN = "master_plan", _("Master plans")
        REFORM = "reform", _("National reform plans")
        NESDP = "nesdp", _("National economic and social development plan")
        SDG = "sdg", _("Sustainable development goals")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    family = models.CharField(_("plan family"), max_length=30, choices=Family.choices)
    title_th = models.CharField(_("title (Thai)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    # Fiscal years (Buddhist era) in which projects link to this edition; empty when the
    # edition of the source rows is unknown, so nothing can link to it.
    fiscal_year_from = models.PositiveIntegerField(_("from fiscal year"), null=True, blank=True)
    fiscal_year_to = models.PositiveIntegerField(_("to fiscal year"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["family", "fiscal_year_from", "code"]

    def __str__(self) -> str:
        return self.title_th

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def covers(self, fiscal_year: int) -> bool:
        """Is this edition the one in force in ``fiscal_year``?"""
        if self.fiscal_year_from is None:
            return False
        return self.fiscal_year_from <= fiscal_year <= (self.fiscal_year_to or 9999)


class Kind(models.TextChoices):
    STRATEGY = "strategy", _("National strategy")
    MASTER_PLAN = "master_plan", _("Master plan")
    MASTER_PLAN_TARGET = "y2", _("Master plan target (Y2)")
    SUB_PLAN = "sub_plan", _("Sub-plan")
    SUB_PLAN_TARGET = "y1", _("Sub-plan target (Y1)")
    COMPONENT = "component", _("Value-chain component")
    FACTOR = "factor", _("Value-chain factor")
    REFORM_AREA = "reform", _("Reform area")
    MILESTONE = "milestone", _("NESDP-13 milestone")
    SDG_GOAL = "sdg_goal", _("SDG goal")
    SDG_TARGET = "sdg_target", _("SDG target")


F = Edition.Family
# kind → (its plan family, the kinds its parent may have; None = may stand at the top).
# Sub-plans and Y1 targets may hang directly under their master plan (or at the top) because
# public sources often name a target's master plan but not its sub-plan.
KIND_RULES: dict[str, tuple[str, frozenset[str | None]]] = {
    Kind.STRATEGY: (F.NATIONAL_STRATEGY, frozenset({None})),
    Kind.MASTER_PLAN: (F.MASTER_PLAN, frozenset({None})),
    Kind.MASTER_PLAN_TARGET: (F.MASTER_PLAN, frozenset({Kind.MASTER_PLAN})),
    Kind.SUB_PLAN: (F.MASTER_PLAN, frozenset({Kind.MASTER_PLAN, None})),
    Kind.SUB_PLAN_TARGET: (F.MASTER_PLAN, frozenset({Kind.SUB_PLAN, Kind.MASTER_PLAN, None})),
    Kind.COMPONENT: (F.MASTER_PLAN, frozenset({Kind.SUB_PLAN_TARGET, None})),
    Kind.FACTOR: (F.MASTER_PLAN, frozenset({Kind.COMPONENT})),
    Kind.REFORM_AREA: (F.REFORM, frozenset({None})),
    Kind.MILESTONE: (F.NESDP, frozenset({None})),
    Kind.SDG_GOAL: (F.SDG, frozenset({None})),
    Kind.SDG_TARGET: (F.SDG, frozenset({Kind.SDG_GOAL})),
}
# Depth order, used to import parents before their children whatever the file's row order.
KIND_ORDER = {kind: i for i, kind in enumerate(KIND_RULES)}


class NodeQuerySet(TreeQuerySet):
    def search(self, query: str) -> NodeQuerySet:
        """Nodes whose title holds every word of ``query`` (Thai segmented, normalised)."""
        terms = thai.words(query)
        if not terms:
            return self.none()
        qs = self
        for term in terms:
            qs = qs.filter(Q(search_text__contains=term) | Q(code__iexact=term))
        return qs


class Node(TreeNode):
    """One element of the hierarchy: a strategy, master plan, target, factor, SDG target..."""

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="nodes", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    code = models.CharField(_("code"), max_length=40, blank=True, db_index=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    title_th = models.TextField(_("title (Thai)"), blank=True)
    title_en = models.TextField(_("title (English)"), blank=True)
    full_title_th = models.TextField(_("full title (Thai)"), blank=True)
    source = models.TextField(_("source"), blank=True)
    # Normalised titles for Thai substring search; kept in step by save().
    search_text = models.TextField(editable=False, blank=True)

    objects = NodeQuerySet.as_manager(with_tree_fields=False)

    class Meta:
        verbose_name = _("strategy node")
        verbose_name_plural = _("strategy nodes")
        ordering = ["edition", "code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "code"], condition=~Q(code=""), name="uniq_node_code"
            )
        ]
        indexes = [models.Index(fields=["edition", "kind"])]

    def __str__(self) -> str:
        label = self.title_th or self.title_en or str(_("(no text in the source)"))
        return f"{self.code} {label}".strip()

    @property
    def label(self) -> str:
        return self.title_th or self.title_en or str(_("(no text in the source)"))

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        parts = (self.title_th, self.full_title_th, self.title_en)
        return thai.normalize(" ".join(p for p in parts if p))

    def clean(self) -> None:
        super().clean()
        # A row whose edition failed to parse already carries that error; check the rest.
        edition = self.edition if self.edition_id else None
        errors = validate_placement(self.kind, edition, self.parent)
        if errors:
            raise ValidationError(errors)


def validate_placement(kind: str, edition: Edition | None, parent: Node | None) -> dict:
    """Errors (field → message) if a node of ``kind`` may not sit in ``edition`` under
    ``parent``. Shared by the model, the admin form and the file import."""
    errors: dict[str, str] = {}
    rule = KIND_RULES.get(kind)
    if rule is None:
        return {"kind": _("Unknown kind.")}
    family, parents = rule
    if edition is not None and edition.family != family:
        errors["kind"] = _("A %(kind)s cannot belong to the edition %(edition)s.") % {
            "kind": Kind(kind).label,
            "edition": edition.code,
        }
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in parents:
        if parent is None:
            errors["parent"] = _("A %(kind)s needs a parent.") % {"kind": Kind(kind).label}
        else:
            errors["parent"] = _(
                "A %(kind)s cannot sit under a %(parent_kind)s (%(parent_code)s)."
            ) % {
                "kind": Kind(kind).label,
                "parent_kind": Kind(parent_kind).label,
                "parent_code": parent.code,
            }
    elif parent is not None and edition is not None and parent.edition_id != edition.pk:
        errors["parent"] = _("The parent belongs to another edition.")
    return errors


class Indicator(models.Model):
    """An indicator of a target (Y1, Y2, milestone, SDG target ...)."""

    node = models.ForeignKey(
        Node, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("node")
    )
    code = models.CharField(_("code"), max_length=40, blank=True)
    name_th = models.TextField(_("indicator (Thai)"))
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    baseline = models.CharField(_("baseline"), max_length=100, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["node", "code", "id"]

    def __str__(self) -> str:
        return self.name_th


class IndicatorTarget(models.Model):
    """The target value of an indicator for a period of fiscal years (Buddhist era)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    year_from = models.PositiveIntegerField(_("from year"))
    year_to = models.PositiveIntegerField(_("to year"))
    value = models.CharField(_("target value"), max_length=255)
    value_numeric = models.DecimalField(
        _("numeric target"), max_digits=20, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "year_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__gte=models.F("year_from")), name="target_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year_from}-{self.year_to}: {self.value}"
