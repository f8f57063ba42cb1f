"""Agencies (ministry → department → unit, provinces, independent bodies) and memberships."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from tree_queries.models import TreeNode


class Agency(TreeNode):
    """A government agency in the administrative tree. ``parent`` is the agency above it."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        DEPARTMENT = "department", _("Department")
        UNIT = "unit", _("Unit")
        PROVINCE = "province", _("Province")
        STATE_ENTERPRISE = "state_enterprise", _("State enterprise")
        INDEPENDENT = "independent", _("Independent body")

    code = models.CharField(_("agency code"), max_length=20, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_th

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Membership(models.Model):
    """A user's role in an agency. A user may hold several roles in several agencies."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Data entry staff")
        AGENCY_APPROVER = "agency_approver", _("Agency approver")
        MINISTRY_APPROVER = "ministry_approver", _("Ministry approver")
        ANALYST = "analyst", _("Central analyst")
        ADMIN = "admin", _("Administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="uniq_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency}"
