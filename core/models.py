"""Reference data every app shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """The 77 provinces (Bangkok included), by their TIS 1099 / ISO 3166-2:TH number."""

    code = models.CharField(_("province code"), max_length=2, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name_th"]

    def __str__(self) -> str:
        return self.name_th
