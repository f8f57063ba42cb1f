"""API views: thin, like the pages. Reads come from the apps' selectors (scoped by the access
policy), writes from the apps' data-level services (``save_project_data``, ``save_plan_data``,
``save_report_data``, the attachment and report-job services) and ``workflow.engine.perform``,
the same functions the browser forms end in.

Adding a reviewed object type (progress reports, plans) is a viewset like ``ProjectViewSet``
with ``WorkflowActionsMixin`` and a line in ``urls.py``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import access
from agencies.access import Action
from agencies.selectors import memberships_of
from core.pagecache import cached_page
from linkage import selectors as linkage_selectors
from linkage import services as linkage_services
from plans import selectors as plan_selectors
from plans import services as plan_services
from plans.models import Plan
from progress import selectors as progress_selectors
from progress import services as progress_services
from progress.models import ProgressReport, ReportAttachment
from projects import attachment_views
from projects import selectors as project_selectors
from projects import services as project_services
from projects.attachments import ALLOWED
from projects.models import Attachment, Project
from reports import selectors as report_selectors
from reports import services as report_services
from reports.forms import MasterPlanForm, PortfolioForm
from reports.models import WITHDRAWN, Report, ReportJob
from strategy.models import Edition, Node
from strategy.selectors import edition_tree
from workflow import engine

from . import serializers as s
from .filters import (
    AgencyFilter,
    EditionFilter,
    NodeFilter,
    PlanApiFilter,
    ProgressReportFilter,
    ProjectApiFilter,
)
from .permissions import CanBrowseStrategy, PlanAccess, ReviewedObjectAccess

# --- agencies and the strategy hierarchy --------------------------------------------------------


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies whose objects you may list (every agency for central users)."""

    serializer_class = s.AgencySerializer
    filterset_class = AgencyFilter

    def get_queryset(self):
        return access.visible_agencies(self.request.user).order_by("code", "id")


class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    """Editions of the plan families (master plans 2561, their 2566 revision, SDGs...)."""

    serializer_class = s.EditionSerializer
    filterset_class = EditionFilter
    permission_classes = [CanBrowseStrategy]
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Edition.objects.order_by("family", "fiscal_year_from", "code")

    @extend_schema(
        responses=s.EditionTreeSerializer,
        parameters=[OpenApiParameter("root", OpenApiTypes.INT, description=_(
            "Only the subtree below this node (its id)."))],
    )  # fmt: skip
    @action(detail=True, filterset_class=None, pagination_class=None)
    def tree(self, request: Request, code: str) -> Response:
        """The edition's hierarchy as a tree (one query), or the subtree below ``root``."""
        edition = self.get_object()
        nodes = edition_tree(edition)
        root = request.query_params.get("root")
        if root is not None:
            try:
                root_node = Node.objects.get(edition=edition, pk=int(root))
            except (ValueError, OverflowError, Node.DoesNotExist) as exc:
                raise Http404 from exc
            nodes = nodes.filter(pk__in=Node.objects.descendants(root_node).values("pk"))
        by_id, top = {}, []
        for node in nodes:
            item = {"id": node.pk, "kind": node.kind, "code": node.code, "number": node.number,
                    "title_th": node.title_th, "title_en": node.title_en,
                    "children": []}  # fmt: skip
            by_id[node.pk] = item
            parent = by_id.get(node.parent_id)
            (parent["children"] if parent else top).append(item)
        return Response({"edition": s.EditionSerializer(edition).data, "nodes": top})


class NodeViewSet(viewsets.ReadOnlyModelViewSet):
    """The hierarchy flat: filter by edition, kind and parent, search titles (Thai words)."""

    serializer_class = s.NodeSerializer
    filterset_class = NodeFilter
    permission_classes = [CanBrowseStrategy]
    queryset = Node.objects.select_related("edition").order_by("edition__code", "code", "id")


# --- projects -----------------------------------------------------------------------------------


class WorkflowActionsMixin:
    """POST /<id>/submit|approve|return|withdraw/: ``workflow.engine.perform``, as the pages."""

    def _transition(self, request: Request, action_name: str) -> Response:
        obj = self.get_object()
        body = s.TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        engine.perform(obj, action_name, request.user, body.validated_data.get("comment", ""),
                       body.validated_data.get("version"))  # fmt: skip
        return Response(self.get_serializer(self.get_object()).data)

    _doc = {"request": s.TransitionSerializer}

    @extend_schema(**_doc, summary=_("Submit for approval"))
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request: Request, pk: int) -> Response:
        return self._transition(request, Action.SUBMIT)

    @extend_schema(**_doc, summary=_("Approve"))
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request: Request, pk: int) -> Response:
        return self._transition(request, Action.APPROVE)

    @extend_schema(**_doc, summary=_("Return for revision (comment required)"))
    @action(detail=True, methods=["post"], url_path="return", url_name="return",
            filterset_class=None)  # fmt: skip
    def return_(self, request: Request, pk: int) -> Response:
        return self._transition(request, Action.RETURN)

    @extend_schema(**_doc, summary=_("Withdraw"))
    @action(detail=True, methods=["post"], filterset_class=None)
    def withdraw(self, request: Request, pk: int) -> Response:
        return self._transition(request, Action.WITHDRAW)


WORKFLOW_ACTIONS = {"submit", "approve", "return_", "withdraw"}


# --- files: uploads, downloads and the attachments of projects and progress reports ------------


class AnyAccept(DefaultContentNegotiation):
    """File downloads answer with the file's own type, whatever the client accepts; errors
    are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FILE_TYPES = sorted(set(ALLOWED.values()))  # what an attachment may be (by its content)


def file_responses(*media_types: str) -> dict:
    return {(200, t): OpenApiTypes.BINARY for t in media_types}


def invalid_file(exc: DjangoValidationError, field: str = "file") -> exceptions.ValidationError:
    """A content or size check of the apps' services as the API's error body for ``field``."""
    return exceptions.ValidationError({field: exc.messages})


def send_file(field_file, filename: str, content_type: str) -> FileResponse:
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=filename,
                        content_type=content_type)  # fmt: skip


class AttachmentsMixin:
    """GET/POST <id>/attachments/ and GET/DELETE <id>/attachments/<attachment_id>/ of a
    project or a progress report, through that app's ``add_attachment`` /
    ``delete_attachment`` (content and size checks, the access policy)."""

    attachment_model = Attachment
    attachment_owner = "project"  # the attachment's foreign key to the viewset's object
    attachment_services = project_services

    def _attachments(self, obj):
        return self.attachment_model.objects.filter(**{self.attachment_owner: obj}).select_related(
            "uploaded_by"
        )

    def _attachment_context(self, obj) -> dict:
        base = self.request.path.split("/attachments/")[0]
        return {"request": self.request, "download_path": base + "/attachments/{id}/"}

    @extend_schema(methods=["GET"], summary=_("Attachments"),
                   responses=s.AttachmentSerializer(many=True))  # fmt: skip
    @extend_schema(methods=["POST"], summary=_("Attach a file (PDF, image, office document)"),
                   request={"multipart/form-data": s.UploadSerializer},
                   responses={201: s.AttachmentSerializer})  # fmt: skip
    @action(detail=True, methods=["get", "post"], filterset_class=None,
            parser_classes=[MultiPartParser, FormParser])  # fmt: skip
    def attachments(self, request: Request, pk: int) -> Response:
        obj = self.get_object()
        context = self._attachment_context(obj)
        if request.method == "GET":
            page = self.paginator.paginate_queryset(self._attachments(obj), request, view=self)
            data = s.AttachmentSerializer(page, many=True, context=context).data
            return self.paginator.get_paginated_response(data)
        body = s.UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                upload = body.validated_data["file"]
                saved = self.attachment_services.add_attachment(obj, request.user, upload)
        except DjangoValidationError as exc:
            raise invalid_file(exc) from exc
        saved = self._attachments(obj).get(pk=saved.pk)
        return Response(s.AttachmentSerializer(saved, context=context).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip

    @extend_schema(methods=["GET"], summary=_("Download an attachment"),
                   responses=file_responses(*FILE_TYPES))  # fmt: skip
    @extend_schema(methods=["DELETE"], summary=_("Remove an attachment"),
                   responses={204: None})  # fmt: skip
    @action(detail=True, methods=["get", "delete"], filterset_class=None,
            url_path=r"attachments/(?P<attachment_id>[0-9]+)", url_name="attachment",
            content_negotiation_class=AnyAccept)  # fmt: skip
    def attachment(self, request: Request, pk: int, attachment_id: str) -> Response:
        obj = self.get_object()
        try:
            found = self._attachments(obj).get(pk=int(attachment_id))
        except (self.attachment_model.DoesNotExist, OverflowError, ValueError) as exc:
            raise Http404 from exc
        if request.method == "GET":
            return attachment_views.download(found)
        self.attachment_services.delete_attachment(found, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    partial_update=extend_schema(summary=_("Change a project (send the version you read)")),
)
@method_decorator(cached_page, name="dispatch")  # session users' reads, until data changes
class ProjectViewSet(
    AttachmentsMixin,
    WorkflowActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects you may see (current revisions in lists), with their rows and links and the
    actions you may take now. Another agency's draft does not exist for you (404)."""

    serializer_class = s.ProjectSerializer
    filterset_class = ProjectApiFilter
    permission_classes = [IsAuthenticated, ReviewedObjectAccess]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Project.objects.none()
        if self.action == "list":
            return project_selectors.visible_projects_full(user)
        if self.action == "queue":
            return project_selectors.review_queue_full(user)
        return project_selectors.visible_revisions_full(user)

    def check_object_permissions(self, request, obj) -> None:
        # Workflow actions and revisions are checked by the engine and the services.
        if self.action in (*WORKFLOW_ACTIONS, "revise"):
            return
        super().check_object_permissions(request, obj)

    def _read(self, pk: int) -> Project:
        return project_selectors.visible_revisions_full(self.request.user).get(pk=pk)

    def perform_create(self, serializer) -> None:
        serializer.instance = project_services.save_project_data(
            user=self.request.user, data=serializer.service_data()
        )
        serializer.instance = self._read(serializer.instance.pk)

    def perform_update(self, serializer) -> None:
        data = serializer.validated_data
        saved = project_services.save_project_data(
            user=self.request.user, data=serializer.service_data(), project=serializer.instance,
            expected_version=data.get("version"), reason=data.get("change_reason", ""),
        )  # fmt: skip
        serializer.instance = self._read(saved.pk)

    @extend_schema(summary=_("Projects waiting for my approval"),
                   responses=s.ProjectSerializer(many=True))  # fmt: skip
    @action(detail=False)
    def queue(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(request=s.RevisionSerializer, responses={201: s.ProjectSerializer},
                   summary=_("Open a new revision of an approved project"))  # fmt: skip
    @action(detail=True, methods=["post"], filterset_class=None)
    def revise(self, request: Request, pk: int) -> Response:
        project = self.get_object()
        body = s.RevisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revision = project_services.start_revision(project, request.user,
                                                   body.validated_data["reason"])  # fmt: skip
        data = self.get_serializer(self._read(revision.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=s.ProjectLinkageSerializer,
        summary=_("Alignment scores of the project's links, with explanations"),
    )
    @action(detail=True, filterset_class=None, pagination_class=None)
    def linkage(self, request: Request, pk: int) -> Response:
        project = self.get_object()
        analysis = linkage_selectors.project_analysis(project)
        return Response(s.ProjectLinkageSerializer({
            "project": project.pk,
            "scored_at": analysis.scored_at if analysis else None,
            "version": analysis.version if analysis else None,
            "suggestions": analysis.suggestions if analysis else [],
            "links": linkage_selectors.project_scores(project),
            "rubric": linkage_selectors.project_rubric(project),
        }).data)  # fmt: skip

    @extend_schema(
        request=s.BulkRequestSerializer, responses=s.BulkResultSerializer,
        summary=_("Create or update projects by your own reference (all or nothing)"),
    )  # fmt: skip
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def bulk(self, request: Request) -> Response:
        body = s.BulkRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        keep = ("version", "change_reason")
        items = [s.service_data(raw, keep) for raw in body.validated_data["projects"]]
        results = project_services.upsert_projects(user=request.user, items=items)
        counts = {k: sum(r.result == k for r in results) for k in ("created", "updated",
                                                                    "unchanged")}  # fmt: skip
        return Response({**counts, "results": [
            {"index": r.index, "reference": r.project.reference, "id": r.project.pk,
             "version": r.project.version, "result": r.result} for r in results
        ]})  # fmt: skip


class _ReviewedReadViewSet(
    WorkflowActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Read and move through the workflow (``engine.perform``); the engine checks each action."""

    permission_classes = [IsAuthenticated, ReviewedObjectAccess]

    def check_object_permissions(self, request, obj) -> None:
        if self.action in WORKFLOW_ACTIONS:
            return
        super().check_object_permissions(request, obj)

    @action(detail=False)
    def queue(self, request: Request) -> Response:
        return self.list(request)


@extend_schema_view(queue=extend_schema(summary=_("Plans waiting for my approval"),
                                        responses=s.PlanSerializer(many=True)))  # fmt: skip
class PlanViewSet(_ReviewedReadViewSet):
    """Level-3 plans you may see (as the plan pages scope them), with their targets (values per
    year) and links and the actions you may take now. Another agency's draft is a 404."""

    serializer_class = s.PlanSerializer
    filterset_class = PlanApiFilter
    permission_classes = [IsAuthenticated, PlanAccess]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        if self.action == "queue":
            return plan_selectors.review_queue_full(self.request.user)
        return plan_selectors.plans_full(self.request.user).order_by("-year_from", "-id")

    def _read(self, pk: int) -> Response:
        return Response(self.get_serializer(plan_selectors.plans_full(self.request.user)
                                            .get(pk=pk)).data)  # fmt: skip

    @extend_schema(request=s.PlanInputSerializer, responses={201: s.PlanSerializer},
                   summary=_("Enter a Level-3 plan (a draft)"))  # fmt: skip
    def create(self, request: Request) -> Response:
        body = s.PlanInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = plan_services.save_plan_data(user=request.user, data=body.service_data())
        response = self._read(plan.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=s.PlanInputSerializer, responses=s.PlanSerializer,
                   summary=_("Change a plan (send the version you read)"))  # fmt: skip
    def partial_update(self, request: Request, pk: int) -> Response:
        plan = self.get_object()
        body = s.PlanInputSerializer(plan, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        plan_services.save_plan_data(
            user=request.user, data=body.service_data(), plan=plan,
            expected_version=v.get("version"), reason=v.get("change_reason", ""),
        )  # fmt: skip
        return self._read(plan.pk)

    @extend_schema(methods=["GET"], summary=_("Download the plan document (PDF)"),
                   responses=file_responses("application/pdf"))  # fmt: skip
    @extend_schema(methods=["POST"], summary=_("Upload the plan document (a PDF, checked by its "
                                               "content)"),
                   request={"multipart/form-data": s.PlanDocumentSerializer},
                   responses=s.PlanSerializer)  # fmt: skip
    @action(detail=True, methods=["get", "post"], filterset_class=None,
            parser_classes=[MultiPartParser, FormParser],
            content_negotiation_class=AnyAccept)  # fmt: skip
    def document(self, request: Request, pk: int) -> Response:
        plan = self.get_object()
        if request.method == "GET":
            if not plan.document:
                raise exceptions.NotFound(_("The plan has no document yet."))
            return send_file(plan.document, plan.document_name or "plan.pdf", plan_services.PDF)
        body = s.PlanDocumentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        try:
            plan_services.save_plan_data(
                user=request.user, data={}, plan=plan, expected_version=v.get("version"),
                reason=v.get("change_reason", ""), document=v["file"],
            )  # fmt: skip
        except DjangoValidationError as exc:
            raise invalid_file(exc) from exc
        return self._read(plan.pk)


@extend_schema_view(
    queue=extend_schema(summary=_("Progress reports waiting for my approval"),
                        responses=s.ProgressReportSerializer(many=True)),
)  # fmt: skip
class ProgressReportViewSet(AttachmentsMixin, _ReviewedReadViewSet):
    """Progress reports you may see (as the progress pages scope them), with their rows:
    activity progress, disbursement per budget source and KPI actuals."""

    serializer_class = s.ProgressReportSerializer
    filterset_class = ProgressReportFilter
    attachment_model = ReportAttachment
    attachment_owner = "report"
    attachment_services = progress_services

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProgressReport.objects.none()
        if self.action == "queue":
            return progress_selectors.review_queue_full(self.request.user)
        return progress_selectors.reports_full(self.request.user).order_by("-updated_at", "-id")

    @extend_schema(
        request=s.StartReportSerializer, responses={201: s.ProgressReportSerializer},
        summary=_("Start a progress report for a quarter (a draft, rows prefilled)"),
    )  # fmt: skip
    def create(self, request: Request) -> Response:
        body = s.StartReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            project = project_selectors.project_for_page(request.user, data["project"])
        except Project.DoesNotExist as exc:
            raise Http404 from exc
        report = progress_services.start_report(
            project, request.user, data["kind"], data.get("fiscal_year"), data.get("quarter")
        )
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProgressReportInputSerializer, responses=s.ProgressReportSerializer,
                   summary=_("Fill a report: texts, activity progress, disbursement, KPI "
                             "actuals (send the version you read)"))  # fmt: skip
    def partial_update(self, request: Request, pk: int) -> Response:
        report = self.get_object()
        body = s.ProgressReportInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        progress_services.save_report_data(
            user=request.user, report=report, data=body.service_data(),
            expected_version=v.get("version"), reason=v.get("change_reason", ""),
        )  # fmt: skip
        report = progress_selectors.reports_full(request.user).get(pk=report.pk)
        return Response(self.get_serializer(report).data)


# --- report jobs --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("My report jobs")),
    retrieve=extend_schema(summary=_("A report job: its state and progress (poll this)")),
)
class ReportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Report jobs built by the Celery worker (``reports/services.py``): start one, poll its
    state and progress, download the file when done, retry a failed one. Only your own jobs
    exist for you (``access.scope_report_jobs``)."""

    serializer_class = s.ReportJobSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportJob.objects.none()
        return report_selectors.jobs_of(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        request=s.ReportJobStartSerializer,
        responses={201: s.ReportJobSerializer, 200: s.ReportJobSerializer},
        summary=_("Start a report job"),
        description=_("201 with a new job; 200 with your identical job (same report, format "
                      "and filters) still queued or being built."),
    )  # fmt: skip
    def create(self, request: Request) -> Response:
        body = s.ReportJobStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = self._start(request.user, body.validated_data)
        again = getattr(job, "already_started", False)
        started = status.HTTP_200_OK if again else status.HTTP_201_CREATED
        return Response(self.get_serializer(job).data, status=started)

    def _start(self, user, data: dict) -> ReportJob:
        # The browser's own forms check the filters, so a job started here selects what the
        # report page would.
        if data["report"] == Report.PROJECT_FORM:
            try:
                project = project_selectors.project_for_page(user, data["project"])
                return report_services.start_project_form(user, project)
            except Project.DoesNotExist as exc:
                raise Http404 from exc
        if data["report"] == Report.MASTER_PLAN:
            form = MasterPlanForm({"fiscal_year": data["fiscal_year"],
                                   "format": data.get("format")})  # fmt: skip
            if not form.is_valid():
                raise exceptions.ValidationError(form.errors)
            return report_services.start_master_plan(
                user, form.cleaned_data["fiscal_year"], form.cleaned_data["format"]
            )
        if data["report"] == Report.AGENCY_QUARTER:
            try:  # the service checks the agency (one the user sees) and the quarter
                return report_services.start_agency_quarter(
                    user, data["agency"], data["fiscal_year"], data["quarter"]
                )
            except DjangoValidationError as exc:
                raise exceptions.ValidationError(exc.message_dict) from exc
        fields = {k: data[k] for k in ("fiscal_year", "agency", "status", "master_plan")
                  if k in data}  # fmt: skip
        form = PortfolioForm({"format": data.get("format", "xlsx"), **fields}, user=user)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        try:
            return report_services.start_portfolio(user, form.cleaned_data["format"],
                                                   form.filters())  # fmt: skip
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"format": exc.messages}) from exc

    @extend_schema(responses=file_responses(*sorted({"application/pdf", "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})),
        summary=_("Download the report (once its state is done)"))  # fmt: skip
    @action(detail=True, content_negotiation_class=AnyAccept)
    def download(self, request: Request, pk: int) -> FileResponse:
        job = self.get_object()
        if report_selectors.withdrawn(request.user, job):
            raise exceptions.NotFound(WITHDRAWN)
        if not report_selectors.downloadable(request.user, job):
            raise exceptions.NotFound(_("The report is not ready: %(state)s.")
                                      % {"state": job.get_state_display()})  # fmt: skip
        return send_file(job.file, job.filename, job.content_type)

    @extend_schema(request=None, responses=s.ReportJobSerializer,
                   summary=_("Start a failed or expired report again"))  # fmt: skip
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: int) -> Response:
        job = self.get_object()
        try:
            report_services.retry(job)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"non_field_errors": exc.messages}) from exc
        return Response(self.get_serializer(self.get_object()).data)


class SuggestView(APIView):
    """The best-fitting strategy targets for a project text (as ``manage.py linkage_suggest``)."""

    @extend_schema(request=s.SuggestRequestSerializer, responses=s.SuggestResponseSerializer,
                   summary=_("Suggest strategy targets for a project text"))  # fmt: skip
    def post(self, request: Request) -> Response:
        body = s.SuggestRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        suggestions = linkage_services.suggest(
            data["title"], data.get("objective", ""), data.get("kpi", ""),
            edition=data.get("edition"),
        )  # fmt: skip
        return Response({"suggestions": suggestions})


class MeView(APIView):
    """Who you are and your roles (to check a token)."""

    @extend_schema(responses=s.ApiTokenInfoSerializer)
    def get(self, request: Request) -> Response:
        roles = [
            {"role": m.role, "agency": m.agency.code, "agency_name": m.agency.name_th}
            for m in memberships_of(request.user)
        ]
        return Response({"username": request.user.get_username(), "roles": roles})
