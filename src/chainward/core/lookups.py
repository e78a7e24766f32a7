"""Type-ahead pickers for related records, backed by one scoped, paginated lookup endpoint.

A select of every site, leg or partner grows with the supply chain: the risk register page made
10,015 queries at 500 sites, 5,000 legs and 5,000 partners (issue 11). So no register form or
filter set renders its related records as options. `use_lookups` (called by `RecordForm` and
`RecordFilterSet`, so every register gets it) gives each ModelChoice/ModelMultipleChoice field a
widget that renders only the selected values, by label; Tom Select (the pinned
django-tomselect package's build, wired by `static/chainward/lookup.js`) fetches the rest from
`/lookup/<app_label>.<model>/<field>/?q=…&page=…` as JSON.

The endpoint rebuilds the very form (or filter set) the field belongs to, with the same user,
organisation and record, and pages through that field's own queryset — the choices the form
validates against, already scoped by `scope_choices`/`scoped_choices` and narrowed by the
domain form (e.g. a plan owner among the assessment team). On top of that a registered target
is intersected with `restrict(user, "view")` in the active organisation and people with the
organisation's members, so a label outside the user's scope never leaves the server whatever a
form does.

We use django-tomselect for the Tom Select it ships, not for its widgets and views: those
render an inline script per field (our CSP allows none) and are declared model by model,
whereas this endpoint is derived from the registry, so a new register cannot repeat the fault.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.urls import reverse

from .bounds import id_or_none
from .registry import get_register, registration

PAGE_SIZE = 20
MAX_PAGE = 10_000
# Fields a label is usually made of, searched when the target has no register search fields.
LABEL_FIELDS = ("name", "title", "code", "reference", "ref_id", "identifier", "email",
                "full_name", "number")
# Foreign keys a label never reads (they are on every record).
NOT_IN_LABELS = {"organisation", "created_by", "updated_by"}


def label_paths(model, depth=2, prefix=""):
    """`select_related` paths for the foreign keys a record's label may follow (two levels):
    a leg's label names both its sites, a rating's its threat and target."""
    paths = []
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.name in NOT_IN_LABELS or field.many_to_many:
            continue
        path = f"{prefix}{field.name}"
        paths.append(path)
        if depth > 1:
            paths.extend(label_paths(field.related_model, depth - 1, f"{path}__"))
    return paths


def with_labels(queryset):
    """The queryset with the joins its records' labels need (one query for a page of them)."""
    paths = label_paths(queryset.model)
    return queryset.select_related(*paths) if paths else queryset


def group_field(model):
    """The foreign key options are grouped by: requirements by their framework."""
    try:
        field = model._meta.get_field("framework")
    except FieldDoesNotExist:
        return None
    return field.name if field.many_to_one else None


class LookupWidgetMixin:
    """Renders only the selected records (by label); Tom Select loads the rest on demand."""

    lookup_url = ""

    def optgroups(self, name, value, attrs=None):
        values = [v for v in (value or []) if v not in (None, "")]
        groups = []
        if not self.allow_multiple_selected:
            # The empty option: Tom Select's placeholder, and "none" for an optional field.
            groups.append((None, [self.create_option(name, "", self._empty_label(), False, 0)],
                           0))
        for index, (pk, label) in enumerate(self.selected(values), start=1):
            groups.append((None, [self.create_option(name, pk, label, True, index)], index))
        return groups

    def _empty_label(self):
        field = getattr(self.choices, "field", None)
        return getattr(field, "empty_label", None) or ""

    def selected(self, values):
        """(pk, label) of the selected records among the field's choices."""
        field = getattr(self.choices, "field", None)
        ids = [i for i in (id_or_none(v) for v in values) if i is not None]
        if field is None or not ids:
            return []
        rows = with_labels(field.queryset.filter(pk__in=ids))
        return [(obj.pk, field.label_from_instance(obj)) for obj in rows]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        attrs = context["widget"]["attrs"]
        attrs["data-lookup"] = self.lookup_url
        attrs["autocomplete"] = "off"
        return context


class LookupSelect(LookupWidgetMixin, forms.Select):
    """Single related record."""


class LookupSelectMultiple(LookupWidgetMixin, forms.SelectMultiple):
    """Several related records: chosen one by one, removed with a button, no Ctrl+click."""


def use_lookups(form, url_for):
    """Give every related-record field of `form` a lookup widget; `url_for(name)` is the
    endpoint of the field, or None to leave the field as it is."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField):
            continue
        if isinstance(field.widget, (forms.HiddenInput, forms.MultipleHiddenInput)):
            continue
        url = url_for(name)
        if url is None:
            continue
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        widget = (LookupSelectMultiple if multiple else LookupSelect)(attrs=dict(
            field.widget.attrs))
        widget.is_required = field.widget.is_required
        widget.lookup_url = url
        field.widget = widget
        widget.choices = field.choices


def register_lookup_url(label, name):
    """The lookup address of field `name` of the record form of register `label` (None if the
    form has no such field): for a page whose own form offers the same field, such as the
    invitation that adds people to the people register."""
    register = get_register(label)
    return reverse("lookup", args=[label, name]) if name in register.form_fields else None


def form_lookup_url(form, name):
    """The lookup address of a field of a register's record form (None if not a register's)."""
    model = form._meta.model
    try:
        register = get_register(model)
    except KeyError:
        return None
    if name not in register.form_fields:
        return None
    url = reverse("lookup", args=[register.label, name])
    return f"{url}?record={form.instance.pk}" if form.instance.pk else url


def filter_lookup_url(filterset, name):
    """The lookup address of a related filter of a register's filter set."""
    try:
        register = get_register(filterset._meta.model)
    except KeyError:
        return None
    if register.filterset_class is not type(filterset):
        return None
    return f"{reverse('lookup', args=[register.label, name])}?filter=1"


def _field_queryset(request, register, name):
    """The queryset of the named field, as the form or filter set of this request builds it."""
    user, organisation = request.user, request.organisation
    perm = f"{register.app_label}.%s_{register.model_name}"
    if request.GET.get("filter"):
        if not user.has_perm(perm % "view"):
            raise PermissionDenied("You may not see this register.")
        filterset = register.filterset_class(None, queryset=register.model.objects.none(),
                                             request=request)
        field = filterset.form.fields.get(name)
    else:
        record = request.GET.get("record")
        if record:
            pk = id_or_none(record)
            instance = register.scoped(user, organisation, "change").filter(pk=pk).first() \
                if pk is not None else None
            if instance is None:
                raise Http404("No such record among those you may change.")
        else:
            if not user.has_perm(perm % "add"):
                raise PermissionDenied("You may not add to this register.")
            instance = register.model()
            if hasattr(instance, "organisation_id"):
                instance.organisation = organisation
        form = register.get_form_class()(instance=instance, user=user,
                                         organisation=organisation)
        field = form.fields.get(name)
    if not isinstance(field, forms.ModelChoiceField):
        raise Http404("No such related-record field.")
    return field, field.queryset


def _in_scope(queryset, user, organisation):
    """Never a record outside the user's scope, whatever the form's queryset says."""
    model = queryset.model
    if model is get_user_model():
        return queryset.filter(pk__in=model.objects.filter(
            role_assignments__organisation=organisation, role_assignments__archived=False,
            is_active=True).values("pk"))
    reg = registration(model)
    if reg is None:
        return queryset  # catalogue data (frameworks, requirements, threat scenarios)
    visible = model.objects.restrict(user, "view").filter(
        **{reg.organisation_path: organisation.pk})
    return queryset.filter(pk__in=visible.values("pk"))


def _search(queryset, text):
    """Every word of `text` in one of the label fields (or the target register's search
    fields)."""
    model = queryset.model
    fields = ()
    reg = registration(model)
    if reg is not None and reg.register is not None and reg.register.filterset_class:
        fields = tuple(reg.register.filterset_class.search_fields)
    names = {f.name for f in model._meta.concrete_fields}
    fields = fields or tuple(f for f in LABEL_FIELDS if f in names)
    for word in text.split()[:5]:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": word})
        if word.isdigit():
            match |= Q(pk=int(word)) if id_or_none(word) is not None else Q()
        queryset = queryset.filter(match)
    return queryset


def lookup(request, label, name):
    """JSON page of the records a related-record field offers: `results` (id, label, group),
    `more`, and for an empty field a link to create the first record."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Sign in first."}, status=401)
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    try:
        register = get_register(label)
    except KeyError:
        raise Http404("No such register.") from None
    page = id_or_none(request.GET.get("page") or "1")
    if page is None or not 1 <= page <= MAX_PAGE:
        return JsonResponse({"detail": f"page is a whole number from 1 to {MAX_PAGE}."},
                            status=400)
    field, queryset = _field_queryset(request, register, name)
    queryset = _in_scope(queryset, request.user, request.organisation)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        queryset = _search(queryset, text)
    if not queryset.query.order_by and not queryset.model._meta.ordering:
        queryset = queryset.order_by("pk")
    group = group_field(queryset.model)
    if group:
        queryset = queryset.order_by(group, *(queryset.query.order_by or
                                              queryset.model._meta.ordering or ["pk"]))
    start = (page - 1) * PAGE_SIZE
    rows = list(with_labels(queryset)[start:start + PAGE_SIZE + 1])
    results = []
    for obj in rows[:PAGE_SIZE]:
        item = {"id": obj.pk, "label": field.label_from_instance(obj)}
        if group:
            item["group"] = str(getattr(obj, group) or "")
        results.append(item)
    body = {"results": results, "more": len(rows) > PAGE_SIZE, "page": page}
    if not results and not text and page == 1:
        body["empty"] = _empty_note(request.user, queryset.model)
    return JsonResponse(body)


def _empty_note(user, model):
    """What is missing, and where to create it when the user may."""
    meta = model._meta
    note = {"text": f"No {meta.verbose_name_plural} yet."}
    try:
        target = get_register(model)
    except KeyError:
        return note
    if target.can_add and user.has_perm(f"{meta.app_label}.add_{meta.model_name}"):
        note.update(url=target.add_url, link=f"Add a {meta.verbose_name}")
        # A register may say better what is missing and how to create it (issue 13 item 4).
        note.update(target.empty_note())
    return note
