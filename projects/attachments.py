"""Attachment checks: the file's content decides its type, not its name."""

from __future__ import annotations

from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# detected extension → MIME type we store and serve
ALLOWED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def check_upload(upload) -> str:
    """The MIME type of an acceptable upload; ValidationError (in the user's language) if the
    file is too large, empty, or not a PDF, image or office document by its content."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": upload.size / 1e6, "limit": limit / 1e6}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED:
        raise ValidationError(
            _("“%(name)s” is not a PDF, image (PNG, JPEG) or office document (Word, Excel, "
              "PowerPoint, OpenDocument).") % {"name": Path(upload.name).name}
        )  # fmt: skip
    return ALLOWED[kind.extension]
