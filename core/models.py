"""Reference data every app shares."""

from django.conf import settings
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


class FormSubmission(models.Model):
    """A "create" form that has been saved, by the one-time token it carried, so that the same
    form posted twice (a double click, the back button) creates one object, not two."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=500, blank=True)  # where the created object is shown
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.token)
