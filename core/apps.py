from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Common")

    def ready(self) -> None:
        from . import pagecache

        # Every connection's writes retire the kept pages.
        connection_created.connect(pagecache.install, dispatch_uid="core.pagecache.install")
