"""Every write to a Level-3 plan: save (with the optimistic lock and the change record), its
targets' values per year, its strategy links, its PDF document, and the projects that serve it.
The rules live in ``save_plan_data`` (plain data); the form path ``save_plan`` and the REST API
both call it. Workflow transitions go through ``workflow.engine.perform``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies import access
from agencies.access import Action
from core import once, thai
from projects.attachments import check_upload
from projects.models import Project
from strategy.models import Node
from workflow import engine
from workflow.engine import WorkflowError

from . import rules
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
    """Save a plan from its validated form and target formset: the form's values become the
    plain ``data`` of ``save_plan_data``, which holds every rule."""
    plan: Plan = form.instance
    data = {name: form.cleaned_data[name] for name in DATA_FIELDS if name in form.cleaned_data}
    if plan.pk is None:
        data["agency"] = form.cleaned_data.get("agency")
    targets = []
    deleted = set(targets_formset.deleted_forms)
    for target_form in targets_formset.forms:
        if target_form in deleted or not target_form.cleaned_data:
            continue  # a row ticked for deletion, or an empty extra row
        row = {f: target_form.cleaned_data.get(f) for f in TARGET_FIELDS}
        row["id"] = target_form.instance.pk
        row["values"] = target_form.cleaned_data.get("values") or {}
        targets.append(row)
    data["targets"] = targets
    data["primary_link"] = links.primary
    data["secondary_links"] = list(links.secondary)
    return save_plan_data(
        user=user, data=data, plan=plan if plan.pk else None, expected_version=expected_version,
        reason=reason, document=form.cleaned_data.get("document_upload"),
        form_token=form.cleaned_data.get("form_token"),
    )  # fmt: skip


# --- the data-level write (the browser form above and the REST API) ---------------------------
#
# ``data`` holds model values, already shape-checked by the caller: the fields of
# ``DATA_FIELDS``, ``agency`` (an Agency, when creating), ``targets`` (a list of dicts of
# ``TARGET_FIELDS`` with ``values``: {fiscal year: value} or [(fiscal year, value)], and ``id``
# of a saved target of this plan to change it in place), ``primary_link`` (a Node or None) and
# ``secondary_links`` (Nodes). A key that is absent keeps the saved value; ``targets`` present
# replaces the saved targets (the ones not listed are removed).

DATA_FIELDS = (
    "plan_type", "reference", "title", "year_from", "year_to", "approved_by",
    "approved_by_other", "approved_on", "resolution_ref", "objectives",
)  # fmt: skip
TARGET_FIELDS = ("order", "name", "indicator", "unit", "baseline")


def _invalid(problems: dict[str, list[str]]) -> WorkflowError:
    return WorkflowError(_("Nothing was saved: some fields have problems."), problems)


def _check_data(plan: Plan, data: dict) -> dict[str, list[str]]:
    """What prevents saving even a draft (the submission checks come later, in the engine)."""
    problems: dict[str, list[str]] = {}
    if found := rules.order_problems(plan.year_from, plan.year_to):
        problems["year_to"] = found
    if plan.reference:
        taken = Plan.objects.filter(agency_id=plan.agency_id, reference=plan.reference)
        if taken.exclude(pk=plan.pk).exists():
            problems["reference"] = [_("Your agency already has a plan with this reference.")]
    primary = data.get("primary_link")
    if primary is not None and (found := rules.primary_choice_problems(primary)):
        problems["primary_target"] = found
    if found := rules.secondary_choice_problems(data.get("secondary_links") or []):
        problems["secondary_targets"] = found
    rows = data.get("targets") or []
    saved_ids = set(plan.targets.values_list("pk", flat=True)) if plan.pk and rows else set()
    for i, row in enumerate(rows):
        try:
            row["values"] = rules.clean_values(row.get("values") or {})
        except rules.ValuesError as exc:
            problems[f"targets-{i}-values"] = [str(exc)]
        if row.get("id") is not None and row["id"] not in saved_ids:
            problems[f"targets-{i}-id"] = [_("This target does not belong to the plan.")]
    return problems


@transaction.atomic
def save_plan_data(
    *,
    user,
    data: dict,
    plan: Plan | None = None,
    expected_version: int | None = None,
    reason: str = "",
    document=None,
    form_token: uuid.UUID | None = None,
) -> Plan:
    """Create (``plan`` None) or change a Level-3 plan from plain data, all or nothing; with
    ``document``, also store its (checked) PDF. ``form_token`` is the once-only token of a
    new-plan form (``core.once``): the same form posted twice creates one plan.

    The access policy, the optimistic lock (``expected_version``), a reason for a change after
    submission (kept with the previous and new values) and the timeline entry. Raises
    PermissionDenied, EditConflict, WorkflowError (with the problems per form field),
    ValidationError (the document is not a PDF) or AlreadySubmitted (this new-plan form was
    saved before)."""
    creating = plan is None
    before = submission = None
    if creating:
        agency = data.get("agency")
        if agency is None or not access.can_create_in(user, agency):
            raise PermissionDenied(_("You may not enter plans for this agency."))
        submission = once.claim(form_token, user)  # AlreadySubmitted
        plan = Plan(agency=agency, created_by=user)
    else:
        current = Plan.objects.select_related("agency").get(pk=plan.pk)
        if not access.can(user, Action.EDIT, current):
            raise PermissionDenied(_("This plan cannot be edited now."))
        agency = data.get("agency")
        if agency is not None and agency.pk != current.agency_id:
            raise _invalid({"agency": [_("The agency of a saved plan cannot change.")]})
        engine.take_version(current, expected_version)
        plan = current
        if engine.needs_change_reason(current):
            before = snapshot(current)
            if not reason.strip():
                raise WorkflowError(
                    _("Say why you change a plan that was submitted before."),
                    {"change_reason": [_("Say why you change this plan.")]},
                )
    for name in DATA_FIELDS:
        if name in data:
            setattr(plan, name, data[name])
    if problems := _check_data(plan, data):
        raise _invalid(problems)
    if document is not None:
        check_document(document)
        if plan.document:
            plan.document.delete(save=False)
        plan.document = document
        plan.document_name = document.name[:255]
        plan.document_size = document.size
    plan.save()
    if "targets" in data:
        _set_targets(plan, data["targets"])
    if "primary_link" in data or "secondary_links" in data:
        saved = list(plan.links.select_related("node")) if not creating else []
        primary = data.get("primary_link", next((k.node for k in saved if k.is_primary), None))
        secondary = data.get("secondary_links", [k.node for k in saved if not k.is_primary])
        set_links(plan, LinkChoice(primary=primary, secondary=list(secondary)))
    refresh_search_text(plan)
    if creating:
        engine.record(plan, "create", user)
        once.record(submission, plan.get_absolute_url())
    elif before is not None:
        engine.record_changes(plan, user, reason.strip(), _diff(before, snapshot(plan)))
    return plan


def _set_targets(plan: Plan, rows: list[dict]) -> None:
    """Targets listed with their ``id`` change in place (projects that serve them keep their
    link), the others are new, and saved ones not listed go."""
    keep = {row["id"] for row in rows if row.get("id") is not None}
    PlanTarget.objects.filter(plan=plan).exclude(pk__in=keep).delete()
    for row in rows:
        fields = {f: row[f] for f in TARGET_FIELDS if row.get(f) is not None}
        if row.get("id") is not None:
            target = PlanTarget.objects.get(pk=row["id"], plan=plan)
            for name, value in fields.items():
                setattr(target, name, value)
            target.save()
        else:
            target = PlanTarget.objects.create(plan=plan, **fields)
        set_values(target, row.get("values") or {})


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
