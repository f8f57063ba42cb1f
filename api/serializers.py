"""The shapes the API reads and writes. Serializers check shape only (types, lengths, that a
referenced row exists); what a complete project is stays in ``projects/rules.py`` and every
write goes through ``projects/services.py``."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies import access
from agencies.access import Action
from agencies.models import Agency
from core.models import Province
from core.states import Status
from plans.models import Plan
from progress.models import ActivityProgress, ProgressReport
from projects.models import KPI, Activity, BudgetLine, Project
from reports import selectors as report_selectors
from reports.models import Format, Report, ReportJob
from strategy.models import Edition, Node
from workflow import engine

MONEY = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal(0)}
# The actions a project representation may list (see ProjectSerializer.get_allowed_actions).
PROJECT_ACTIONS = ("edit", "submit", "approve", "return", "withdraw", "revise")
MAX_BATCH = 500


class ErrorSerializer(serializers.Serializer):
    """Every error body: what went wrong and, for bad input, each field with its messages."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Field → messages; nested fields as kpis.0.unit."),
    )


# --- agencies and the strategy hierarchy --------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name_th", "name_en", "abbreviation", "kind", "parent"]


class EditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Edition
        fields = ["code", "family", "title_th", "title_en", "fiscal_year_from", "fiscal_year_to"]


class NodeSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Node
        fields = ["id", "edition", "kind", "code", "number", "title_th", "title_en",
                  "full_title_th", "parent"]  # fmt: skip


class TreeNodeSerializer(serializers.Serializer):
    """One node of an edition's tree with the nodes below it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Node._meta.get_field("kind").choices)
    code = serializers.CharField()
    number = serializers.IntegerField(allow_null=True)
    title_th = serializers.CharField()
    title_en = serializers.CharField()


TreeNodeSerializer._declared_fields["children"] = TreeNodeSerializer(many=True)


class EditionTreeSerializer(serializers.Serializer):
    edition = EditionSerializer()
    nodes = TreeNodeSerializer(many=True)


# --- projects -----------------------------------------------------------------------------------


class KPISerializer(serializers.ModelSerializer):
    class Meta:
        model = KPI
        fields = ["kind", "name", "unit", "target_value", "baseline"]


class ActivitySerializer(serializers.ModelSerializer):
    budget = serializers.DecimalField(**MONEY, required=False, allow_null=True)

    class Meta:
        model = Activity
        fields = ["order", "name", "start_date", "end_date", "budget"]


class BudgetLineSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = BudgetLine
        fields = ["source", "fiscal_year", "amount"]


class _LinkedNode(serializers.Serializer):
    """Read-only facts about the linked node, so a client need not look each one up."""

    node_code = serializers.CharField(source="node.code", read_only=True)
    node_kind = serializers.CharField(source="node.kind", read_only=True)
    node_title = serializers.CharField(source="node.label", read_only=True)
    edition = serializers.CharField(source="node.edition.code", read_only=True)


class PrimaryLinkSerializer(_LinkedNode):
    node = serializers.PrimaryKeyRelatedField(
        queryset=Node.objects.all(), help_text=_("The Y1 target (or the deepest loaded level).")
    )
    factor = serializers.PrimaryKeyRelatedField(
        queryset=Node.objects.all(), allow_null=True, required=False,
        help_text=_("The value-chain factor the project acts on."),
    )  # fmt: skip


class SecondaryLinkSerializer(_LinkedNode):
    node = serializers.PrimaryKeyRelatedField(queryset=Node.objects.all())


class ProjectSerializer(serializers.ModelSerializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True))
    agency_code = serializers.CharField(source="agency.code", read_only=True)
    total_budget = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    fiscal_year = serializers.IntegerField(
        min_value=2500, max_value=2700, help_text=_("Thai fiscal year, Buddhist era.")
    )
    provinces = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=Province.objects.all(), required=False,
        help_text=_("Province codes (TIS 1099), or none when nationwide."),
    )  # fmt: skip
    kpis = KPISerializer(many=True, required=False)
    activities = ActivitySerializer(many=True, required=False)
    budget_lines = BudgetLineSerializer(many=True, required=False)
    primary_link = PrimaryLinkSerializer(source="api_primary_link", allow_null=True,
                                         required=False)  # fmt: skip
    secondary_links = SecondaryLinkSerializer(source="api_secondary_links", many=True,
                                              required=False)  # fmt: skip
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text=_("The version you read; required to change a saved project."),
    )  # fmt: skip
    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True,
        help_text=_("Required when changing a project that was submitted before."),
    )  # fmt: skip
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id", "agency", "agency_code", "fiscal_year", "kind", "reference", "title",
            "responsible_name", "responsible_position", "contact_email", "contact_phone",
            "start_date", "end_date", "rationale", "objectives", "target_group",
            "expected_outcomes", "total_budget", "budget_difference_reason", "nationwide",
            "provinces", "kpis", "activities", "budget_lines", "primary_link", "secondary_links",
            "status", "version", "revision", "is_current", "submitted_at", "created_at",
            "updated_at", "change_reason", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = ["status", "revision", "is_current", "submitted_at", "created_at",
                            "updated_at"]  # fmt: skip
        # The reference is unique per agency across lineages: projects/services.py checks it
        # (and the batch upsert matches on it), so no serializer-level uniqueness check.
        validators = []

    def to_representation(self, instance: Project):
        links = list(instance.links.all())
        instance.api_primary_link = next((lk for lk in links if lk.is_primary), None)
        instance.api_secondary_links = [lk for lk in links if not lk.is_primary]
        return super().to_representation(instance)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(PROJECT_ACTIONS)))
    def get_allowed_actions(self, project: Project) -> list[str]:
        """What the caller may do with the project now, so a client offers nothing that fails."""
        user = self.context["request"].user
        actions = [str(a) for a in engine.allowed_transitions(user, project)]
        if access.can(user, Action.EDIT, project):
            actions.insert(0, "edit")
        if (project.status == Status.APPROVED and project.is_current
                and access.can_create_in(user, project.agency)):  # fmt: skip
            actions.append("revise")
        return actions

    def service_data(self) -> dict:
        return service_data(self.validated_data)


def service_data(validated: dict, keep: tuple[str, ...] = ()) -> dict:
    """Validated project input in the shape ``projects.services.save_project_data`` takes;
    ``keep`` names the lock fields to pass on (the batch upsert wants them per item)."""
    data = {k: v for k, v in validated.items() if k not in ("version", "change_reason")}
    data.update({k: validated[k] for k in keep if k in validated})
    if "api_primary_link" in data:
        data["primary_link"] = data.pop("api_primary_link")
    if "api_secondary_links" in data:
        data["secondary_links"] = [link["node"] for link in data.pop("api_secondary_links")]
    return data


class BulkProjectSerializer(ProjectSerializer):
    reference = serializers.CharField(
        max_length=64, help_text=_("Your agency's own reference: the key the batch matches on.")
    )


class BulkRequestSerializer(serializers.Serializer):
    projects = BulkProjectSerializer(many=True, min_length=1, max_length=MAX_BATCH)


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    reference = serializers.CharField()
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = BulkItemResultSerializer(many=True)


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("The version you read (optional lock).")
    )


class RevisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ApiTokenInfoSerializer(serializers.Serializer):
    """Who the caller is (to check a token)."""

    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


# --- Level-3 plans, progress reports, linkage ---------------------------------------------------
# The actions a plan or report representation may list (the workflow actions and "edit").
REVIEWED_ACTIONS = ("edit", "submit", "approve", "return", "withdraw")


class _AllowedActions(serializers.Serializer):
    allowed_actions = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(REVIEWED_ACTIONS)))
    def get_allowed_actions(self, obj) -> list[str]:
        """What the caller may do with the object now (the engine and the access policy)."""
        user = self.context["request"].user
        actions = [str(a) for a in engine.allowed_transitions(user, obj)]
        if access.can(user, Action.EDIT, obj):
            actions.insert(0, "edit")
        return actions


class PlanTargetValueSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(help_text=_("Thai fiscal year, Buddhist era."))
    value = serializers.CharField()


class PlanTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    name = serializers.CharField()
    indicator = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.CharField()
    values = PlanTargetValueSerializer(many=True)


class PlanLinkSerializer(serializers.Serializer):
    node = serializers.IntegerField(source="node_id")
    is_primary = serializers.BooleanField()
    node_code = serializers.CharField(source="node.code")
    node_kind = serializers.CharField(source="node.kind")
    node_title = serializers.CharField(source="node.label")
    edition = serializers.CharField(source="node.edition.code")


class PlanSerializer(_AllowedActions, serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code", read_only=True)
    targets = PlanTargetSerializer(many=True, read_only=True)
    links = PlanLinkSerializer(many=True, read_only=True)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id", "agency", "agency_code", "plan_type", "reference", "title", "year_from",
            "year_to", "approved_by", "approved_by_other", "approved_on", "resolution_ref",
            "objectives", "has_document", "targets", "links", "status", "version",
            "submitted_at", "created_at", "updated_at", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_document(self, plan: Plan) -> bool:
        return bool(plan.document)


class ActivityProgressSerializer(serializers.Serializer):
    activity = serializers.IntegerField(source="activity_id")
    activity_name = serializers.CharField(source="activity.name")
    state = serializers.CharField()
    percent = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class BudgetProgressSerializer(serializers.Serializer):
    source = serializers.CharField()
    disbursed = serializers.DecimalField(**MONEY)
    cumulative = serializers.DecimalField(**MONEY)


class KPIActualSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(source="kpi_id")
    kpi_name = serializers.CharField(source="kpi.name")
    unit = serializers.CharField(source="kpi.unit")
    target_value = serializers.CharField(source="kpi.target_value")
    actual_value = serializers.CharField()
    note = serializers.CharField()


class ProgressReportSerializer(_AllowedActions, serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    activities = ActivityProgressSerializer(source="activity_rows", many=True, read_only=True)
    budget = BudgetProgressSerializer(source="budget_rows", many=True, read_only=True)
    kpis = KPIActualSerializer(source="kpi_rows", many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id", "project", "project_title", "agency", "agency_code", "kind", "fiscal_year",
            "quarter", "due_date", "problems", "next_steps", "overrun_reason",
            "outcomes_achieved", "lessons_learned", "activities", "budget", "kpis", "status",
            "version", "submitted_at", "created_at", "updated_at", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields


class LinkScoreSerializer(serializers.Serializer):
    """A declared link's stored alignment score and what explains it."""

    node = serializers.IntegerField(source="node_id")
    node_code = serializers.CharField(source="node.code")
    node_title = serializers.CharField(source="node.label")
    factor = serializers.IntegerField(source="factor_id", allow_null=True)
    is_primary = serializers.BooleanField()
    version = serializers.CharField(help_text=_("Scorer version."))
    score = serializers.IntegerField(help_text=_("Alignment score, 0-100."))
    rank = serializers.IntegerField()
    rank_of = serializers.IntegerField()
    chain_ok = serializers.BooleanField()
    chain_problems = serializers.ListField(child=serializers.CharField())
    signals = serializers.DictField(child=serializers.FloatField())
    project_terms = serializers.ListField(child=serializers.CharField())
    target_terms = serializers.ListField(child=serializers.CharField())
    better = serializers.ListField(child=serializers.DictField())


class RubricReviewSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    auto_score = serializers.IntegerField(
        allow_null=True, help_text=_("The automatic score the reviewer saw.")
    )
    reason = serializers.CharField()
    reviewer = serializers.CharField(source="reviewer.username")
    reviewed_at = serializers.DateTimeField()
    is_override = serializers.BooleanField()


class RubricCriterionSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    label = serializers.CharField()
    auto = serializers.IntegerField(allow_null=True, help_text=_("Automatic score, 0-5."))
    notes = serializers.ListField(child=serializers.CharField())
    review = RubricReviewSerializer(allow_null=True)
    final = serializers.IntegerField(allow_null=True)
    auto_changed = serializers.BooleanField()


class ProjectRubricSerializer(serializers.Serializer):
    """The quality rubric, read-only: the automatic pass beside the reviewer's judgement."""

    version = serializers.CharField(allow_null=True, help_text=_("Rubric version."))
    assessed_at = serializers.DateTimeField(allow_null=True)
    auto_total = serializers.IntegerField(allow_null=True)
    final_total = serializers.IntegerField()
    gate_passed = serializers.BooleanField()
    criteria = RubricCriterionSerializer(source="rows", many=True)


class ProjectLinkageSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    scored_at = serializers.DateTimeField(allow_null=True)
    version = serializers.CharField(allow_null=True)
    suggestions = serializers.ListField(child=serializers.DictField())
    links = LinkScoreSerializer(many=True)
    rubric = ProjectRubricSerializer(allow_null=True)


class SuggestRequestSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500, allow_blank=True)
    objective = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    kpi = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    edition = serializers.SlugRelatedField(
        slug_field="code", queryset=Edition.objects.filter(family=Edition.Family.MASTER_PLAN),
        required=False, allow_null=True,
        help_text=_("Master-plan edition code (default: the one in force now)."),
    )  # fmt: skip


class SuggestionSerializer(serializers.Serializer):
    """The fields of ``manage.py linkage_suggest``."""

    code = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    master_plan_code = serializers.CharField(allow_null=True)
    sub_plan_code = serializers.CharField(allow_null=True)
    sub_plan_title = serializers.CharField(allow_null=True)
    score = serializers.FloatField()


class SuggestResponseSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)


class StartReportSerializer(serializers.Serializer):
    """Start a draft report (rows prefilled, as the page's button); fill it in the browser."""

    project = serializers.IntegerField(help_text=_("An approved project of your agency."))
    kind = serializers.ChoiceField(choices=ProgressReport.Kind.choices,
                                   default=ProgressReport.Kind.QUARTERLY)  # fmt: skip
    fiscal_year = serializers.IntegerField(
        min_value=2500, max_value=2700, required=False,
        help_text=_("Thai fiscal year, Buddhist era."),
    )  # fmt: skip
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)


# --- writes of plans and progress reports ------------------------------------------------------
# Shape only; the rules (period, links, values per year, rows a report holds, the lock and the
# change reason) are in plans/services.py and progress/services.py.

TEXT = {"required": False, "allow_blank": True, "max_length": 20000}


class _Lock(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text=_("The version you read; required to change a saved object."),
    )  # fmt: skip
    change_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=5000,
        help_text=_("Required when changing what was submitted before."),
    )  # fmt: skip


class PlanTargetValueInputSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(
        min_value=1, max_value=9999, help_text=_("Thai fiscal year, Buddhist era.")
    )
    value = serializers.CharField(max_length=50)


class PlanTargetInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
        help_text=_("A saved target of this plan, to change it in place; none for a new one."),
    )  # fmt: skip
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767, default=1)
    name = serializers.CharField(max_length=500)
    indicator = serializers.CharField(max_length=500, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    baseline = serializers.CharField(max_length=50, required=False, allow_blank=True)
    values = PlanTargetValueInputSerializer(many=True, required=False, max_length=50)


class PlanLinkInputSerializer(serializers.Serializer):
    node = serializers.PrimaryKeyRelatedField(queryset=Node.objects.select_related("edition"))
    is_primary = serializers.BooleanField(default=False)


class PlanInputSerializer(_Lock, serializers.ModelSerializer):
    """A plan to create (agency, type, title and period required) or change (send only what
    changes, with the version you read). ``targets`` and ``links``, when sent, replace the
    saved ones; the PDF document has its own endpoint."""

    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True))
    year_from = serializers.IntegerField(min_value=2500, max_value=2700)
    year_to = serializers.IntegerField(min_value=2500, max_value=2700)
    targets = PlanTargetInputSerializer(many=True, required=False, max_length=200)
    links = PlanLinkInputSerializer(
        many=True, required=False, max_length=200,
        help_text=_("Links to levels 1-2; the one with is_primary is the primary link (a Y2 or "
                    "Y1 target), required to submit."),
    )  # fmt: skip

    class Meta:
        model = Plan
        fields = [
            "agency", "plan_type", "reference", "title", "year_from", "year_to", "approved_by",
            "approved_by_other", "approved_on", "resolution_ref", "objectives", "targets",
            "links", "version", "change_reason",
        ]  # fmt: skip
        # The reference is unique per agency: plans/services.py checks it.
        validators = []

    def validate_links(self, links: list[dict]) -> list[dict]:
        if sum(link["is_primary"] for link in links) > 1:
            raise serializers.ValidationError(_("Only one link can be the primary link."))
        return links

    def service_data(self) -> dict:
        """The validated input in the shape ``plans.services.save_plan_data`` takes."""
        v = self.validated_data
        data = {k: v[k] for k in PlanInputSerializer.Meta.fields if k in v and k not in (
            "targets", "links", "version", "change_reason")}  # fmt: skip
        if "targets" in v:
            data["targets"] = [
                {**t, "values": [(x["fiscal_year"], x["value"]) for x in t.get("values", [])]}
                for t in v["targets"]
            ]
        if "links" in v:
            data["primary_link"] = next((k["node"] for k in v["links"] if k["is_primary"]), None)
            data["secondary_links"] = [k["node"] for k in v["links"] if not k["is_primary"]]
        return data


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, image or office document; up to 10 MB."))


class PlanDocumentSerializer(_Lock, serializers.Serializer):
    file = serializers.FileField(help_text=_("The approved plan as a PDF file, up to 10 MB."))


class ActivityProgressInputSerializer(serializers.Serializer):
    activity = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text=_("The activity (its id in the report's rows).")
    )
    state = serializers.ChoiceField(choices=ActivityProgress.State.choices, required=False)
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class BudgetProgressInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=BudgetLine.Source.choices)
    disbursed = serializers.DecimalField(
        **MONEY, required=False, help_text=_("Disbursed in the quarter (baht).")
    )
    cumulative = serializers.DecimalField(
        **MONEY, required=False, help_text=_("Cumulative since the start (baht).")
    )


class KPIActualInputSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    actual_value = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                         help_text=_("A number in the KPI's unit."))  # fmt: skip
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ProgressReportInputSerializer(_Lock, serializers.Serializer):
    """Fill a report: its texts and rows (send only what changes, with the version you read).
    Rows are those the report was started with, found by activity, budget source or KPI."""

    problems = serializers.CharField(**TEXT)
    next_steps = serializers.CharField(**TEXT)
    overrun_reason = serializers.CharField(**TEXT)
    outcomes_achieved = serializers.CharField(**TEXT, help_text=_("Closing reports only."))
    lessons_learned = serializers.CharField(**TEXT, help_text=_("Closing reports only."))
    activities = ActivityProgressInputSerializer(many=True, required=False, max_length=1000)
    budget = BudgetProgressInputSerializer(many=True, required=False, max_length=50)
    kpis = KPIActualInputSerializer(many=True, required=False, max_length=1000)

    def service_data(self) -> dict:
        """The validated input in the shape ``progress.services.save_report_data`` takes."""
        v = dict(self.validated_data)
        v.pop("version", None)
        v.pop("change_reason", None)
        for name, key in (("activities", "activity"), ("kpis", "kpi")):
            if name in v:
                v[name] = [{f"{key}_id": r.pop(key), **r} for r in map(dict, v[name])]
        return v


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    uploaded_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField()

    def get_download(self, attachment) -> str:
        return self.context["request"].build_absolute_uri(
            self.context["download_path"].format(id=attachment.pk)
        )


# --- report jobs --------------------------------------------------------------------------------


class ReportJobSerializer(serializers.ModelSerializer):
    error = serializers.ChoiceField(
        choices=ReportJob.Error.choices, allow_blank=True,
        help_text=_("Why the job failed (empty unless it did)."),
    )  # fmt: skip
    error_message = serializers.CharField(source="get_error_display")
    is_downloadable = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id", "report", "format", "title", "filters", "state", "progress", "row_count",
            "error", "error_message", "is_downloadable", "download", "created_at", "started_at",
            "finished_at", "expires_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_downloadable(self, job: ReportJob) -> bool:
        return report_selectors.downloadable(self.context["request"].user, job)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, job: ReportJob) -> str | None:
        if not self.get_is_downloadable(job):
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/report-jobs/{job.pk}/download/")


class ReportJobStartSerializer(serializers.Serializer):
    """Which report, in which format, with which filters. Portfolio: the project list's
    filters (fiscal_year, agency, status, master_plan); master-plan summary: fiscal_year;
    project form: project; agency quarterly report: agency, fiscal_year and quarter."""

    report = serializers.ChoiceField(choices=Report.choices)
    format = serializers.ChoiceField(
        choices=Format.choices, required=False,
        help_text=_("Portfolio: xlsx (default) or csv; master-plan summary: xlsx or pdf."),
    )  # fmt: skip
    fiscal_year = serializers.IntegerField(
        required=False, min_value=1, max_value=9999, help_text=_("Thai fiscal year, Buddhist era.")
    )
    agency = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    master_plan = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                           help_text=_("A master plan (its node id)."))  # fmt: skip
    project = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("For the project form: a project you see."),
    )

    quarter = serializers.IntegerField(
        required=False, min_value=1, max_value=4,
        help_text=_("For the agency quarterly report: 1 (Oct-Dec) to 4 (Jul-Sep)."),
    )  # fmt: skip

    REQUIRED = {
        Report.PROJECT_FORM: ("project",),
        Report.MASTER_PLAN: ("fiscal_year",),
        Report.AGENCY_QUARTER: ("agency", "fiscal_year", "quarter"),
    }

    def validate(self, data: dict) -> dict:
        missing = [f for f in self.REQUIRED.get(data["report"], ()) if f not in data]
        if missing:
            raise serializers.ValidationError({f: [_("This field is required.")] for f in missing})
        return data
