"""The review states shared by projects, Level-3 plans and progress reports.

They live here, below every app, because the access policy (agencies) and the workflow engine
both speak of them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    AGENCY_APPROVED = "agency_approved", _("Approved by agency")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")


EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
# Drafts stay inside their agency subtree; everything else is readable by central analysts.
PRIVATE = frozenset({Status.DRAFT})
IN_REVIEW = frozenset({Status.SUBMITTED, Status.AGENCY_APPROVED})
