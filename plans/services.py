"""Every write to a Level-3 plan: save (with the optimistic lock and the change record), its
targets' values per year, its strategy links, its PDF document, and the projects that serve it.
Views (and later the API) call these; workflow transitions go through
``workflow.engine.perform``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from agencies import access
from agencies.access import Action
from core import thai
from projects.attachments import check_upload
from projects.models import Project
from strategy.models import Node
from workflow import engine
from workflow.engine import EditConflict, WorkflowError

from .models import Plan, PlanLink, PlanTarget, PlanTargetValue, ProjectPlanLink

PDF = "application/pdf"
SNAPSHOT_FIELDS = (
    "plan_type", "reference", "title", "year_from", "year_to", "approved_by",
    "approved_by_other", "approved_on", "resolution_ref", "objectives", "document_name",
)  # fmt: skip


@dataclass
class LinkChoice:
    """The strategy links chosen in a form or an import row: the primary Y2/Y1 and others."""

    primary: Node | None = None
    secondary: list[Node] = field(default_factory=list)


def check_document(upload) -> None:
    """The plan document must be a PDF by its content (the project attachment checks, narrowed
    to PDF); ValidationError with a message in the user's language otherwise."""
    content_type = check_upload(upload)
    if content_type != PDF:
        raise ValidationError(_("The plan document must be a PDF file."))


def snapshot(plan: Plan) -> dict[str, str]:
    """The user-visible content of a plan as text, to compare before and after a save."""
    data = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(plan, name)
        data[str(Plan._meta.get_field(name).verbose_name)] = "" if value is None else str(value)
    data[_("targets")] = "\n".join(
        f"{t.order}. {t.name} | {t.indicator} {t.unit} | "
        + ", ".join(f"{v.fiscal_year}: {v.value}" for v in t.values.all())
        for t in plan.targets.prefetch_related("values")
    )
    data[_("strategy links")] = "\n".join(
        ("* " if link.is_primary else "") + str(link.node)
        for link in plan.links.select_related("node").order_by("-is_primary", "id")
    )
    return data


def _diff(before: dict[str, str], after: dict[str, str]) -> dict[str, dict[str, str]]:
    return {k: {"old": before.get(k, ""), "new": v} for k, v in after.items() if before.get(k) != v}


@transaction.atomic
def save_plan(*, user, form, targets_formset, links: LinkChoice,
              expected_version: int | None = None, reason: str = "") -> Plan:  # fmt: skip
    """Save a plan from its validated form and target formset, all or nothing.

    Raises PermissionDenied, EditConflict (someone saved since ``expected_version``) or
    WorkflowError (a change after submission without a reason)."""
    plan: Plan = form.instance
    creating = plan.pk is None
    before = None
    if creating:
        if not access.can_create_in(user, plan.agency):
            raise PermissionDenied(_("You may not enter plans for this agency."))
        plan.created_by = user
    else:
        current = Plan.objects.get(pk=plan.pk)
        if not access.can(user, Action.EDIT, current):
            raise PermissionDenied(_("This plan cannot be edited now."))
        bumped = Plan.objects.filter(pk=plan.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            raise EditConflict
        plan.version = expected_version + 1
        if engine.needs_change_reason(current):
            before = snapshot(current)
            if not reason.strip():
                raise WorkflowError(
                    _("Say why you change a plan that was submitted before."),
                    {"change_reason": [_("A reason is required.")]},
                )
    upload = form.cleaned_data.get("document_upload")
    if upload:
        if plan.document:
            plan.document.delete(save=False)
        plan.document = upload
        plan.document_name = upload.name[:255]
        plan.document_size = upload.size
    form.save()
    targets_formset.instance = plan
    targets_formset.save()
    for target_form in targets_formset.forms:
        target = target_form.instance
        if target.pk and target_form not in targets_formset.deleted_forms:
            set_values(target, target_form.cleaned_data.get("values") or {})
    set_links(plan, links)
    refresh_search_text(plan)
    if creating:
        engine.record(plan, "create", user)
    elif before is not None:
        engine.record_changes(plan, user, reason.strip(), _diff(before, snapshot(plan)))
    return plan


def set_values(target: PlanTarget, values: dict[int, str]) -> None:
    """Replace a target's values per fiscal year."""
    target.values.all().delete()
    PlanTargetValue.objects.bulk_create(
        PlanTargetValue(target=target, fiscal_year=year, value=value)
        for year, value in sorted(values.items())
    )


def set_links(plan: Plan, links: LinkChoice) -> None:
    """Replace the plan's strategy links with the chosen ones."""
    plan.links.all().delete()
    seen = set()
    if links.primary is not None:
        PlanLink.objects.create(plan=plan, node=links.primary, is_primary=True)
        seen.add(links.primary.pk)
    PlanLink.objects.bulk_create(
        PlanLink(plan=plan, node=node)
        for node in {n.pk: n for n in links.secondary if n.pk not in seen}.values()
    )


def refresh_search_text(plan: Plan) -> None:
    agency = plan.agency
    text = " ".join((plan.title, plan.reference, plan.objectives, agency.name_th, agency.code))
    Plan.objects.filter(pk=plan.pk).update(search_text=thai.normalize(text))


# --- projects that serve a plan --------------------------------------------------------------


def can_link_projects(user, project: Project) -> bool:
    """Who may state which plans a project serves: whoever may edit the project now."""
    return access.can(user, Action.EDIT, project)


def link_project(*, user, project: Project, plan: Plan, target: PlanTarget | None = None):
    """Record that ``project`` serves ``plan`` (and ``target``). The plan must be one the user
    may choose for the project (``selectors.plans_for_project``)."""
    from .selectors import plans_for_project

    if not can_link_projects(user, project):
        raise PermissionDenied(_("This project cannot be edited now."))
    if not plans_for_project(user, project).filter(pk=plan.pk).exists():
        raise ValidationError(_("This plan cannot be chosen for this project."))
    if target is not None and target.plan_id != plan.pk:
        raise ValidationError(_("This target does not belong to the chosen plan."))
    link, created = ProjectPlanLink.objects.get_or_create(
        lineage=project.lineage, plan=plan, target=target,
        defaults={"project": project, "created_by": user},
    )  # fmt: skip
    if not created:
        raise ValidationError(_("The project already states that it serves this target."))
    return link


def unlink_project(*, user, link: ProjectPlanLink, project: Project) -> None:
    if link.lineage != project.lineage:
        raise PermissionDenied
    if not can_link_projects(user, project):
        raise PermissionDenied(_("This project cannot be edited now."))
    link.delete()
