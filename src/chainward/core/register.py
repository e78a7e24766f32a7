"""A register declaration: one class per model gives it list, detail, edit, archive, import,
export, API and search — the same machinery for every record type. Declarations are kept in the
one registry (`core.registry`), on their model's entry.

A record's fields are declared once (`Register.fields`, with `read_only_fields`); the form, the
detail page, the import columns, the pre-fill from the query string and the API serializer are
derived from that declaration (`derive_field_lists`, `Register.get_serializer_class`). A path
that genuinely differs sets its own narrower list, with a comment saying why;
`declaration_problems` reports every list or serializer that drifts from the declaration.
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.forms import modelform_factory
from django.urls import get_script_prefix, get_urlconf, include, path, reverse

from .columns import Column
from .forms import RecordForm, formfield_for
from .registry import get_register, registration

# The API's identity and bookkeeping fields of a record, listed before its own fields.
RECORD_FIELDS = ("id", "url", "reference", "organisation", "version", "archived", "created_at",
                 "updated_at")


class Register:
    """Declares how one registered model appears in the UI and the API."""

    model = None
    url_prefix = ""  # e.g. "sites"
    menu_group = ""  # navigation group label
    menu_label = ""  # defaults to the plural verbose name
    columns = ()  # Column objects or field names, first one links to the record
    export_columns = None  # defaults to `columns` plus reference
    filterset_class = None
    # --- the record's fields: declared once --------------------------------------------------
    fields = ()  # model fields of the record, in the order people read them
    read_only_fields = ()  # of `fields`: set by a workflow or computed; shown, never entered
    api_extra_fields = ()  # computed values (model properties) the API adds, read-only
    api_record_fields = RECORD_FIELDS  # the API's identity and bookkeeping fields, first
    # Derived from `fields` unless a register sets a narrower list (say why where you do):
    form_fields = None  # create/edit form: `fields` without the read-only ones
    detail_fields = None  # detail page: `fields`
    import_fields = None  # import columns: the form fields, when `can_import`
    api_fields = None  # API (after api_record_fields): `fields`
    initial_from_query = None  # pre-filled from ?field=<id>: the form's single relations
    # The form in titled sections, in reading order: ((title, (field, …)), …), shown as
    # fieldsets in two columns on wide screens. A name ending in "*" takes every form field it
    # starts (fields a form adds at run time, e.g. one per matrix category); a field no section
    # names follows in a last "Other details" section. None: one list, in `form_fields` order.
    form_sections = None
    form_class = RecordForm
    related_panels = ()  # RelatedPanel objects shown on the detail page
    # Risk levels shown as badges in their matrix colour (ISO 28001 5.3) in the list, the
    # related panels and on the detail page: {column or field name: function(record) ->
    # (label, colour), or None to show the plain value}. Read only what the list's queryset
    # already joins or annotates: it runs once per row.
    level_badges = {}
    select_related = ()
    prefetch_related = ()
    import_required = ()  # columns an import file must have
    import_lookups = {}  # related field -> lookup field (default "reference")
    # The class the API serializer is built on (custom fields, validation, representation);
    # its `Meta` is generated from the declaration (`get_serializer_class`).
    serializer_class = None
    # A RecordViewSet subclass with extra API actions (e.g. a workflow step); the generated
    # viewset is built on it instead of on RecordViewSet.
    viewset_base = None
    detail_template = "core/detail.html"
    # Records made by a page of their own rather than the add form (e.g. an evidence pack,
    # produced by a job): ((button label, URL name, permission), …) shown on the list page to
    # those holding the permission, where "Add" would be.
    list_links = ()
    can_add = True
    can_import = True
    api_can_add = True  # False: records are created through the UI only

    _explicit_lists = frozenset()  # the derived lists a class (or its parents) set by hand

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        derive_field_lists(cls)

    def __init__(self):
        self.registration = registration(self.model)
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

    def after_archive(self, user, obj, archived):
        """Run by `core.services.set_archived` after a record of this model is archived
        (`archived` True) or restored (False), from every path (UI, API, services), in the same
        transaction: records derived from it follow (override when needed)."""

    def empty_note(self):
        """For a related-record picker with nothing to choose, offered to someone who may add
        a record here: `{"text", "url", "link"}` parts replacing the generic "No … yet. Add
        a …" (override to name the missing step, e.g. "Create the default matrix")."""
        return {}

    def detail_context(self, obj, request):
        """Extra context for the detail page (override for summaries such as readiness)."""
        return {}

    # --- forms and serializers -----------------------------------------------------------
    def form_layout(self, form):
        """The visible fields of `form` in the declared sections (`FormSection`s), or None
        for a register that declares none (its form is one list)."""
        if not self.form_sections:
            return None
        return form_layout(form, self.form_sections)

    def get_form_class(self):
        """The ModelForm used to create and edit records."""
        return modelform_factory(self.model, form=self.form_class, fields=self.form_fields,
                                 formfield_callback=formfield_for)

    def get_serializer_class(self):
        """The API serializer: `serializer_class` (default `core.api.RecordSerializer`) with a
        `Meta` generated from the declaration — api_record_fields, api_fields,
        api_extra_fields, then the fields the base class declares itself."""
        cached = self.__dict__.get("_serializer")
        if cached is not None:
            return cached
        from .api import RecordSerializer

        base = self.serializer_class or RecordSerializer
        base_meta = getattr(base, "Meta", None)
        if base_meta is not None and any(hasattr(base_meta, name) for name in (
                "model", "fields", "exclude", "read_only_fields")):
            raise ImproperlyConfigured(
                f"{base.__name__}: declare the fields on {type(self).__name__} "
                "(fields, read_only_fields, api_fields), not in the serializer's Meta.")
        names = [*self.api_record_fields, *self.api_fields, *self.api_extra_fields]
        names += [name for name in base._declared_fields if name not in names]
        meta = type("Meta", (base_meta,) if base_meta else (), {
            "model": self.model, "fields": tuple(names),
            "read_only_fields": tuple(self.read_only_fields)})
        self._serializer = type(f"{self.model.__name__}Serializer", (base,), {
            "Meta": meta, "__module__": base.__module__,
            "__doc__": base.__doc__ if base is not RecordSerializer else None})
        return self._serializer

    # --- urls --------------------------------------------------------------------------------
    def url_name(self, view):
        """e.g. `supplychain:site_list`."""
        return f"{self.app_label}:{self.model_name}_{view}"

    def _url(self, view):
        """`reverse()` of one of this register's routes, remembered: the navigation asks for
        every register's list on every page (about 80 reversals a page otherwise). The key holds
        what a reversal depends on besides the name, so a test's urlconf or a script prefix
        gets its own answer."""
        key = (view, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
        urls = self.__dict__.setdefault("_reversed", {})
        if key not in urls:
            urls[key] = reverse(self.url_name(view))
        return urls[key]

    @property
    def list_url(self):
        return self._url("list")

    @property
    def add_url(self):
        return self._url("add")

    @property
    def import_url(self):
        return self._url("import")

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


class FormSection:
    """A titled group of a form's visible bound fields."""

    def __init__(self, title, fields):
        self.title, self.fields = title, fields

    def __repr__(self):
        return f"FormSection({self.title!r}, {[f.name for f in self.fields]!r})"


OTHER_SECTION = "Other details"


def _section_names(form_names, declared):
    """The form fields a section's declared names take, in the declared order."""
    names = []
    for entry in declared:
        if entry.endswith("*"):
            names += [n for n in form_names if n.startswith(entry[:-1]) and n not in names]
        elif entry in form_names and entry not in names:
            names.append(entry)
    return names


def form_layout(form, sections):
    """`form`'s visible fields grouped by `sections` (see `Register.form_sections`); each field
    once, in the first section naming it, the unnamed ones in a last "Other details"."""
    visible = {field.name: field for field in form.visible_fields()}
    placed, layout = set(), []
    for title, declared in sections:
        names = [n for n in _section_names(list(visible), declared) if n not in placed]
        placed.update(names)
        if names:
            layout.append(FormSection(title, [visible[n] for n in names]))
    rest = [field for name, field in visible.items() if name not in placed]
    if rest:
        layout.append(FormSection(OTHER_SECTION, rest))
    return layout


def without(names, *excluded):
    """`names` in their order, less `excluded`: a narrower list said as what it leaves out."""
    return tuple(name for name in names if name not in excluded)


def derive_field_lists(cls):
    """Fill the per-path field lists a register class did not set from its `fields`."""
    explicit = set(cls._explicit_lists) | {
        name for name in ("form_fields", "detail_fields", "import_fields", "api_fields",
                          "initial_from_query") if cls.__dict__.get(name) is not None}
    cls._explicit_lists = frozenset(explicit)
    read_only = set(cls.read_only_fields)
    if "form_fields" not in explicit:
        cls.form_fields = tuple(f for f in cls.fields if f not in read_only)
    if "detail_fields" not in explicit:
        cls.detail_fields = tuple(cls.fields)
    if "api_fields" not in explicit:
        cls.api_fields = tuple(cls.fields)
    if "import_fields" not in explicit:
        cls.import_fields = tuple(cls.form_fields) if cls.can_import else ()
    if "initial_from_query" not in explicit:
        # Any single related record of the form can be named by id in a link ("Add" on a
        # related panel); the value is only an initial choice, checked again on submit.
        cls.initial_from_query = tuple(
            name for name in cls.form_fields
            if cls.model is not None and _is_single_relation(cls.model, name))


def _is_single_relation(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(field.many_to_one or field.one_to_one)


def declaration_problems(register):
    """How a register's form, detail, import, pre-fill and API lists drift from its declared
    `fields` (an empty list when they agree). Run for every register by the tests."""
    problems = []
    name = type(register).__name__
    meta = register.model._meta
    declared = list(register.fields)
    if not declared:
        problems.append(f"{name} declares no fields")
    for field_name in declared:
        try:
            field = meta.get_field(field_name)
        except FieldDoesNotExist:
            problems.append(f"{name}.fields: {field_name} is not a field of {meta.label}")
            continue
        if not field.editable and field_name not in register.read_only_fields:
            problems.append(f"{name}.fields: {field_name} cannot be edited; list it in "
                            "read_only_fields")
    if len(set(declared)) != len(declared):
        problems.append(f"{name}.fields names a field twice")
    editable = [f for f in declared if f not in register.read_only_fields]
    for attr, allowed in (("read_only_fields", declared), ("form_fields", editable),
                          ("detail_fields", declared), ("api_fields", declared),
                          ("import_fields", register.form_fields),
                          ("import_required", register.import_fields),
                          ("initial_from_query", register.form_fields)):
        stray = [f for f in getattr(register, attr) if f not in allowed]
        if stray:
            problems.append(f"{name}.{attr}: {', '.join(stray)} not in the declaration")
    stray = [f for f in register.import_lookups if f not in register.import_fields]
    if stray:
        problems.append(f"{name}.import_lookups: {', '.join(stray)} not imported")
    if register.can_import and not register.import_fields:
        problems.append(f"{name}: can_import but no import_fields")
    form_fields = register.get_form_class()().fields
    missing = [f for f in register.form_fields if f not in form_fields]
    if missing:
        problems.append(f"{name}: the form lacks {', '.join(missing)}")
    problems += _section_problems(name, register, form_fields)
    serializer = register.get_serializer_class()()
    api = serializer.fields
    expected = [*register.api_record_fields, *register.api_fields, *register.api_extra_fields]
    missing = [f for f in expected if f not in api]
    if missing:
        problems.append(f"{name}: the serializer lacks {', '.join(missing)}")
    for field_name in register.api_fields:
        if field_name not in api:
            continue
        read_only = field_name in register.read_only_fields
        if api[field_name].read_only != read_only:
            problems.append(f"{name}: the serializer's {field_name} is "
                            f"{'read-only' if api[field_name].read_only else 'writable'}, "
                            f"the declaration says {'read-only' if read_only else 'writable'}")
    for field_name in register.api_extra_fields:
        if field_name in api and not api[field_name].read_only:
            problems.append(f"{name}: the serializer's {field_name} is writable; API extras "
                            "are read-only")
    return problems


def _section_problems(name, register, form_fields):
    """How `form_sections` drifts from the form: a stray or repeated name, a form field of the
    declaration left out of every section."""
    if not register.form_sections:
        return []
    problems, named = [], []
    for title, declared in register.form_sections:
        if not title or isinstance(declared, str):
            problems.append(f"{name}.form_sections: give each section a title and a tuple "
                            "of field names")
            continue
        for entry in declared:
            taken = _section_names(list(form_fields), [entry])
            if not taken and not entry.endswith("*"):
                problems.append(f"{name}.form_sections: {entry} is not a field of the form")
            named += taken
    repeated = sorted({n for n in named if named.count(n) > 1})
    if repeated:
        problems.append(f"{name}.form_sections: {', '.join(repeated)} in more than one section")
    left_out = [f for f in register.form_fields if f not in named]
    if left_out:
        problems.append(f"{name}.form_sections: {', '.join(left_out)} in no section")
    return problems


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
        queryset = register.scoped(user, organisation).filter(archived=False)
        if "__" in self.lookup:
            # Through a to-many relation (an incident's investigations) a join would repeat a
            # record once per path; a subquery lists each once, without DISTINCT.
            queryset = queryset.filter(pk__in=register.model.objects.filter(
                **{self.lookup: obj.pk}).values("pk"))
        else:
            queryset = queryset.filter(**{self.lookup: obj.pk})
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

