"""Every write to a project: save (with the optimistic lock and the change record), links,
revisions and attachments. Views and the API call these; workflow transitions go through
``workflow.engine.perform``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from agencies import access
from agencies.access import Action
from core import once, thai
from core.jobs import enqueue_by_name
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

    Raises PermissionDenied, EditConflict (someone saved since ``expected_version``),
    AlreadySubmitted (this new-project form was saved before) or WorkflowError (a change after
    submission without a reason)."""
    project: Project = form.instance
    creating = project.pk is None
    before = submission = None
    if creating:
        if not access.can_create_in(user, project.agency):
            raise PermissionDenied(_("You may not enter projects for this agency."))
        submission = once.claim(form.cleaned_data.get("form_token"), user)  # AlreadySubmitted
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
    rescore_later(project)
    if creating:
        engine.record(project, "create", user)
        once.record(submission, project.get_absolute_url())
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


def rescore_later(project: Project) -> None:
    """After commit, ask the linkage analysis (an app projects do not import) to score the
    project again. If the broker is down, its periodic sweep of changed projects catches up."""
    transaction.on_commit(lambda: enqueue_by_name("linkage.tasks.rescore_project", project.pk))


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
    rescore_later(project)


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


# --- data-level writes (the REST API; any caller without Django forms) -----------------------
#
# ``data`` holds model values, already shape-checked by the caller: the scalar fields of
# ``DATA_FIELDS``, ``agency`` (an Agency), ``provinces`` (Provinces), ``kpis`` / ``activities`` /
# ``budget_lines`` (lists of dicts of their model fields), ``primary_link`` (None or
# {"node": Node, "factor": Node | None}) and ``secondary_links`` (Nodes). A key that is absent
# keeps the saved value; a list that is present replaces the saved rows.

DATA_FIELDS = ("fiscal_year", *SNAPSHOT_FIELDS)
ROWS = {"kpis": KPI, "activities": Activity, "budget_lines": BudgetLine}
ROW_FIELDS = {
    "kpis": ("kind", "name", "unit", "target_value", "baseline"),
    "activities": ("order", "name", "start_date", "end_date", "budget"),
    "budget_lines": ("source", "fiscal_year", "amount"),
}


class BatchError(WorkflowError):
    """Some items of a batch are wrong; ``items`` maps each item's index to its problems."""

    def __init__(self, items: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(_("Nothing was saved: some projects in the batch have problems."))
        self.items = items


def _row_values(name: str, row: dict) -> tuple:
    model = ROWS[name]
    return tuple(row.get(f, model._meta.get_field(f).get_default()) for f in ROW_FIELDS[name])


def _canonical_rows(name: str, rows) -> list[tuple]:
    values = [_row_values(name, r) for r in rows]
    if name == "activities":  # stored and listed by their order
        return sorted(values, key=lambda v: v[0])
    if name == "budget_lines":
        return sorted(values, key=lambda v: (v[1], v[0], v[2]))
    return values


def _canonical(key: str, value):
    """A comparable form of one ``data`` value (ids and codes instead of objects)."""
    if key == "agency":
        return value.pk
    if key == "provinces":
        return sorted(p.code for p in value)
    if key in ROWS:
        return _canonical_rows(key, value)
    if key == "primary_link":
        if not value:
            return None
        factor = value.get("factor")
        return (value["node"].pk, factor.pk if factor else None)
    if key == "secondary_links":
        return sorted({n.pk for n in value})
    return value


def project_data(project: Project) -> dict:
    """The saved project in the shape of ``data`` (to compare an incoming item with)."""
    links = list(project.links.all())
    primary = next((link for link in links if link.is_primary), None)
    data = {name: getattr(project, name) for name in DATA_FIELDS}
    data["agency"] = project.agency
    data["provinces"] = list(project.provinces.all())
    for name in ROWS:
        data[name] = [
            {f: getattr(row, f) for f in ROW_FIELDS[name]} for row in getattr(project, name).all()
        ]
    data["primary_link"] = (
        {"node": primary.node, "factor": primary.factor} if primary is not None else None
    )
    data["secondary_links"] = [link.node for link in links if not link.is_primary]
    return data


def changed_keys(project: Project, data: dict) -> list[str]:
    """The keys of ``data`` whose value differs from the saved project."""
    saved = project_data(project)
    return [k for k, v in data.items() if _canonical(k, v) != _canonical(k, saved[k])]


def _check_reference(project: Project, agency, reference: str) -> None:
    if not reference:
        return
    taken = Project.objects.filter(agency=agency, reference=reference).exclude(
        lineage=project.lineage
    )
    if taken.exists():
        raise WorkflowError(
            _("Your agency already has a project with this reference."),
            {"reference": [_("Your agency already has a project with this reference.")]},
        )


@transaction.atomic
def save_project_data(
    *,
    user,
    data: dict,
    project: Project | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> Project:
    """Create (``project`` None) or change a project from plain data, all or nothing.

    The same rules as ``save_project``: the access policy, the optimistic lock, a reason for a
    change after submission (kept with the previous and new values) and the timeline entry.
    Raises PermissionDenied, EditConflict or WorkflowError."""
    creating = project is None
    before = None
    if creating:
        agency = data.get("agency")
        if agency is None or not access.can_create_in(user, agency):
            raise PermissionDenied(_("You may not enter projects for this agency."))
        project = Project(agency=agency, created_by=user)
    else:
        current = Project.objects.get(pk=project.pk)
        if not access.can(user, Action.EDIT, current):
            raise PermissionDenied(_("This project cannot be edited now."))
        if "agency" in data and data["agency"].pk != current.agency_id:
            raise WorkflowError(
                _("The agency of a saved project cannot change."),
                {"agency": [_("The agency of a saved project cannot change.")]},
            )
        engine.take_version(current, expected_version)
        project = current
        if engine.needs_change_reason(current):
            before = snapshot(current)
            if not reason.strip():
                raise WorkflowError(
                    _("Say why you change a project that was submitted before."),
                    {"change_reason": [_("A reason is required.")]},
                )
    for name in DATA_FIELDS:
        if name in data:
            setattr(project, name, data[name])
    _check_reference(project, project.agency, project.reference)
    project.save()
    if "provinces" in data:
        project.provinces.set(data["provinces"])
    for name, model in ROWS.items():
        if name in data:
            model.objects.filter(project=project).delete()
            model.objects.bulk_create(
                model(project=project, **dict(zip(ROW_FIELDS[name], _row_values(name, row),
                                                  strict=True)))
                for row in data[name]
            )  # fmt: skip
    if "primary_link" in data or "secondary_links" in data:
        saved = project_data(project) if not creating else {}
        primary = data.get("primary_link", saved.get("primary_link"))
        secondary = data.get("secondary_links", saved.get("secondary_links", []))
        set_links(project, LinkChoice(
            primary=primary["node"] if primary else None,
            factor=primary.get("factor") if primary else None,
            secondary=list(secondary),
        ))  # fmt: skip
    refresh_search_text(project)
    rescore_later(project)
    if creating:
        engine.record(project, "create", user)
    elif before is not None:
        engine.record_changes(project, user, reason.strip(), diff(before, snapshot(project)))
    return project


@dataclass
class UpsertResult:
    index: int
    project: Project
    result: str  # "created", "updated" or "unchanged"


def upsert_projects(*, user, items: list[dict]) -> list[UpsertResult]:
    """Create or update projects matched by (agency, the agency's own reference), all or
    nothing. An item equal to the saved project changes nothing, so sending the same batch
    twice leaves every project (and its version) as it was.

    Each item is ``data`` with a non-empty ``reference`` and ``agency``, plus optional
    ``version`` (checked when given) and ``change_reason``. Raises BatchError."""
    errors: dict[int, dict[str, list[str]]] = {}
    results: list[UpsertResult] = []
    seen: dict[tuple[int, str], int] = {}
    with transaction.atomic():
        for index, item in enumerate(items):
            item = dict(item)
            version = item.pop("version", None)
            reason = item.pop("change_reason", "") or ""
            key = (item["agency"].pk, item["reference"])
            if key in seen:
                errors[index] = {"reference": [
                    _("The same reference appears twice in the batch (item %(n)s).")
                    % {"n": seen[key]}]}  # fmt: skip
                continue
            seen[key] = index
            try:
                results.append(_upsert_one(user, index, item, version, reason))
            except EditConflict as exc:
                errors[index] = {"version": [exc.message]}
            except WorkflowError as exc:
                errors[index] = exc.problems or {"non_field_errors": [exc.message]}
            except PermissionDenied as exc:
                errors[index] = {"non_field_errors": [str(exc)]}
        if errors:
            raise BatchError(errors)
    return results


def _upsert_one(user, index: int, item: dict, version, reason: str) -> UpsertResult:
    agency = item["agency"]
    if not access.can_create_in(user, agency):
        raise PermissionDenied(_("You may not enter projects for this agency."))
    existing = (
        Project.objects.filter(agency=agency, reference=item["reference"], is_current=True)
        .select_related("agency")
        .first()
    )
    if existing is None:
        return UpsertResult(index, save_project_data(user=user, data=item), "created")
    if not changed_keys(existing, item):
        return UpsertResult(index, existing, "unchanged")
    if not access.can(user, Action.EDIT, existing):
        raise WorkflowError(
            _("This project is %(status)s and cannot be changed; open a revision first.")
            % {"status": existing.get_status_display()}
        )
    saved = save_project_data(
        user=user, data=item, project=existing,
        expected_version=existing.version if version is None else version, reason=reason,
    )  # fmt: skip
    return UpsertResult(index, saved, "updated")
