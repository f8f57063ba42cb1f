"""Plan entry forms: the plan with its strategy links and document, and its target rows.

The master-plan and sub-plan targets are few (tens per edition), so the primary link is one
select rather than the projects' cascade."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from agencies import access
from core.fiscal import current_fiscal_year
from core.forms import BuddhistDateField
from core.once import OnceField, new_token
from strategy.models import Edition, Kind, Node

from . import rules
from .models import Plan, PlanTarget
from .services import LinkChoice, check_document

TEXTAREA = {"rows": 3}


def fiscal_year_choices() -> list[tuple[int, int]]:
    now = current_fiscal_year()
    return [(y, y) for y in range(now + 6, now - 8, -1)]


class TargetNodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Node) -> str:
        return f"[{obj.edition.code}] {obj.code} {obj.label}"


class TargetNodesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Node) -> str:
        return f"[{obj.edition.code}] {obj.code} {obj.label}"


def _master_plan_targets():
    """Y2 and Y1 targets of the master-plan editions that projects and plans may link to."""
    return (
        Node.objects.filter(
            kind__in=rules.PRIMARY_KINDS,
            edition__family=Edition.Family.MASTER_PLAN,
            edition__fiscal_year_from__isnull=False,
        )
        .select_related("edition")
        .order_by("-edition__fiscal_year_from", "code", "id")
    )


class PlanForm(forms.ModelForm):
    year_from = forms.TypedChoiceField(label=_("from fiscal year"), coerce=int, choices=())
    year_to = forms.TypedChoiceField(label=_("to fiscal year"), coerce=int, choices=())
    approved_on = BuddhistDateField(label=_("approval date"), required=False)
    document_upload = forms.FileField(
        label=_("plan document (PDF)"), required=False,
        help_text=_("The approved plan as a PDF file, up to 10 MB."),
    )  # fmt: skip
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_token = OnceField()  # a new plan's form, posted twice, creates one plan
    change_reason = forms.CharField(
        label=_("reason for the change"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Required when changing a plan that was submitted before."),
    )  # fmt: skip
    primary_target = TargetNodeField(
        label=_("primary link: master-plan target (Y2) or sub-plan target (Y1)"),
        queryset=Node.objects.none(), required=False,
    )  # fmt: skip
    secondary_targets = TargetNodesField(
        label=_("other master-plan targets served"), queryset=Node.objects.none(),
        required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    national_strategies = forms.ModelMultipleChoiceField(
        label=_("national strategy"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Node.objects.filter(kind=Kind.STRATEGY).order_by("number"),
    )  # fmt: skip
    reform_areas = forms.ModelMultipleChoiceField(
        label=_("national reform areas"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Node.objects.filter(kind=Kind.REFORM_AREA).order_by("number"),
    )  # fmt: skip
    milestones = forms.ModelMultipleChoiceField(
        label=_("NESDP-13 milestones"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Node.objects.filter(kind=Kind.MILESTONE).order_by("number"),
    )  # fmt: skip

    class Meta:
        model = Plan
        fields = [
            "agency", "plan_type", "reference", "title", "year_from", "year_to", "approved_by",
            "approved_by_other", "approved_on", "resolution_ref", "objectives",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"class": "wide"}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("year_from", "year_to"):
            self.fields[name].choices = fiscal_year_choices()
        agencies = access.agencies_for_entry(user)
        targets = _master_plan_targets()
        self.fields["primary_target"].queryset = targets
        self.fields["secondary_targets"].queryset = targets
        if self.instance.pk:
            self.fields["agency"].queryset = agencies.filter(pk=self.instance.agency_id)
            self.fields["agency"].disabled = True
            self.fields["expected_version"].initial = self.instance.version
            self._initial_links()
        else:
            # The unsaved instance's empty values sit in self.initial and would win over a
            # field's initial, so the defaults go there.
            self.fields["agency"].queryset = agencies
            self.fields["form_token"].initial = new_token()
            self.initial["year_from"] = self.initial.get("year_from") or current_fiscal_year()
            self.initial["year_to"] = self.initial.get("year_to") or current_fiscal_year()
            if not self.initial.get("agency") and len(entry := list(agencies[:2])) == 1:
                self.initial["agency"] = entry[0].pk

    def _initial_links(self) -> None:
        links = list(self.instance.links.select_related("node"))
        primary = next((link for link in links if link.is_primary), None)
        self.initial["primary_target"] = primary.node_id if primary else None
        others = [link.node for link in links if not link.is_primary]
        by_kind = {
            "secondary_targets": rules.PRIMARY_KINDS,
            "national_strategies": (Kind.STRATEGY,),
            "reform_areas": (Kind.REFORM_AREA,),
            "milestones": (Kind.MILESTONE,),
        }
        for name, kinds in by_kind.items():
            self.initial[name] = [n.pk for n in others if n.kind in kinds]

    def clean_document_upload(self):
        upload = self.cleaned_data.get("document_upload")
        if upload:
            check_document(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        # The rule itself, so the message is the one the service (and the API) gives. The
        # change reason is checked by the service only (it knows the saved status).
        for message in rules.order_problems(cleaned.get("year_from"), cleaned.get("year_to")):
            self.add_error("year_to", message)
        return cleaned

    def link_choice(self) -> LinkChoice:
        c = self.cleaned_data
        secondary = [
            *c.get("secondary_targets", []), *c.get("national_strategies", []),
            *c.get("reform_areas", []), *c.get("milestones", []),
        ]  # fmt: skip
        return LinkChoice(primary=c.get("primary_target"), secondary=secondary)


class PlanTargetForm(forms.ModelForm):
    values = forms.CharField(
        label=_("target values per fiscal year"), required=False,
        widget=forms.TextInput(attrs={"placeholder": "2567: 10, 2568: 12"}),
    )  # fmt: skip

    class Meta:
        model = PlanTarget
        fields = ["order", "name", "indicator", "unit", "baseline", "values"]
        widgets = {"order": forms.NumberInput(attrs={"class": "narrow", "min": 1})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["values"] = rules.format_values(self.instance.values.all())

    def clean_values(self) -> dict[int, str]:
        try:
            return rules.parse_values(self.cleaned_data.get("values", ""))
        except rules.ValuesError as exc:
            raise ValidationError(str(exc)) from exc


PlanTargetFormSet = inlineformset_factory(
    Plan, PlanTarget, form=PlanTargetForm, extra=1, can_delete=True
)


class ProjectPlanLinkForm(forms.Form):
    """Choose a plan (of the project's agency or above) and, optionally, one of its targets."""

    plan = forms.ModelChoiceField(label=_("Level-3 plan"), queryset=Plan.objects.none())
    target = forms.ModelChoiceField(
        label=_("plan target (optional)"), queryset=PlanTarget.objects.none(), required=False
    )

    def __init__(self, *args, plans, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda p: (
            f"{p.title} ({p.year_from}-{p.year_to}, {p.agency.name_th})"
        )
        self.fields["target"].queryset = PlanTarget.objects.filter(plan__in=plans).select_related(
            "plan"
        )
        self.fields["target"].label_from_instance = lambda t: f"{t.plan.title[:40]} › {t}"

    def clean(self):
        cleaned = super().clean()
        plan, target = cleaned.get("plan"), cleaned.get("target")
        if plan and target and target.plan_id != plan.pk:
            self.add_error("target", _("This target does not belong to the chosen plan."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("workbook (XLSX)"),
        help_text=_("Sheets “plans” and “targets”; download the template for the columns."),
    )
