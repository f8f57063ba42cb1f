"""One error body for every failure: ``{"detail", "code", "errors": {field: [messages]}}``.

Field names are the API's (nested ones as ``kpis.0.unit``), also for the problems the project
rules report with the browser form's field names. Messages follow the request's
Accept-Language (Thai or English), set by ``core.middleware``."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from projects.services import BatchError
from workflow.engine import EditConflict, WorkflowError

# Form field names of the apps' rules (projects, plans, progress) → the API's.
_RULE_FIELDS = {
    "y1": "primary_link.node", "factor": "primary_link.factor",
    "primary_target": "links", "secondary_targets": "links",
}  # fmt: skip
_ROW_KEY = re.compile(r"^(kpis|activities|budget_lines|budget|targets)-(\d+)-(\w+)$")


def api_field(name: str) -> str:
    match = _ROW_KEY.match(name)
    if match:
        return ".".join(match.groups())
    return _RULE_FIELDS.get(name, name)


def flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"kpis.0.unit": ["..."]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and any(isinstance(v, dict | list) for v in detail):
        for i, value in enumerate(detail):
            if value:
                out.update(flatten(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in items)
    return out


def problems(found: dict[str, list[str]], prefix: str = "") -> dict[str, list[str]]:
    return {prefix + api_field(k): [str(m) for m in v] for k, v in found.items()}


def _body(detail: str, code: str, errors: dict | None = None) -> dict:
    body = {"detail": str(detail), "code": code}
    if errors:
        body["errors"] = errors
    return body


def handle(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]."""
    if isinstance(exc, EditConflict):
        return Response(_body(exc.message, "conflict"), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, BatchError):
        errors = {}
        for index, found in exc.items.items():
            errors.update(problems(found, f"projects.{index}."))
        return Response(_body(exc.message, "invalid", errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, WorkflowError):
        return Response(_body(exc.message, "invalid", problems(exc.problems)),
                        status=status.HTTP_400_BAD_REQUEST)  # fmt: skip
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _body(_("Some fields are not valid."), "invalid", flatten(exc.detail))
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = _body(detail or exc, code)
    return response
