"""Thai first: the interface is Thai unless the user picked English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and most government
computers and headless browsers say English there; staff expect the Thai system they know.
Programs are different: under ``settings.LANGUAGE_FROM_HEADER_PATHS`` (the REST API) the
request's Accept-Language decides (Thai or English), then the cookie, then Thai.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header


class ThaiFirstLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}
        self.header_paths = tuple(getattr(settings, "LANGUAGE_FROM_HEADER_PATHS", ()))

    def _from_header(self, request: HttpRequest) -> str | None:
        for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            base = code.split("-")[0].lower()
            if base in self.languages:
                return base
        return None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        by_header = self.header_paths and request.path.startswith(self.header_paths)
        chosen = self._from_header(request) if by_header else None
        if chosen is None:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language", "Cookie") if by_header else ("Cookie",))
        return response
