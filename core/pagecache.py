"""Rendered pages kept per signed-in session until any data changes.

The busiest pages (the project lists, the approver's queue, a project page, the API's project
list) cost 40-60 ms of CPU to build on 100,000 projects; a page a user loads again, unchanged,
costs under 5 ms from here. Correctness rests on one rule: **every write to the database moves
a generation counter**, and a page is kept under the generation read before it was built, so a
page built before a change is never served after it.

- The counter lives in the shared cache (Redis). A wrapper on every database connection
  (``install``) sees each INSERT, UPDATE, DELETE, TRUNCATE, COPY or DDL statement and moves the
  counter once the write is visible to other connections: at once in autocommit, at the commit
  of a transaction (once per transaction); a page another request built before that was built
  under the old counter. The writing connection itself sees its uncommitted writes, so its
  next page moves the counter first. Writes of tables no kept page shows (sessions, login
  attempts) do not count. Code that writes around the wrapper (``cursor.copy_expert``) calls
  ``data_changed`` itself.
- A page is kept under the session, the CSRF cookie, the user, the language, the day (overdue
  marks and default fiscal years follow the date), the full path and the headers that choose
  the representation. It is served only to the same user of the same session; pages with
  pending messages, exports and anything but a 200 are never kept.
- Every entry expires after ``PAGE_CACHE_SECONDS`` anyway: this bounds what a lost counter move
  (the cache down at the moment of a write) could leave behind.
- If the cache is unreachable, pages are built every time, as without this module.
- Memory: one compressed entry per page a session loaded in the last ``PAGE_CACHE_SECONDS``
  (on 100,000 projects: a project page 21 kB, kept 6 kB; a department's list 47 kB, 8 kB; an
  analyst's searched list, with its 2,020 agency options, 359 kB, 23 kB). ``CACHE_URL`` can
  give it a Redis of its own.
- The cost: any save anywhere retires every user's pages, so the pages of a busy hour are
  built about as often as without it; what it saves is the repeated load of an unchanged page
  (the back button, a refresh, a list left open, everyone's deadline-day reload).

Without a shared cache (the embedded quick start) ``PAGE_CACHE_SECONDS`` is 0 and nothing is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
import zlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection as default_connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

log = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
# Tables written while pages are only read, which no kept page shows.
QUIET_TABLES = frozenset({"django_session", "axes_accessattempt", "axes_accesslog",
                          "axes_accessfailurelog"})  # fmt: skip
_WRITE = re.compile(
    r"""^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE|COPY|CREATE|ALTER|DROP)
        \s+(?:ONLY\s+|TABLE\s+)?"?(\w+)"?""",
    re.IGNORECASE | re.VERBOSE,
)
# A WITH statement writes only if it holds a data-changing statement (tree queries only read).
_WITH_WRITE = re.compile(
    r"""^\s*WITH\b.*?\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+"?\w+"?\s+SET)\b""",
    re.IGNORECASE | re.DOTALL,
)
# Headers that pick what a page looks like besides the URL (htmx fragments, the API's formats).
_VARY = ("HTTP_ACCEPT", "HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_AUTHORIZATION")
BUILD_WAIT_SECONDS = 5  # how long a request waits for the same page another one is building
_owed = False  # a move this process could not make; made before its next read of the counter


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def generation() -> int | None:
    """The current generation, or None when the cache cannot be reached."""
    global _owed
    conn = default_connection
    try:
        if _owed:
            _move()
            _owed = False
        if getattr(conn, "pagecache_dirty", False):
            # This connection wrote in the transaction it still holds (a test's, or a view
            # that writes and then renders): its own pages must see that.
            conn.pagecache_dirty = False
            if conn.in_atomic_block:
                _move()
        found = cache.get(GENERATION_KEY)
        if found is None:
            cache.add(GENERATION_KEY, _fresh(), timeout=None)
            found = cache.get(GENERATION_KEY)
        return found
    except Exception as exc:  # the cache is down: build the page (one line a request, no trace)
        log.warning("page cache unreachable: %s", exc)
        return None


def _fresh() -> int:
    # A lost counter (evicted, the cache emptied) restarts above any value it had before (it
    # moves far less than once a microsecond), so pages kept under an old value stay retired.
    return time.time_ns() // 1000


def _move() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet
        cache.set(GENERATION_KEY, _fresh(), timeout=None)


def _retire() -> None:
    global _owed
    try:
        _move()
    except Exception as exc:
        _owed = True
        log.warning("page cache: could not retire pages after a write: %s", exc)


def data_changed(connection=None) -> None:
    """``connection`` wrote: retire every kept page once the write is visible to others,
    i.e. now in autocommit, else when the transaction commits (once per transaction). A page
    built before the commit was built under the old counter, so it is never served after."""
    if not enabled():
        return
    conn = connection or default_connection
    if not conn.in_atomic_block:
        _retire()
        return
    conn.pagecache_dirty = True
    if not any(f is _retire for _s, f, _r in conn.run_on_commit):
        conn.on_commit(_retire)


def writes(sql: str) -> bool:
    """Whether a statement may change what a kept page shows."""
    found = _WRITE.match(sql)
    if found:
        return found.group(1).lower() not in QUIET_TABLES
    return bool(_WITH_WRITE.match(sql))


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and writes(sql):
        data_changed(context["connection"])
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: watch the new connection's statements for writes."""
    if _watch_writes not in connection.execute_wrappers:  # cheap when off: one test a write
        connection.execute_wrappers.append(_watch_writes)


def _key(request: HttpRequest) -> str:
    parts = [
        request.session.session_key or "",
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        str(request.user.pk),
        getattr(request, "LANGUAGE_CODE", ""),
        timezone.localdate().isoformat(),
        request.get_full_path(),
        *(request.META.get(h, "") for h in _VARY),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _keepable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.user.is_authenticated
        and request.session.session_key is not None
        and "export" not in request.GET
        and not len(get_messages(request))  # len() does not mark them shown
    )


def _served(kept: dict) -> HttpResponse:
    content = zlib.decompress(kept["content"])
    response = HttpResponse(content, status=200, headers=kept["headers"])
    response["X-Page-Cache"] = "hit"
    return response


def _claim(building: str) -> bool | None:
    """Take the page's build: True if this request builds it, False if another just took it,
    None when the cache cannot be reached."""
    try:
        return cache.add(building, 1, timeout=BUILD_WAIT_SECONDS)
    except Exception:
        return None


def _build(request: HttpRequest, view, args, kwargs, key: str, release: str = "") -> HttpResponse:
    """Build the page and keep it under the counter read now, before any of its data; then
    give back the build taken with ``_claim`` (``release``), if any."""
    try:
        gen = generation()
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if gen is not None and _may_keep(request, response):
            # Compressed (zlib's fastest level): the pages are 20-360 kB of HTML or JSON,
            # kept 6-23 kB, and every signed-in user keeps a few.
            entry = {"gen": gen, "user": request.user.pk, "headers": dict(response.items()),
                     "content": zlib.compress(response.content, 1)}  # fmt: skip
            try:
                cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception as exc:
                log.warning("page cache: could not keep a page: %s", exc)
        return response
    finally:
        if release:
            with contextlib.suppress(Exception):  # it expires anyway
                cache.delete(release)


def _may_keep(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not len(get_messages(request))
        # A page's forms carry a token of the CSRF cookie: without one, the token is of a
        # cookie just made for this response, which a kept copy could not give again.
        and (
            settings.CSRF_COOKIE_NAME in request.COOKIES
            or "html" not in response.get("Content-Type", "")
        )
    )


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page from the cache while no data has changed since it was built.
    Put it under the login decorator; works on DRF views too (the response is rendered here).

    A kept page is served when it was built under the counter this request read, or a later
    one (it then holds every change this request could know of). One request at a time builds
    a page: the others asking for it meanwhile (a double click, everyone's list right after a
    change) wait for that build instead of running their own, so a burst of writes cannot make
    every worker build the same page at once."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not enabled() or not _keepable(request):
            return view(request, *args, **kwargs)
        gen = generation()
        if gen is None:
            return view(request, *args, **kwargs)
        key = _key(request)
        building = f"{key}:building"
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while True:
            try:
                found = cache.get_many([key, building])
            except Exception:
                return view(request, *args, **kwargs)
            kept = found.get(key)
            if kept is not None and kept["gen"] >= gen and kept["user"] == request.user.pk:
                return _served(kept)
            if time.monotonic() > deadline:  # the other build is stuck: do not wait more
                return _build(request, view, args, kwargs, key)
            if building not in found:
                mine = _claim(building)
                if mine is None:  # the cache just went down
                    return view(request, *args, **kwargs)
                if mine:
                    return _build(request, view, args, kwargs, key, release=building)
                continue  # another request just started the build: wait for it
            time.sleep(0.02)

    return wrapper
