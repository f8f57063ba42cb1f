import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emenscr.settings")
application = get_wsgi_application()

# Pay the start-up costs as the web process starts, not in the first requests it serves (a
# second or more each, and all workers at once after a deploy): importing every view (the
# URLconf loads lazily) and the Thai word dictionary of the searches.
from django.urls import get_resolver  # noqa: E402

from core.thai import words  # noqa: E402 (needs the apps loaded above)

get_resolver().url_patterns  # noqa: B018 (evaluated to import the views)
words("ยุทธศาสตร์ชาติ")
