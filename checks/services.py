"""Running the checks and e-mailing the digests.

A run takes a PostgreSQL advisory lock (runs queue behind each other instead of racing) and,
per check, upserts what the check's query finds into ``Finding`` in one ``INSERT … SELECT …
ON CONFLICT`` and then resolves the open findings of that check in scope that the run did not
see. The run is one transaction: a worker killed mid-run leaves nothing half done, and the
late-acknowledged task simply runs again."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency, Membership
from agencies.selectors import subtree_ids as agency_subtree

from .models import Finding
from .registry import CHECKS

logger = logging.getLogger(__name__)

LOCK_KEY = 7_031_001  # pg_advisory_xact_lock key of a checks run
DIGEST_LINES = 100  # findings listed in one e-mail; the rest are on the "to fix" page


@dataclass
class RunResult:
    checked_at: datetime | None = None
    new: int = 0
    seen: int = 0
    resolved: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"new": self.new, "seen": self.seen, "resolved": self.resolved,
                "seconds": self.seconds}  # fmt: skip


def subtree_ids(agency_code: str) -> list[int]:
    """The agency with this code and every unit below it; Agency.DoesNotExist if unknown."""
    return sorted(agency_subtree(Agency.objects.get(code=agency_code).pk))


def _scope(agency_ids, project_ids) -> tuple[str, dict]:
    if project_ids is not None:
        return "p.id = ANY(%(project_ids)s)", {"project_ids": list(project_ids)}
    if agency_ids is not None:
        return "p.agency_id = ANY(%(agency_ids)s)", {"agency_ids": list(agency_ids)}
    return "TRUE", {}


_UPSERT = """
WITH found(project_id, params) AS ({query})
INSERT INTO checks_finding
    (project_id, agency_id, code, severity, params, first_seen, last_seen, resolved_at,
     digested_at)
SELECT f.project_id, p.agency_id, %(code)s, %(severity)s, f.params, %(now)s, %(now)s, NULL, NULL
FROM found f JOIN projects_project p ON p.id = f.project_id
ON CONFLICT (project_id, code) WHERE resolved_at IS NULL DO UPDATE
    SET last_seen = EXCLUDED.last_seen, params = EXCLUDED.params,
        severity = EXCLUDED.severity, agency_id = EXCLUDED.agency_id
RETURNING (xmax = 0)
"""

_RESOLVE = """
UPDATE checks_finding f SET resolved_at = %(now)s
WHERE f.code = %(code)s AND f.resolved_at IS NULL AND f.last_seen < %(now)s
  AND f.project_id IN (SELECT p.id FROM projects_project p WHERE {scope})
"""


def available() -> bool:
    """Can the checks run on this database? They are PostgreSQL SQL (advisory lock, jsonb,
    make_date); on the embedded SQLite demo they do not run, rather than failing in the worker
    after every save, and the "to fix" page says so instead of showing an empty list."""
    return connection.vendor == "postgresql"


def run_checks(
    *,
    agency_ids: list[int] | None = None,
    project_ids: list[int] | None = None,
    today: date | None = None,
) -> RunResult:
    """Check the projects in scope (all, an agency subtree, or some projects): record what
    is found, resolve what is gone. Sends no e-mail (``send_digests`` does, after a run)."""
    from linkage.models import LinkScore  # a read of the threshold; checks sit above linkage

    result = RunResult()
    if not available():
        logger.warning("batch checks skipped: they need PostgreSQL, not %s", connection.vendor)
        return result
    today = today or timezone.localdate()
    scope, scope_params = _scope(agency_ids, project_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        now = timezone.now()  # after the lock: later than any run that finished before
        result.checked_at = now
        for check in CHECKS:
            started = time.perf_counter()
            params = {
                **scope_params,
                "code": check.code,
                "severity": check.severity,
                "now": now,
                "today": today,
                "due_days": settings.PROGRESS_REPORT_DUE_DAYS,
                "weak_below": LinkScore.WEAK_BELOW,
            }
            cursor.execute(_UPSERT.replace("{query}", check.sql.replace("{scope}", scope)), params)
            inserted = [row[0] for row in cursor.fetchall()]
            result.new += sum(inserted)
            result.seen += len(inserted)
            cursor.execute(_RESOLVE.replace("{scope}", scope), params)
            result.resolved += cursor.rowcount
            result.seconds[check.code] = round(time.perf_counter() - started, 3)
    logger.info("checks run: %s", result.as_dict())
    return result


def recheck_projects(project_ids: list[int]) -> RunResult:
    """Check some projects again (after a save), so a fixed project leaves the lists now."""
    return run_checks(project_ids=project_ids)


# --- digests ---------------------------------------------------------------------------------


def _recipients_by_agency(agency_ids) -> dict[int, list[str]]:
    """Agency → the e-mail addresses of its own active staff and approvers (one query)."""
    rows = Membership.objects.filter(
        agency_id__in=agency_ids,
        role__in=(Membership.Role.STAFF, Membership.Role.AGENCY_APPROVER),
        user__is_active=True,
    ).exclude(user__email="")
    found: dict[int, set[str]] = {}
    for agency_id, address in rows.values_list("agency_id", "user__email"):
        found.setdefault(agency_id, set()).add(address)
    return {agency_id: sorted(addresses) for agency_id, addresses in found.items()}


def send_digests(agency_ids: list[int] | None = None) -> int:
    """One e-mail per agency listing its open findings not e-mailed before; returns the
    number of e-mails. A re-run finds nothing new and sends nothing."""
    pending = Finding.objects.filter(resolved_at__isnull=True, digested_at__isnull=True)
    if agency_ids is not None:
        pending = pending.filter(agency_id__in=agency_ids)
    waiting = set(pending.values_list("agency_id", flat=True).distinct().order_by())
    recipients = _recipients_by_agency(waiting)
    # Nobody to tell: the findings stay on the "to fix" page, and are not e-mailed later.
    pending.exclude(agency_id__in=list(recipients)).update(digested_at=timezone.now())
    sent = 0
    for agency_id in sorted(recipients):
        sent += _send_digest(agency_id, recipients[agency_id])
    return sent


_CLAIM = """
UPDATE checks_finding SET digested_at = %s
WHERE agency_id = %s AND resolved_at IS NULL AND digested_at IS NULL
RETURNING id
"""


def _send_digest(agency_id: int, to: list[str]) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        # Claiming the rows is the lock: a concurrent run waits on them, then finds them
        # e-mailed and sends nothing.
        cursor.execute(_CLAIM, [timezone.now(), agency_id])
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        shown = list(
            Finding.objects.filter(pk__in=ids)
            .select_related("project")
            .order_by("severity", "code", "project_id")[:DIGEST_LINES]
        )
        agency = Agency.objects.get(pk=agency_id)
        site = settings.SITE_URL.rstrip("/")
        # Written in the site language (Thai), whoever runs the task.
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("[eMENSCR] %(count)s new findings to fix: %(agency)s") % {
                "count": len(ids),
                "agency": agency.name_th[:100],
            }
            lines = [
                _("The checks found %(count)s new problems in the projects of %(agency)s:")
                % {"count": len(ids), "agency": agency.name_th},
                "",
            ]
            for finding in shown:
                lines.append(f"- [{finding.get_severity_display()}] {finding.project.title}")
                lines.append(f"  {finding.message}")
                lines.append(f"  {site}{finding.project.get_absolute_url()}")
            if len(ids) > len(shown):
                lines.append(_("… and %(n)s more.") % {"n": len(ids) - len(shown)})
            lines += ["", _("Everything to fix:"), f"{site}{reverse('checks:to_fix')}"]
        # If sending fails the transaction rolls back, so the next run e-mails them again.
        send_mail(subject=subject, message="\n".join(lines), from_email=None, recipient_list=to)
    return 1
