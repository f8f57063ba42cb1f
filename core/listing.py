"""The list pages' common shape: a filter form, CSV / XLSX export of exactly what is filtered,
and pagination that keeps the filters in its links."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .exports import XLSX_TYPE, csv_bytes, xlsx_bytes

PAGE_SIZE = 25


def filtered_list(
    request: HttpRequest,
    filterset,
    template: str,
    *,
    headers: Callable[[], list[str]],
    rows: Callable[[Iterable], Iterable[list]],
    filename: str,
    context: dict,
) -> HttpResponse:
    """Render ``template`` with a page of ``filterset.qs``, or its export with ?export=csv|xlsx.

    An invalid value drops only its own filter (its error shows next to it), never the
    others: ``filterset.qs`` applies every valid one."""
    objects = filterset.qs
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        if export == "csv":
            response = HttpResponse(csv_bytes(headers(), rows(objects)), content_type="text/csv")
        else:
            response = HttpResponse(xlsx_bytes(headers(), rows(objects), filename),
                                    content_type=XLSX_TYPE)  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="{filename}.{export}"'
        return response
    page = Paginator(objects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {
        "page": page, "filter": filterset, "query": query.urlencode(), **context,
    })  # fmt: skip
