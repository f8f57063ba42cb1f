"""Reminder e-mails about progress reports: before the deadline and after it, once per report
period and stage. The ``Reminder`` row is written in the same transaction as the e-mail is
sent, and its unique constraint makes a re-run, or two runs at once, send nothing twice. All
reminders one project is due in a run go out in one e-mail, so nobody is flooded."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.models import Agency, Membership
from core.thai import format_date
from projects.models import Project

from . import selectors
from .models import Reminder

Stage = Reminder.Stage


def stage_of(period: selectors.Period, today: date) -> str | None:
    """Which reminder a period calls for today, if any."""
    if period.state in ("accepted", "submitted", "not_needed", "future"):
        return None
    if today > period.due:
        return Stage.OVERDUE
    if today >= period.due - timedelta(days=settings.PROGRESS_REMINDER_DAYS_BEFORE):
        return Stage.BEFORE
    return None


def recipients(project: Project) -> list[str]:
    """Staff who may file the project's reports (its agency and the agencies above it) and
    the person who entered the project."""
    above = Agency.objects.ancestors(project.agency, include_self=True)
    staff = Membership.objects.filter(role=Membership.Role.STAFF, agency__in=above)
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(pk__in=staff.values("user_id")) | users.filter(pk=project.created_by_id)
    return sorted({u.email for u in users})


def _lines(project: Project, due: list[tuple[selectors.Period, str]]) -> list[str]:
    lines = []
    for period, stage in due:
        what = (
            _("closing report")
            if period.is_closing
            else _("report for quarter %(q)s of fiscal year %(fy)s")
            % {"q": period.quarter, "fy": period.fiscal_year}
        )
        if stage == Stage.OVERDUE:
            lines.append(
                _("- The %(what)s was due on %(due)s and is overdue.")
                % {"what": what, "due": format_date(period.due)}
            )
        else:
            lines.append(
                _("- The %(what)s is due on %(due)s.")
                % {"what": what, "due": format_date(period.due)}
            )
    return lines


def send_due_reminders(today: date) -> int:
    """E-mail every reminder due today that has not been sent; returns the e-mails sent."""
    projects = list(selectors.latest_approved(Project.objects.all()).select_related("agency"))
    found = selectors.reports_of({p.lineage for p in projects})
    sent = 0
    for project in projects:
        due = []
        for period in selectors.schedule(project, found.get(project.lineage, []), today):
            stage = stage_of(period, today)
            if stage:
                due.append((period, stage))
        if due and _send(project, due):
            sent += 1
    return sent


def _send(project: Project, due: list[tuple[selectors.Period, str]]) -> bool:
    to = recipients(project)
    if not to:
        return False
    with transaction.atomic():
        fresh = []
        for period, stage in due:
            try:
                with transaction.atomic():  # a savepoint: one duplicate does not undo the rest
                    Reminder.objects.create(
                        lineage=project.lineage,
                        project=project,
                        kind=period.kind,
                        fiscal_year=period.fiscal_year,
                        quarter=period.quarter,
                        stage=stage,
                        due_date=period.due,
                        recipients=", ".join(to)[:5000],
                    )
            except IntegrityError:
                continue  # sent already, by an earlier or a concurrent run
            fresh.append((period, stage))
        if not fresh:
            return False
        # Written in the site language (Thai), whoever runs the task.
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("[eMENSCR] Progress report due: %(title)s") % {"title": project.title[:120]}
            body = "\n".join(
                [
                    _("Progress reports of the project “%(title)s” (%(agency)s):")
                    % {"title": project.title, "agency": project.agency.name_th},
                    *_lines(project, fresh),
                    "",
                    f"{settings.SITE_URL.rstrip('/')}{project.get_absolute_url()}#progress",
                ]
            )
        # If sending fails the transaction rolls back, so the next run tries again.
        send_mail(subject=subject, message=body, from_email=None, recipient_list=to)
    return True
