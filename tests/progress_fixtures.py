"""Shared set-up for the progress-report tests: an agency with staff and approvers and an
approved FY 2568 project (1 Oct 2567 – 30 Sep 2568 BE: quarters 1-4 of FY 2568), moved through
the real workflow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from agencies.access import Action
from agencies.models import Membership
from progress import services
from progress.models import ProgressReport
from tests.factories import complete_project, member
from workflow import engine

R = Membership.Role
# A day after every deadline of FY 2568 (Q4 ends 30 Sep 2025, due 30 days later).
LATE = date(2026, 1, 15)


def people(agencies) -> SimpleNamespace:
    return SimpleNamespace(
        staff=member(R.STAFF, agencies["doae"], first_name="สมศรี", email="somsri@doae.go.th"),
        approver=member(R.AGENCY_APPROVER, agencies["doae"], email="boss@doae.go.th"),
        ministry=member(R.MINISTRY_APPROVER, agencies["moac"]),
        other_staff=member(R.STAFF, agencies["doh"]),
        other_approver=member(R.AGENCY_APPROVER, agencies["rid"]),
        analyst=member(R.ANALYST, agencies["nesdc"]),
    )


def approved_project(agency, who: SimpleNamespace):
    project = complete_project(agency=agency, created_by=who.staff)
    engine.perform(project, Action.SUBMIT, who.staff)
    engine.perform(project, Action.APPROVE, who.approver)
    engine.perform(project, Action.APPROVE, who.ministry)
    return project


def fill(report: ProgressReport, disbursed: str, cumulative: str, actual: str = "10") -> None:
    """Fill a draft the way the form does: activities, the state-budget row and the KPI."""
    for row in report.activity_rows.all():
        row.state, row.percent = "in_progress", 50
        row.save()
    row = report.budget_rows.get(source="state")
    row.disbursed, row.cumulative = Decimal(disbursed), Decimal(cumulative)
    row.save()
    for kpi_row in report.kpi_rows.all():
        kpi_row.actual_value = actual
        kpi_row.save()


def filed(project, who, fy: int, q: int, disbursed: str, cumulative: str, accept: bool = True):
    """A quarterly report started, filled, submitted (and accepted) through the services."""
    report = services.start_report(project, who.staff, "quarterly", fy, q, today=LATE)
    fill(report, disbursed, cumulative)
    engine.perform(report, Action.SUBMIT, who.staff)
    if accept:
        engine.perform(report, Action.APPROVE, who.approver)
    return report
