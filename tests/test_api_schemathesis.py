"""The OpenAPI contract holds: schemathesis sends generated requests over real HTTP to a live
test server holding the demo data, as staff, an agency approver and an analyst, and every
response is no 5xx, has a documented status and content type, and matches the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from demo.data import load_agencies, load_users
from demo.linkage import load_linkage
from demo.plans import load_plans
from demo.progress import load_progress
from demo.projects import load_projects
from plans.models import Plan
from progress.models import ProgressReport
from projects.models import Project

pytestmark = [pytest.mark.django_db(transaction=True)]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip
EXAMPLES = 8  # per operation and role: about 400 requests in all


@pytest.fixture
def demo_server(shipped_strategy, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_agencies()
    load_users()
    load_projects()
    load_plans()
    load_progress()
    load_linkage()
    return live_server


def test_every_operation_keeps_the_contract_for_every_role(demo_server):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    tokens = {
        name: ApiToken.issue(users.get(username=name), "schemathesis")[1]
        for name in ("staff", "agency_approver", "analyst")
    }
    schema = schemathesis.openapi.from_url(
        f"{demo_server.url}/api/schema/", headers={"Authorization": f"Bearer {tokens['staff']}"}
    )
    # Real ids as well as generated ones, so requests reach real objects (and other
    # agencies' drafts), not only 404s.
    seeds = {
        "/projects/": list(Project.objects.values_list("pk", flat=True)[:40]),
        "/plans/": list(Plan.objects.values_list("pk", flat=True)[:40]),
        "/progress-reports/": list(ProgressReport.objects.values_list("pk", flat=True)[:40]),
    }
    node_ids = [1, 2, 50]
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 15
    for role, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"}
        for operation in operations:
            strategies = [operation.as_strategy(headers=headers)]
            if "{id}" in operation.path:
                ids = next((v for k, v in seeds.items() if k in operation.path), node_ids)
                strategies += [operation.as_strategy(headers=headers, path_parameters={"id": i})
                               for i in ids[:12]]  # fmt: skip
            if "{code}" in operation.path:
                strategies.append(operation.as_strategy(
                    headers=headers, path_parameters={"code": "mp-2566"}))  # fmt: skip

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=st.one_of(strategies))
            def run(case):
                case.call_and_validate(base_url=demo_server.url, checks=CHECKS)

            try:
                run()
            except Exception as exc:
                raise AssertionError(f"{role} {operation.method} {operation.path}") from exc
