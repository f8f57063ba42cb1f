"""Reminder e-mails about progress reports, sent by the real Celery worker: before the
deadline and after it, once per report period and stage, never again on a re-run."""

from __future__ import annotations

import email
from datetime import date
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from progress.models import Reminder
from progress.reminders import send_due_reminders
from progress.tasks import send_progress_reminders
from tests.progress_fixtures import approved_project, filed, people

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def reminder_mails(mail_dir: Path, title: str) -> list[email.message.Message]:
    """The reminder e-mails about the project ``title`` that the worker wrote to its folder
    (in no particular order)."""
    found = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip())
            subject = str(make_header(decode_header(message["Subject"] or "")))
            if "รายงานความก้าวหน้า" in subject and title[:60] in subject:
                message.decoded_subject = subject
                message.text = message.get_payload(decode=True).decode()
                found.append(message)
    return found


def test_the_worker_reminds_before_and_after_the_deadline_once_each(
    shipped_strategy, celery_worker, agencies
):
    who = people(agencies)
    project = approved_project(agencies["doae"], who)
    filed(project, who, 2568, 1, "100000", "100000")  # Q1 is accepted
    # Q2 ends 31 Mar 2568 and is due 30 Apr 2568; reminders start 7 days before.
    assert send_progress_reminders.delay("2025-04-20").get(timeout=60) == 0  # too early

    assert send_progress_reminders.delay("2025-04-25").get(timeout=60) == 1
    mails = reminder_mails(celery_worker.mail_dir, project.title)
    assert len(mails) == 1
    assert "somsri@doae.go.th" in mails[0]["To"]
    assert "ไตรมาส 2 ปีงบประมาณ 2568" in mails[0].text and "30 เม.ย. 2568" in mails[0].text
    assert f"/projects/{project.pk}/#progress" in mails[0].text
    # A re-run the same day, or the next day, sends nothing new.
    assert send_progress_reminders.delay("2025-04-25").get(timeout=60) == 0
    assert send_progress_reminders.delay("2025-04-26").get(timeout=60) == 0

    # After the deadline: one "overdue" reminder, once.
    assert send_progress_reminders.delay("2025-05-02").get(timeout=60) == 1
    assert send_progress_reminders.delay("2025-05-03").get(timeout=60) == 0
    mails = reminder_mails(celery_worker.mail_dir, project.title)
    # (the mail files' names do not give their order: look at both)
    assert len(mails) == 2 and sum("เลยกำหนด" in m.text for m in mails) == 1
    assert sorted(Reminder.objects.values_list("quarter", "stage")) == [
        (2, "before"),
        (2, "overdue"),
    ]

    # Once Q2 is filed, nobody is reminded about it any more.
    report = filed(project, who, 2568, 2, "100000", "200000", accept=False)
    assert report.status == "submitted"
    assert send_progress_reminders.delay("2025-05-20").get(timeout=60) == 0


@pytest.mark.django_db
def test_a_period_reminded_by_another_run_is_skipped_and_one_mail_covers_the_rest(
    agencies, mailoutbox
):
    """The unique (period, stage) row decides: a run that finds it written already (by an
    earlier or a simultaneous run) sends nothing for that period; the periods still due go
    out together in one e-mail per project, not one each."""
    who = people(agencies)
    project = approved_project(agencies["doae"], who)
    Reminder.objects.create(lineage=project.lineage, project=project, kind="quarterly",
                            fiscal_year=2568, quarter=1, stage="overdue",
                            due_date=date(2025, 1, 30))  # fmt: skip
    # 1 Feb 2568: Q1 is overdue but was reminded already; nothing else is due yet.
    assert send_due_reminders(date(2025, 2, 1)) == 0
    assert mailoutbox == []
    # 15 Nov 2568: Q2, Q3, Q4 and the closing report are overdue: one e-mail lists them.
    assert send_due_reminders(date(2025, 11, 15)) == 1
    assert len(mailoutbox) == 1
    text = mailoutbox[0].body
    assert text.count("เลยกำหนด") == 4 and "ไตรมาส 1" not in text
    assert "รายงานปิดโครงการ" in text
    assert Reminder.objects.count() == 5
    assert send_due_reminders(date(2025, 11, 16)) == 0


@pytest.mark.django_db
def test_celery_beat_runs_the_reminder_task_every_day(settings):
    from emenscr.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["progress-reminders"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {7} and entry["schedule"].day_of_week == set(range(7))
