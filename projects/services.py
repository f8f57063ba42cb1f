"""Every write to a project: save (with the optimistic lock and the change record), links,
revisions and attachments. Views and the API call these; workflow transitions go through
``workflow.engine.perform``."""

from __future__ import annotations

from dataclasses import dataclass, field

from celery import current_app as celery
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from agencies import access
from agencies.access import Action
from core import thai
from core.states import Status
from strategy.models import Node
from workflow import engine
from workflow.engine import EditConflict, WorkflowError

from .attachments import check_upload
from .models import KPI, Activity, Attachment, BudgetLine, Project, StrategyLink

SNAPSHOT_FIELDS = (
    "kind", "reference", "title", "responsible_name", "responsible_position", "contact_email",
    "contact_phone", "start_date", "end_date", "rationale", "objectives", "target_group",
    "expected_outcomes", "total_budget", "budget_difference_reason", "nationwide",
)  # fmt: skip


@dataclass
class LinkChoice:
    """The strategy links chosen in a form: the primary node (+ factor) and the others."""

    primary: Node | None = None
    factor: Node | None = None
    secondary: list[Node] = field(default_factory=list)


def snapshot(project: Project) -> dict[str, str]:
    """The user-visible content of a project as text, to compare before and after a save."""
    data = {}
    for name in SNAPSHOT_FIELDS:
        model_field = Project._meta.get_field(name)
        value = getattr(project, name)
        data[str(model_field.verbose_name)] = "" if value is None else str(value)
    data[str(Project._meta.get_field("provinces").verbose_name)] = ", ".join(
        sorted(p.name_th for p in project.provinces.all())
    )
    data[_("KPIs")] = "\n".join(
        f"{k.get_kind_display()}: {k.name} {k.target_value} {k.unit}" for k in project.kpis.all()
    )
    data[_("activities")] = "\n".join(
        f"{a.order}. {a.name} {a.start_date or ''}–{a.end_date or ''} {a.budget or ''}"
        for a in project.activities.all()
    )
    data[_("budget")] = "\n".join(
        f"{b.fiscal_year} {b.get_source_display()} {b.amount}" for b in project.budget_lines.all()
    )
    data[_("strategy links")] = "\n".join(
        ("* " if link.is_primary else "") + str(link.node)
        + (f" / {link.factor}" if link.factor_id else "")
        for link in project.links.select_related("node", "factor").order_by("-is_primary", "id")
    )  # fmt: skip
    return data


def diff(before: dict[str, str], after: dict[str, str]) -> dict[str, dict[str, str]]:
    return {k: {"old": before.get(k, ""), "new": v} for k, v in after.items() if before.get(k) != v}


@transaction.atomic
def save_project(*, user, form, formsets, links: LinkChoice, expected_version: int | None = None,
                 reason: str = "") -> Project:  # fmt: skip
    """Save a project from its validated form and row formsets, all or nothing.

    Raises PermissionDenied, EditConflict (someone saved since ``expected_version``) or
    WorkflowError (a change after submission without a reason)."""
    project: Project = form.instance
    creating = project.pk is None
    before = None
    if creating:
        if not access.can_create_in(user, project.agency):
            raise PermissionDenied(_("You may not enter projects for this agency."))
        project.created_by = user
    else:
        current = Project.objects.get(pk=project.pk)
        if not access.can(user, Action.EDIT, current):
            raise PermissionDenied(_("This project cannot be edited now."))
        # The optimistic lock: only the holder of the current version may write.
        bumped = Project.objects.filter(pk=project.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            raise EditConflict
        project.version = expected_version + 1
        if engine.needs_change_reason(current):
            before = snapshot(current)
            if not reason.strip():
                raise WorkflowError(
                    _("Say why you change a project that was submitted before."),
                    {"change_reason": [_("A reason is required.")]},
                )
    form.save()
    for formset in formsets:
        formset.instance = project
        formset.save()
    set_links(project, links)
    refresh_search_text(project)
    transaction.on_commit(
        lambda: celery.send_task("linkage.tasks.rescore_project", [project.pk]), robust=True
    )
    if creating:
        engine.record(project, "create", user)
    elif before is not None:
        engine.record_changes(project, user, reason.strip(), diff(before, snapshot(project)))
    return project


def set_links(project: Project, links: LinkChoice) -> None:
    """Replace the project's strategy links with the chosen ones."""
    project.links.all().delete()
    seen = set()
    if links.primary is not None:
        StrategyLink.objects.create(project=project, node=links.primary, factor=links.factor,
                                    is_primary=True)  # fmt: skip
        seen.add(links.primary.pk)
    StrategyLink.objects.bulk_create(
        StrategyLink(project=project, node=node)
        for node in {n.pk: n for n in links.secondary if n.pk not in seen}.values()
    )


def refresh_search_text(project: Project) -> None:
    text = " ".join((project.title, project.reference, project.objectives, project.agency.name_th))
    Project.objects.filter(pk=project.pk).update(search_text=thai.normalize(text))


@transaction.atomic
def start_revision(project: Project, user, reason: str) -> Project:
    """Open a new draft revision of an approved project; the approved one stays readable."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Status.APPROVED or not project.is_current:
        raise WorkflowError(_("Only the current approved version can be revised."))
    if not access.can_create_in(user, project.agency):
        raise PermissionDenied(_("You may not revise this project."))
    if not reason.strip():
        raise WorkflowError(
            _("Say why the project changes."), {"reason": [_("A reason is required.")]}
        )
    provinces = list(project.provinces.all())
    children = [
        (KPI, list(project.kpis.all())),
        (Activity, list(project.activities.all())),
        (BudgetLine, list(project.budget_lines.all())),
        (StrategyLink, list(project.links.all())),
    ]
    old_pk = project.pk
    new = project
    new.pk = new.id = None
    new._state.adding = True
    new.status, new.version = Status.DRAFT, 1
    new.submitted_by = new.submitted_at = None
    new.revision += 1
    new.supersedes_id = old_pk
    new.created_by = user
    new.save()
    new.provinces.set(provinces)
    for model, rows in children:
        for row in rows:
            row.pk = None
            row.project = new
        model.objects.bulk_create(rows)
    Project.objects.filter(pk=old_pk).update(is_current=False)
    refresh_search_text(new)
    engine.record(new, "revise", user, Status.APPROVED, reason.strip())
    return new


def on_transition(project: Project, action: str, from_status: str, user) -> None:
    """Workflow hook: nothing to do yet beyond the engine's own log; revisions replace their
    predecessor in lists as soon as they are opened (``is_current``)."""
    transaction.on_commit(
        lambda: celery.send_task("linkage.tasks.rescore_project", [project.pk]), robust=True
    )


def add_attachment(project: Project, user, upload) -> Attachment:
    """Attach a checked file; ValidationError when the content is not acceptable."""
    if not access.can(user, Action.EDIT, project):
        raise PermissionDenied(_("This project cannot be edited now."))
    content_type = check_upload(upload)
    return Attachment.objects.create(
        project=project, file=upload, name=upload.name[:255], content_type=content_type,
        size=upload.size, uploaded_by=user,
    )  # fmt: skip


def delete_attachment(attachment: Attachment, user) -> None:
    if not access.can(user, Action.EDIT, attachment.project):
        raise PermissionDenied(_("This project cannot be edited now."))
    attachment.file.delete(save=False)
    attachment.delete()
