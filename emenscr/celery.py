"""The Celery application. Apps declare tasks with ``@shared_task``; this module only wires them."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emenscr.settings")

app = Celery("emenscr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
