"""Project entry forms: the project, its rows (KPIs, activities, budget lines) and its links.

The primary-link selects cascade: each one's options come from the server when the one above
changes (``views.link_options``), so no page lists thousands of targets at once."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from agencies import access
from core.fiscal import current_fiscal_year
from core.forms import BuddhistDateField, MoneyField
from core.models import Province
from core.once import OnceField, new_token
from strategy.models import Edition, Kind, Node
from workflow.engine import needs_change_reason

from .models import KPI, Activity, BudgetLine, Project
from .services import LinkChoice

TEXTAREA = {"rows": 3}


def fiscal_year_choices() -> list[tuple[int, int]]:
    now = current_fiscal_year()
    return [(y, y) for y in range(now + 2, now - 6, -1)]


class ProjectForm(forms.ModelForm):
    """The project itself plus its strategy links (not model fields: saved by the service)."""

    fiscal_year = forms.TypedChoiceField(label=_("fiscal year"), coerce=int, choices=())
    start_date = BuddhistDateField(label=_("start date"), required=False)
    end_date = BuddhistDateField(label=_("end date"), required=False)
    total_budget = MoneyField(label=_("total budget (baht)"), required=False)
    provinces = forms.ModelMultipleChoiceField(
        label=_("provinces"), queryset=Province.objects.all(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )  # fmt: skip
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_token = OnceField()  # a new project's form, posted twice, creates one project
    change_reason = forms.CharField(
        label=_("reason for the change"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Required when changing a project that was submitted before."),
    )  # fmt: skip

    # Primary link: master plan → sub-plan → Y1 → factor, in the fiscal year's edition.
    master_plan = forms.ModelChoiceField(
        label=_("master plan"), queryset=Node.objects.none(), required=False
    )
    sub_plan = forms.ModelChoiceField(label=_("sub-plan"), queryset=Node.objects.none(),
                                      required=False)  # fmt: skip
    y1 = forms.ModelChoiceField(label=_("sub-plan target (Y1)"), queryset=Node.objects.none(),
                                required=False)  # fmt: skip
    factor = forms.ModelChoiceField(label=_("value-chain factor"), queryset=Node.objects.none(),
                                    required=False)  # fmt: skip
    secondary_targets = forms.ModelMultipleChoiceField(
        label=_("other master-plan targets served"), queryset=Node.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
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
    sdg_targets = forms.ModelMultipleChoiceField(
        label=_("SDG targets"), required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
        queryset=Node.objects.filter(kind=Kind.SDG_TARGET).select_related("parent"),
    )  # fmt: skip

    class Meta:
        model = Project
        fields = [
            "agency", "fiscal_year", "kind", "reference", "title", "responsible_name",
            "responsible_position", "contact_email", "contact_phone", "start_date", "end_date",
            "rationale", "objectives", "target_group", "expected_outcomes", "total_budget",
            "budget_difference_reason", "nationwide", "provinces",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"class": "wide"}),
            "rationale": forms.Textarea(attrs={"rows": 4}),
            "objectives": forms.Textarea(attrs=TEXTAREA),
            "target_group": forms.Textarea(attrs={"rows": 2}),
            "expected_outcomes": forms.Textarea(attrs=TEXTAREA),
            "budget_difference_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["fiscal_year"].choices = fiscal_year_choices()
        agencies = access.agencies_for_entry(user)
        if self.instance.pk:
            # The agency of a saved project does not move; drafts stay in their subtree.
            self.fields["agency"].queryset = agencies.filter(pk=self.instance.agency_id)
            self.fields["agency"].disabled = True
            self.fields["expected_version"].initial = self.instance.version
            self._initial_links()
        else:
            self.fields["agency"].queryset = agencies
            self.fields["form_token"].initial = new_token()
            # Form initial, not field initial: a ModelForm's instance values (None for a new
            # project) would win over a field's initial.
            if not self.initial.get("fiscal_year"):
                self.initial["fiscal_year"] = current_fiscal_year()
            if not self.initial.get("agency"):
                only = list(agencies[:2])
                if len(only) == 1:
                    self.initial["agency"] = only[0].pk
        self._limit_link_choices()

    # --- strategy links -------------------------------------------------------------------
    @property
    def edition(self) -> Edition | None:
        from strategy.selectors import edition_for_fiscal_year

        raw = self.data.get(self.add_prefix("fiscal_year")) if self.is_bound else None
        try:
            year = int(raw) if raw else (self.instance.fiscal_year or self.initial_fiscal_year())
        except ValueError:
            return None
        return edition_for_fiscal_year(Edition.Family.MASTER_PLAN, year)

    def initial_fiscal_year(self) -> int:
        return int(self.initial.get("fiscal_year") or current_fiscal_year())

    def _limit_link_choices(self) -> None:
        """Each select accepts the nodes under the value chosen above it (bound) or shows the
        options of the saved link (unbound); the browser loads the rest on demand."""
        edition = self.edition
        in_edition = Node.objects.filter(edition=edition) if edition else Node.objects.none()
        chosen = self._chosen_chain(in_edition)
        self.fields["master_plan"].queryset = in_edition.filter(kind=Kind.MASTER_PLAN).order_by(
            "code"
        )
        self.fields["sub_plan"].queryset = in_edition.filter(
            kind=Kind.SUB_PLAN, parent=chosen["master_plan"]
        ).order_by("code", "id")
        y1_parent = chosen["sub_plan"] or chosen["master_plan"]
        self.fields["y1"].queryset = in_edition.filter(
            kind=Kind.SUB_PLAN_TARGET, parent=y1_parent
        ).order_by("code", "id")
        self.fields["factor"].queryset = in_edition.filter(
            kind=Kind.FACTOR, parent__parent=chosen["y1"]
        ).order_by("code", "id")
        self.fields["secondary_targets"].queryset = in_edition.filter(
            kind__in=(Kind.MASTER_PLAN_TARGET, Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET)
        ).order_by("code", "id")

    def _chosen_chain(self, in_edition) -> dict[str, int | None]:
        """The chosen master plan, sub-plan and Y1, dropping any level that no longer sits
        under the level above it (the user changed a higher select)."""
        ids = {name: self._chosen(name) for name in ("master_plan", "sub_plan", "y1")}
        parents = dict(
            in_edition.filter(pk__in=[v for v in ids.values() if v]).values_list("pk", "parent_id")
        )
        chain = {"master_plan": ids["master_plan"] if ids["master_plan"] in parents else None}
        sub = ids["sub_plan"]
        chain["sub_plan"] = sub if sub in parents and parents[sub] == chain["master_plan"] else None
        y1 = ids["y1"]
        above = chain["sub_plan"] or chain["master_plan"]
        chain["y1"] = y1 if y1 in parents and above and parents[y1] == above else None
        return chain

    def _chosen(self, name: str) -> int | None:
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        if hasattr(value, "pk"):
            return value.pk
        try:
            return int(value) if value else None
        except (TypeError, ValueError):
            return None

    def _initial_links(self) -> None:
        links = list(self.instance.links.select_related("node", "node__parent", "factor"))
        primary = next((link for link in links if link.is_primary), None)
        if primary is not None:
            for ancestor in [*primary.node.ancestors(), primary.node]:
                name = {Kind.MASTER_PLAN: "master_plan", Kind.SUB_PLAN: "sub_plan",
                        Kind.SUB_PLAN_TARGET: "y1"}.get(ancestor.kind)  # fmt: skip
                if name:
                    self.initial[name] = ancestor.pk
            self.initial["factor"] = primary.factor_id
        others = [link.node for link in links if not link.is_primary]
        by_kind = {
            "national_strategies": (Kind.STRATEGY,),
            "reform_areas": (Kind.REFORM_AREA,),
            "milestones": (Kind.MILESTONE,),
            "sdg_targets": (Kind.SDG_TARGET,),
            "secondary_targets": (Kind.MASTER_PLAN_TARGET, Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET),
        }
        for name, kinds in by_kind.items():
            self.initial[name] = [n.pk for n in others if n.kind in kinds]

    def clean(self):
        cleaned = super().clean()
        # Each level must sit under the one above it (a tampered or stale form is refused).
        master, sub, y1, factor = (cleaned.get(k) for k in ("master_plan", "sub_plan", "y1",
                                                             "factor"))  # fmt: skip
        if sub and master and sub.parent_id != master.pk:
            self.add_error("sub_plan", _("This sub-plan is not under the chosen master plan."))
        if y1 and (sub or master) and y1.parent_id != (sub or master).pk:
            self.add_error("y1", _("This target is not under the chosen plan."))
        if factor and (not y1 or factor.parent is None or factor.parent.parent_id != y1.pk):
            self.add_error("factor", _("This factor does not belong to the chosen Y1 target."))
        reason = (cleaned.get("change_reason") or "").strip()
        if self.instance.pk and needs_change_reason(self.instance) and not reason:
            self.add_error("change_reason", _("Say why you change this project."))
        return cleaned

    def link_choice(self) -> LinkChoice:
        c = self.cleaned_data
        primary = c.get("y1") or c.get("sub_plan") or c.get("master_plan")
        secondary = [
            *c.get("secondary_targets", []), *c.get("national_strategies", []),
            *c.get("reform_areas", []), *c.get("milestones", []), *c.get("sdg_targets", []),
        ]  # fmt: skip
        return LinkChoice(primary=primary, factor=c.get("factor"), secondary=secondary)


class KPIForm(forms.ModelForm):
    class Meta:
        model = KPI
        fields = ["kind", "name", "unit", "target_value", "baseline"]


class ActivityForm(forms.ModelForm):
    start_date = BuddhistDateField(label=_("start"), required=False)
    end_date = BuddhistDateField(label=_("end"), required=False)
    budget = MoneyField(label=_("budget (baht)"), required=False)

    class Meta:
        model = Activity
        fields = ["order", "name", "start_date", "end_date", "budget"]


class BudgetLineForm(forms.ModelForm):
    fiscal_year = forms.TypedChoiceField(label=_("fiscal year"), coerce=int, choices=())
    amount = MoneyField(label=_("amount (baht)"))

    class Meta:
        model = BudgetLine
        fields = ["source", "fiscal_year", "amount"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A blank first choice, so the untouched "add a row" line is not taken as filled in.
        self.fields["fiscal_year"].choices = [("", "---------"), *fiscal_year_choices()]


def _formset(model, form, prefix_extra: int = 1):
    return inlineformset_factory(Project, model, form=form, extra=prefix_extra, can_delete=True)


KPIFormSet = _formset(KPI, KPIForm)
ActivityFormSet = _formset(Activity, ActivityForm)
BudgetLineFormSet = _formset(BudgetLine, BudgetLineForm)
FORMSETS = (("kpis", KPIFormSet), ("activities", ActivityFormSet),
            ("budget_lines", BudgetLineFormSet))  # fmt: skip


class RevisionForm(forms.Form):
    reason = forms.CharField(label=_("why does the project change?"),
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("file"), help_text=_("PDF, image or office document; up to 10 MB.")
    )
