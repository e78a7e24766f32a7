"""A register declaration: one class per model gives it list, detail, edit, archive, import,
export, API and search — the same machinery for every record type.
"""

from django.forms import modelform_factory
from django.urls import include, path, reverse

from .columns import Column
from .forms import RecordForm, formfield_for
from .registry import registration

_registers = {}


class Register:
    """Declares how one registered model appears in the UI and the API."""

    model = None
    url_prefix = ""  # e.g. "sites"
    menu_group = ""  # navigation group label
    menu_label = ""  # defaults to the plural verbose name
    columns = ()  # Column objects or field names, first one links to the record
    export_columns = None  # defaults to `columns` plus reference
    search_fields = ()  # ORM lookups searched by `q` and by the global search
    filterset_class = None
    form_fields = None  # fields of the create/edit form
    form_class = RecordForm
    detail_fields = None  # defaults to form_fields
    related_panels = ()  # RelatedPanel objects shown on the detail page
    select_related = ()
    prefetch_related = ()
    import_fields = ()  # columns an import file may have
    import_required = ()  # columns an import file must have
    import_lookups = {}  # related field -> lookup field (default "reference")
    initial_from_query = ()  # fields that may be pre-filled from ?field=<id>
    serializer_class = None
    # A RecordViewSet subclass with extra API actions (e.g. a workflow step); the generated
    # viewset is built on it instead of on RecordViewSet.
    viewset_base = None
    detail_template = "core/detail.html"
    can_add = True
    can_import = True
    api_can_add = True  # False: records are created through the UI only

    def __init__(self):
        self.registration = registration(self.model)
        if self.registration is None:
            raise LookupError(f"{self.model._meta.label} must be registered before declaring a "
                              "register for it.")
        meta = self.model._meta
        self.label = meta.label_lower
        self.app_label, self.model_name = meta.app_label, meta.model_name
        self.verbose_name, self.verbose_name_plural = meta.verbose_name, meta.verbose_name_plural
        self.menu_label = self.menu_label or str(meta.verbose_name_plural).capitalize()
        self.bound_columns = [self._column(c) for c in self.columns]
        if self.bound_columns:
            self.bound_columns[0].link = True
        export = self.export_columns or (
            (["reference"] if hasattr(self.model, "reference") else []) + list(self.columns))
        self.bound_export_columns = [self._column(c) for c in export]

    def _column(self, column):
        column = Column(column) if isinstance(column, str) else Column(**vars(column))
        return column.bind(self.model)

    # --- querysets ---------------------------------------------------------------------------
    def base_queryset(self):
        """All records with the joins every list row needs."""
        queryset = self.model.objects.all()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def scoped(self, user, organisation, action="view"):
        """Records of the active organisation on which `user` holds `action`."""
        org_filter = {self.registration.organisation_path: getattr(organisation, "pk", None)}
        return self.base_queryset().restrict(user, action).filter(**org_filter)

    def after_save(self, user, obj, created):
        """Run by `core.services.save_record` after every save of a record of this model, from
        every path (UI, API, import, services, demo), in the saving transaction and before the
        scope re-check; many-to-many values are already set. Raise ValidationError or
        PermissionDenied to refuse the save (override when needed)."""

    def detail_context(self, obj, request):
        """Extra context for the detail page (override for summaries such as readiness)."""
        return {}

    # --- forms -------------------------------------------------------------------------------
    def get_form_class(self):
        """The ModelForm used to create and edit records."""
        return modelform_factory(self.model, form=self.form_class, fields=self.form_fields,
                                 formfield_callback=formfield_for)

    # --- urls --------------------------------------------------------------------------------
    def url_name(self, view):
        """e.g. `supplychain:site_list`."""
        return f"{self.app_label}:{self.model_name}_{view}"

    @property
    def list_url(self):
        return reverse(self.url_name("list"))

    @property
    def add_url(self):
        return reverse(self.url_name("add"))

    @property
    def import_url(self):
        return reverse(self.url_name("import"))

    def get_urls(self):
        """The UI routes of this register."""
        from . import views

        name = self.model_name
        kwargs = {"register": self}
        return [
            path(f"{self.url_prefix}/", include([
                path("", views.ObjectListView.as_view(**kwargs), name=f"{name}_list"),
                path("add/", views.ObjectEditView.as_view(**kwargs), name=f"{name}_add"),
                path("import/", views.ObjectImportView.as_view(**kwargs), name=f"{name}_import"),
                path("<int:pk>/", views.ObjectDetailView.as_view(**kwargs),
                     name=f"{name}_detail"),
                path("<int:pk>/edit/", views.ObjectEditView.as_view(**kwargs),
                     name=f"{name}_edit"),
                path("<int:pk>/archive/", views.ObjectArchiveView.as_view(archive=True, **kwargs),
                     name=f"{name}_archive"),
                path("<int:pk>/restore/", views.ObjectArchiveView.as_view(archive=False, **kwargs),
                     name=f"{name}_restore"),
                path("<int:pk>/comments/", views.ObjectCommentView.as_view(**kwargs),
                     name=f"{name}_comment"),
            ])),
        ]


class RelatedPanel:
    """A table of related records on a detail page, e.g. a site's outbound legs."""

    def __init__(self, title, register_class, lookup, *, add_field=None):
        self.title = title
        self.register_class = register_class
        self.lookup = lookup  # ORM filter from the related model back to this record
        self.add_field = add_field  # ?<field>=<pk> pre-fills the add form

    def rows(self, obj, user, organisation, limit=25):
        """Visible related records (at most `limit`) and their total count."""
        register = get_register(self.register_class.model)
        queryset = register.scoped(user, organisation).filter(**{self.lookup: obj.pk},
                                                              archived=False)
        return register, list(queryset[:limit]), queryset.count()

    def columns(self, register, limit=5):
        """The related register's first columns, without the one that would repeat this
        record on every row (a document's versions need no "document" column); the first
        remaining column links to the row's record."""
        from dataclasses import replace

        back = self.lookup.split("__")[0]
        columns = [c for c in register.bound_columns if c.accessor.split(".")[0] != back]
        columns = columns[:limit]
        if columns and not columns[0].link:
            columns[0] = replace(columns[0], link=True)
        return columns


def add_register(register_class):
    """Instantiate and remember a register; used as a class decorator in `<app>/registers.py`."""
    _registers[register_class.model._meta.label_lower] = register_class()
    return register_class


def get_register(model_or_label):
    """The register instance of a model (class, instance or label)."""
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower
    return _registers[label]


def find_register(model_or_label):
    """The register instance of a model, or None when it has no register."""
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower
    return _registers.get(label)


def all_registers():
    """Every declared register."""
    return list(_registers.values())
