"""django-import-export resources for the hierarchy: the one definition of the file format.

Columns: edition, kind, code, parent_code, number, title_th, title_en, full_title_th, source.
A row is identified by edition + code; a row without a code (public sources sometimes print
none) by edition + kind + Thai title. ``parent_code`` names a node of the same edition.
"""

from __future__ import annotations

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from core import thai
from core.exports import safe_cell

from .models import KIND_RULES, Edition, Kind, Node

COLUMNS = (
    "edition",
    "kind",
    "code",
    "parent_code",
    "number",
    "title_th",
    "title_en",
    "full_title_th",
    "source",
)
# Set by the import service: the row's line in the uploaded file, for messages.
LINE_COLUMN = "__line"
REQUIRED_COLUMNS = ("edition", "kind", "code", "parent_code", "title_th")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return thai.normalize_cell(str(value))


class Lookup:
    """The editions and nodes one import refers to, read once per edition instead of once per
    row (a row otherwise costs a query for its edition, its parent and itself: a 5,000-row
    file took minutes). Nodes saved by the import are added as they are saved."""

    def __init__(self) -> None:
        self._editions: dict[str, Edition] | None = None
        self._nodes: dict[str, dict[tuple, Node]] = {}

    def editions(self) -> dict[str, Edition]:
        if self._editions is None:
            self._editions = {e.code: e for e in Edition.objects.all()}
        return self._editions

    def _in(self, edition: str) -> dict[tuple, Node]:
        if edition not in self._nodes:
            self._nodes[edition] = {}
            nodes = list(Node.objects.filter(edition__code=edition).select_related("edition"))
            by_id = {node.pk: node for node in nodes}
            for node in nodes:
                if node.parent_id in by_id:  # so comparing a row with its node reads no more
                    node.parent = by_id[node.parent_id]
                self._remember(edition, node)
        return self._nodes[edition]

    def _remember(self, edition: str, node: Node) -> None:
        key = ("code", node.code) if node.code else ("title", node.kind, node.title_th)
        self._nodes[edition][key] = node

    def node(self, edition: str, code: str) -> Node | None:
        return self._in(edition).get(("code", code))

    def untitled(self, edition: str, kind: str, title: str) -> Node | None:
        """A node without a code, matched by kind and Thai title."""
        return self._in(edition).get(("title", kind, title))

    def saved(self, node: Node) -> None:
        edition = node.edition.code
        self._in(edition)
        self._remember(edition, node)


class EditionWidget(widgets.ForeignKeyWidget):
    lookup: Lookup | None = None  # set by NodeResource

    def __init__(self) -> None:
        super().__init__(Edition, "code")

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        if not code:
            raise ValueError(_("The edition is missing."))
        editions = (self.lookup or Lookup()).editions()
        edition = editions.get(code)
        if edition is None:
            known = ", ".join(sorted(editions))
            raise ValueError(
                _("Unknown edition “%(code)s”. Known editions: %(known)s.")
                % {"code": code, "known": known}
            )
        return edition


class KindWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        kind = _text(value)
        if kind not in KIND_RULES:
            raise ValueError(
                _("Unknown kind “%(kind)s”. Use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(KIND_RULES)}
            )
        return kind


class ParentWidget(widgets.ForeignKeyWidget):
    """The parent, looked up by code inside the row's own edition."""

    lookup: Lookup | None = None  # set by NodeResource

    def __init__(self) -> None:
        super().__init__(Node, "code")

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        if not code:
            return None
        edition = _text((row or {}).get("edition"))
        parent = (self.lookup or Lookup()).node(edition, code)
        if parent is None:
            raise ValueError(
                _("Unknown parent code “%(code)s” in edition %(edition)s.")
                % {"code": code, "edition": edition}
            )
        return parent

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)


class NumberWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class NodeResource(resources.ModelResource):
    edition = fields.Field(attribute="edition", column_name="edition", widget=EditionWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=KindWidget())
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    parent_code = fields.Field(attribute="parent", column_name="parent_code", widget=ParentWidget())
    number = fields.Field(attribute="number", column_name="number", widget=NumberWidget())
    title_th = fields.Field(attribute="title_th", column_name="title_th", widget=TextWidget())
    title_en = fields.Field(attribute="title_en", column_name="title_en", widget=TextWidget())
    full_title_th = fields.Field(
        attribute="full_title_th", column_name="full_title_th", widget=TextWidget()
    )
    source = fields.Field(attribute="source", column_name="source", widget=TextWidget())

    class Meta:
        model = Node
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ("edition", "code")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._seen: dict[tuple, int] = {}
        self.lookup = Lookup()
        for name in ("edition", "parent_code"):  # this resource's own (deep-copied) fields
            self.fields[name].widget.lookup = self.lookup

    def export(self, *args, **kwargs) -> tablib.Dataset:
        """The rows with every formula-like text behind an apostrophe (core.exports.safe_cell),
        as in every other download: the file opens in Excel without running a title as a
        formula. Not django-import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT: it drops
        the "=" (the title "=A1" would come out as "A1") and lets "+", "-" and "@" through."""
        data = super().export(*args, **kwargs)
        return tablib.Dataset(*([safe_cell(v) for v in row] for row in data), headers=data.headers)

    def get_export_queryset(self, request=None):
        return Node.objects.select_related("edition", "parent").order_by(
            "edition__code", "kind", "code", "id"
        )

    def get_queryset(self):
        return Node.objects.select_related("edition", "parent")

    @staticmethod
    def row_key(row) -> tuple:
        """What makes a row unique in a file: edition + code, or edition + kind + title."""
        code = _text(row.get("code"))
        if code:
            return (_text(row.get("edition")), code)
        return (_text(row.get("edition")), _text(row.get("kind")), _text(row.get("title_th")))

    def before_import_row(self, row, row_number=None, **kwargs) -> None:
        line = row.get(LINE_COLUMN, row_number)
        first = self._seen.setdefault(self.row_key(row), line)
        if first != line:
            column = "code" if _text(row.get("code")) else "title_th"
            raise ValidationError(
                {column: _("Duplicate of row %(row)s in this file.") % {"row": first}}
            )
        if not _text(row.get("code")) and not _text(row.get("title_th")):
            raise ValidationError({"code": _("A row needs a code or a Thai title.")})

    def get_instance(self, instance_loader, row):
        code, edition = _text(row.get("code")), _text(row.get("edition"))
        if code:
            return self.lookup.node(edition, code)
        return self.lookup.untitled(edition, _text(row.get("kind")), _text(row.get("title_th")))

    def after_save_instance(self, instance, row, **kwargs) -> None:
        self.lookup.saved(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # A field that failed to parse already has its message; the model's own checks must
        # not add a second, misleading one (an unknown parent is not a "missing parent").
        errors = dict(import_validation_errors or {})
        try:
            # The edition and parent were just read from the database, and uniqueness holds by
            # construction (a row matches its stored node by the natural key; before_import_row
            # refuses duplicates in the file; the constraint stays in the database): skipping
            # those checks saves four queries a row.
            instance.full_clean(
                exclude=[*errors, "edition", "parent"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in errors:
                    errors[field] = messages
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)


def kind_labels() -> dict[str, str]:
    return {k.value: str(k.label) for k in Kind}
