from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "linkage"
    verbose_name = _("Linkage analysis")
