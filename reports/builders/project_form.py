"""Report 4, the single-project form as an agency prints and signs it: a PDF rendered by
WeasyPrint from an HTML template, in a Thai government font (TLWG Laksaman, the metric twin of
TH Sarabun, from Debian's fonts-thai-tlwg), dates in the Buddhist era, page header and footer."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from core.thai import format_date
from projects.models import Project
from projects.selectors import project_for_page

from ..pdf import render_pdf


def project_for(user, filters: dict) -> Project:
    """The project of the form if ``user`` may see it; Project.DoesNotExist otherwise."""
    try:
        pk = int(filters.get("project"))
    except (TypeError, ValueError) as exc:
        raise Project.DoesNotExist from exc
    return project_for_page(user, pk)


def render(user, filters: dict, path: Path) -> None:
    project = project_for(user, filters)
    html = render_to_string(
        "reports/pdf/project_form.html",
        {
            "project": project,
            "links": list(project.links.all()),
            "printed": format_date(timezone.now(), long=True),
            "printed_by": user.get_full_name() or user.username,
        },
    )
    path.write_bytes(render_pdf(html))
