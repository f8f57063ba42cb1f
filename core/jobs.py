"""Queueing background jobs without letting a broker outage break the request.

A page that queues a job (an e-mail, a rescore, a report) must still answer when Redis is down:
``enqueue`` says whether the job was queued, so the caller can tell the user, and work that must
not be lost is also kept in the database for a periodic sweep to pick up later."""

from __future__ import annotations

import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Fail fast: a request should not hang for long on a broker that does not answer.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def enqueue(task, *args, **kwargs) -> bool:
    """Queue ``task`` with these arguments; False (and a log line) when the broker is down."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except (OperationalError, ConnectionError, OSError):
        logger.warning("could not queue %s: the Celery broker does not answer", task.name,
                       exc_info=True)  # fmt: skip
        return False
    return True


def enqueue_by_name(name: str, *args) -> bool:
    """Queue the task called ``name`` (of an app this one may not import); False when the
    broker is down."""
    from celery import current_app

    try:
        current_app.send_task(name, args=args, retry=True, retry_policy=RETRY_POLICY)
    except (OperationalError, ConnectionError, OSError):
        logger.warning("could not queue %s: the Celery broker does not answer", name,
                       exc_info=True)  # fmt: skip
        return False
    return True
