"""Browse pages of the hierarchy: thin views over ``selectors``."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from core import thai

from . import selectors
from .models import Edition, Node


@login_required
def edition_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "strategy/edition_list.html", {"editions": selectors.editions_with_counts()}
    )


@login_required
def edition_detail(request: HttpRequest, code: str) -> HttpResponse:
    edition = get_object_or_404(Edition, code=code)
    context = {"edition": edition, "nodes": selectors.edition_tree(edition)}
    if edition.family == Edition.Family.MASTER_PLAN:
        plans, unplaced = selectors.master_plan_completeness(edition)
        context.update(completeness=plans, unplaced=unplaced, columns=selectors.BELOW_MASTER_PLAN)
    return render(request, "strategy/edition_detail.html", context)


@login_required
def node_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        node = selectors.node_detail(pk)
    except Node.DoesNotExist as exc:
        raise Http404 from exc
    context = {
        "node": node,
        "ancestors": node.ancestors(),
        "children": node.children.order_by("number", "code", "id"),
        "indicators": node.indicators.prefetch_related("targets"),
    }
    return render(request, "strategy/node_detail.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = thai.normalize_cell(request.GET.get("q", ""))[:200]
    edition = Edition.objects.filter(code=request.GET.get("edition", "")).first()
    results = selectors.search(query, edition) if query else []
    template = "strategy/_search_results.html" if request.htmx else "strategy/search.html"
    return render(
        request,
        template,
        {"query": query, "results": results, "edition": edition, "editions": Edition.objects.all()},
    )
