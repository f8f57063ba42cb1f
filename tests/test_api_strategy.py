"""Reading the strategy hierarchy through the API (as a tree and flat with Thai search), the
OpenAPI schema and the interactive documentation served from this server (no CDN)."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from agencies.models import Membership
from strategy.models import Kind, Node
from tests.factories import member

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def api(agencies, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(member(Membership.Role.STAFF, agencies["doae"]))
    return client


def test_an_edition_reads_as_a_tree_with_every_node_once(api):
    body = api.get(f"{API}/editions/mp-2566/tree/").json()
    assert body["edition"]["code"] == "mp-2566"

    def walk(nodes):
        for node in nodes:
            yield node
            yield from walk(node["children"])

    nodes = list(walk(body["nodes"]))
    assert len(nodes) == Node.objects.filter(edition__code="mp-2566").count()
    assert {n["kind"] for n in body["nodes"]} <= {Kind.MASTER_PLAN, Kind.SUB_PLAN,
                                                  Kind.SUB_PLAN_TARGET, Kind.COMPONENT}  # fmt: skip
    y1 = Node.objects.get(edition__code="mp-2566", code="030401")
    below_plan = api.get(f"{API}/editions/mp-2566/tree/?root={y1.parent_id}").json()["nodes"]
    assert y1.pk in {n["id"] for n in walk(below_plan)}
    assert api.get(f"{API}/editions/mp-2566/tree/?root=999999999").status_code == 404


def test_nodes_are_found_by_thai_words_inside_titles(api):
    # "แปรรูป" sits inside "สินค้าเกษตรแปรรูป" with no space around it.
    found = api.get(f"{API}/nodes/?edition=mp-2566&kind=y1&q=แปรรูป").json()["results"]
    assert "030401" in {n["code"] for n in found}
    assert all(n["edition"] == "mp-2566" and n["kind"] == "y1" for n in found)
    bad = api.get(f"{API}/nodes/?kind=nonsense").json()
    assert bad["code"] == "invalid" and "kind" in bad["errors"]


def test_the_schema_is_openapi_3_and_the_docs_load_nothing_from_outside(api, client, agencies):
    schema = api.get("/api/schema/?format=json", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/projects/{id}/submit/" in schema.json()["paths"]
    client.force_login(member(Membership.Role.ANALYST, agencies["nesdc"]))
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in a for a in assets)
    assert all(a.startswith("/") for a in assets), assets
    assert "cdn" not in html.lower()
