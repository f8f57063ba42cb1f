"""What a complete, consistent Level-3 plan is. ``submission_problems`` lists every problem at
once, keyed by the form field (``targets-0-values`` for the first target row) so the form shows
each message next to its field. Drafts may be saved with any of these problems.

``parse_values`` is the one reader of the per-year target values, used by the form and the
XLSX import alike."""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from core.thai import THAI_DIGITS
from projects.rules import parse_number
from strategy.models import Edition, Kind, Node

PRIMARY_KINDS = (Kind.MASTER_PLAN_TARGET, Kind.SUB_PLAN_TARGET)
SECONDARY_KINDS = (
    Kind.MASTER_PLAN_TARGET, Kind.SUB_PLAN_TARGET, Kind.STRATEGY, Kind.REFORM_AREA, Kind.MILESTONE,
)  # fmt: skip
FIVE_YEARS = 5
_PAIR = re.compile(r"^\s*(\d{4})\s*[:=]\s*(.+?)\s*$")


class ValuesError(ValueError):
    pass


def parse_values(text: str) -> dict[int, str]:
    """Target values per fiscal year from text such as ``2566: 10, 2567: 12.5`` (or one pair
    a line; Thai digits allowed). Raises ValuesError with a message for the user."""
    pairs: list[tuple[int, str]] = []
    cleaned = (text or "").translate(THAI_DIGITS)
    for part in re.split(r"[,;\n]+", cleaned):
        if not part.strip():
            continue
        match = _PAIR.match(part)
        if not match:
            raise ValuesError(
                _(
                    "Write each value as fiscal year: value, e.g. 2567: 10, 2568: 12 "
                    "(got “%(part)s”)."
                )
                % {"part": part.strip()}
            )
        pairs.append((int(match.group(1)), match.group(2)))
    return clean_values(pairs)


def clean_values(values) -> dict[int, str]:
    """Target values as {fiscal year: value} from pairs or a mapping (the form's text, parsed,
    or the API's list): Buddhist-era years, each year once. Raises ValuesError."""
    items = values.items() if isinstance(values, dict) else values
    out: dict[int, str] = {}
    for year, value in items:
        year, value = int(year), str(value).strip()
        if year < 2400:
            raise ValuesError(_("Use Buddhist-era fiscal years (e.g. %(be)s, not %(ce)s).")
                              % {"be": year + 543, "ce": year})  # fmt: skip
        if year in out and not isinstance(values, dict):
            raise ValuesError(_("Fiscal year %(year)s is given twice.") % {"year": year})
        out[year] = value[:50]
    return out


def format_values(values) -> str:
    """The inverse of ``parse_values`` for PlanTargetValue rows (to fill the form)."""
    return ", ".join(f"{v.fiscal_year}: {v.value}" for v in values)


def period_problems(plan_type: str, year_from: int | None, year_to: int | None) -> list[str]:
    """What is wrong with a plan's period given its type (empty: nothing)."""
    from .models import Plan

    if not year_from or not year_to:
        return []
    if found := order_problems(year_from, year_to):
        return found
    span = year_to - year_from + 1
    if plan_type == Plan.Type.ACTION_ANNUAL and span != 1:
        return [_("An annual action plan covers one fiscal year.")]
    if plan_type == Plan.Type.ACTION_5Y and span != FIVE_YEARS:
        return [_("A 5-year action plan covers five fiscal years (e.g. 2566-2570).")]
    return []


def order_problems(year_from: int | None, year_to: int | None) -> list[str]:
    """A period that ends before it starts cannot be saved at all (not even as a draft)."""
    if year_from and year_to and year_to < year_from:
        return [_("The period ends before it starts.")]
    return []


def primary_choice_problems(node: Node) -> list[str]:
    """The primary link may be chosen among the Y2 and Y1 targets of the dated master-plan
    editions (the choices the plan form offers)."""
    edition = node.edition
    if (node.kind not in PRIMARY_KINDS or edition.family != Edition.Family.MASTER_PLAN
            or edition.fiscal_year_from is None):  # fmt: skip
        return [_("The primary link must be a master-plan target (Y2) or a sub-plan "
                  "target (Y1).")]  # fmt: skip
    return []


def secondary_choice_problems(nodes) -> list[str]:
    """Other links: master-plan targets, national strategies, reform areas or milestones."""
    wrong = [n.code for n in nodes if n.kind not in SECONDARY_KINDS]
    if wrong:
        return [_("These cannot be linked to a plan: %(codes)s. Choose master-plan targets, "
                  "national strategies, reform areas or NESDP-13 milestones.")
                % {"codes": ", ".join(wrong)}]  # fmt: skip
    return []


def primary_link_problems(node: Node, year_from: int, year_to: int) -> list[str]:
    """The primary link is a Y2 or Y1 target of a master-plan edition in force in some year of
    the plan's period."""
    problems = []
    if node.kind not in PRIMARY_KINDS:
        problems.append(_("The primary link must be a master-plan target (Y2) or a sub-plan "
                          "target (Y1)."))  # fmt: skip
    edition = node.edition
    if edition.family == Edition.Family.MASTER_PLAN and not any(
        edition.covers(y) for y in range(year_from, year_to + 1)
    ):
        problems.append(
            _("%(edition)s is not in force in fiscal years %(first)s-%(last)s.")
            % {"edition": edition, "first": year_from, "last": year_to}
        )
    return problems


def submission_problems(plan) -> dict[str, list[str]]:
    from .models import Plan

    problems: dict[str, list[str]] = defaultdict(list)

    def need(field: str, value, message: str | None = None) -> None:
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            problems[field].append(message or _("This field is required to submit."))

    for name in ("title", "plan_type", "approved_by", "approved_on", "objectives"):
        need(name, getattr(plan, name))
    if plan.approved_by == Plan.ApprovedBy.OTHER:
        need("approved_by_other", plan.approved_by_other, _("Say who approved the plan."))
    if plan.approved_by == Plan.ApprovedBy.CABINET:
        need("resolution_ref", plan.resolution_ref,
             _("Give the date or number of the cabinet resolution."))  # fmt: skip
    for message in period_problems(plan.plan_type, plan.year_from, plan.year_to):
        problems["year_to"].append(message)
    if not plan.document:
        problems["document"].append(_("Attach the plan document (PDF)."))
    _check_targets(plan, problems)
    _check_links(plan, problems)
    return dict(problems)


def _check_targets(plan, problems) -> None:
    targets = list(plan.targets.all())
    if not targets:
        problems["targets"].append(_("Add at least one target with its indicator."))
    years = set(plan.years)
    for i, target in enumerate(targets):
        key = f"targets-{i}"
        if not target.indicator.strip():
            problems[f"{key}-indicator"].append(_("Give the indicator of this target."))
        if not target.unit.strip():
            problems[f"{key}-unit"].append(_("Give the unit of the target."))
        values = list(target.values.all())
        if not values:
            problems[f"{key}-values"].append(_("Give the target value for at least one year."))
        outside = sorted(v.fiscal_year for v in values if v.fiscal_year not in years)
        if outside:
            problems[f"{key}-values"].append(
                _("Fiscal year(s) %(years)s are outside the plan's period %(first)s-%(last)s.")
                % {"years": ", ".join(map(str, outside)), "first": plan.year_from,
                   "last": plan.year_to}
            )  # fmt: skip
        if any(parse_number(v.value) is None for v in values):
            problems[f"{key}-values"].append(_("Every target value must be a number."))


def _check_links(plan, problems) -> None:
    links = list(plan.links.all())
    primary = next((link for link in links if link.is_primary), None)
    if primary is None:
        problems["primary_target"].append(
            _("Choose the master-plan target (Y2) or sub-plan target (Y1) the plan serves "
              "first (the primary link).")
        )  # fmt: skip
    else:
        problems["primary_target"].extend(
            primary_link_problems(primary.node, plan.year_from, plan.year_to)
        )
    if not problems["primary_target"]:
        del problems["primary_target"]
