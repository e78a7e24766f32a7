"""Generic record views. A register declares the model; these views do the rest."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from chainward.ledger.display import readable_changes
from chainward.ledger.models import LedgerEntry

from . import exports, imports, services
from .models import Comment
from .pagination import page_rows

PAGE_SIZES = (25, 50, 100)



def record_or_404(request, model, pk, action="view", queryset=None):
    """The record of the active organisation on which the user holds `action`, else 404 (403
    for someone with no role anywhere). Views of workflow steps start here."""
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    queryset = queryset if queryset is not None else model.objects.all()
    try:
        return queryset.restrict(request.user, action).filter(
            organisation=request.organisation).get(pk=pk)
    except model.DoesNotExist:
        raise Http404(f"No {model._meta.verbose_name} found.") from None

class RegisterView(LoginRequiredMixin, View):
    """Base of the record views: knows its register and the active organisation."""

    register = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.organisation:
            raise PermissionDenied(
                "You have no role in any organisation yet; ask an administrator.")
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, action):
        """The record named in the URL if the user holds `action` on it, else 404."""
        try:
            return self.register.scoped(self.request.user, self.request.organisation, action) \
                .get(pk=self.kwargs["pk"])
        except self.register.model.DoesNotExist:
            raise Http404(f"No {self.register.verbose_name} found.") from None

    def can(self, action, obj=None):
        """Whether the user may `action` (on `obj`, or somewhere)."""
        perm = f"{self.register.app_label}.{action}_{self.register.model_name}"
        return self.request.user.has_perm(perm, obj)

    def context(self, **extra):
        """Context every register template gets."""
        return {"register": self.register, "model": self.register.model, **extra}


class ObjectListView(RegisterView):
    """Filter, search, sort, paginate and export a register."""

    template_name = "core/list.html"

    def get(self, request, *args, **kwargs):
        register = self.register
        if not self.can("view"):
            raise PermissionDenied(f"You may not see {register.verbose_name_plural}.")
        queryset = register.scoped(request.user, request.organisation)
        filterset = register.filterset_class(request.GET or None, queryset=queryset,
                                             request=request)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else \
            filterset.queryset.filter(archived=False)
        sort = request.GET.get("sort", "")
        sortable = {c.sort for c in register.bound_columns if c.sort}
        if sort.lstrip("-") in sortable:
            queryset = queryset.order_by(sort, "pk")
        else:
            sort = ""
        export = request.GET.get("export")
        if export:
            return self.export(queryset, export)
        try:
            per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            per_page = PAGE_SIZES[0]
        paginator = Paginator(page_rows(queryset),
                              per_page if per_page in PAGE_SIZES else PAGE_SIZES[0])
        page = paginator.get_page(request.GET.get("page"))
        context = self.context(
            filterset=filterset, page=page, sort=sort, per_page=paginator.per_page,
            page_sizes=PAGE_SIZES, columns=register.bound_columns,
            can_add=register.can_add and self.can("add"),
            can_import=register.can_import and self.can("import"),
            can_export=self.can("export"),
            list_links=[(label, reverse(url_name)) for label, url_name, perm
                        in register.list_links if request.user.has_perm(perm)],
        )
        template = self.template_name
        if request.htmx and request.htmx.target == "results":
            template += "#results"
        return render(request, template, context)

    def export(self, queryset, fmt):
        """Download the filtered list; needs the export grant on every exported row."""
        if not self.can("export"):
            raise PermissionDenied("You may not export this register.")
        queryset = queryset.restrict(self.request.user, "export")
        return exports.export_response(self.register, queryset, fmt, self.request)


class ObjectDetailView(RegisterView):
    """One record with its fields, related panels, history and comments."""

    def get(self, request, *args, **kwargs):
        obj = self.get_object("view")
        register = self.register
        panels = []
        for panel in register.related_panels:
            related_register, rows, total = panel.rows(obj, request.user, request.organisation)
            panels.append({"panel": panel, "register": related_register, "rows": rows,
                           "total": total, "columns": panel.columns(related_register)})
        fields = [self.register.model._meta.get_field(name)
                  for name in (register.detail_fields or register.form_fields)]
        history = [(entry, readable_changes(entry)) for entry in LedgerEntry.objects.filter(
            object_type=register.label, object_id=str(obj.pk)).order_by("-seq")[:50]]
        comments = Comment.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        from chainward.documents.services import evidence_of

        return render(request, register.detail_template, self.context(
            object=obj, fields=fields, panels=panels, history=history, comments=comments,
            evidence=evidence_of(request.user, obj),
            can_change=self.can("change", obj), can_archive=self.can("delete", obj),
            **register.detail_context(obj, request),
        ))


def add_service_errors(form, error):
    """Show a service's ValidationError on the form: on its fields, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def query_prefill(register, form_class):
    """The fields a `?field=<id>` link may pre-fill: the register's `initial_from_query` and
    the single related records a form declares itself (a leg's `to_partner`). Only an initial
    choice: the field's scoped queryset renders it and validates it again on submit, so an id
    of another organisation or outside the user's scope shows nothing."""
    from django import forms

    own = [name for name, field in form_class.declared_fields.items()
           if isinstance(field, forms.ModelChoiceField)
           and not isinstance(field, forms.ModelMultipleChoiceField)]
    return [*register.initial_from_query,
            *(name for name in own if name not in register.initial_from_query)]


class ObjectEditView(RegisterView):
    """Create or edit a record; a stale edit gets a conflict message, never an overwrite."""

    template_name = "core/edit.html"

    def get_instance(self):
        if "pk" in self.kwargs:
            obj = self.get_object("change")
            if obj.archived:
                raise PermissionDenied("Restore this record before editing it.")
            return obj
        if not (self.register.can_add and self.can("add")):
            raise PermissionDenied(f"You may not add {self.register.verbose_name_plural}.")
        return self.register.model()

    def get_form(self, instance, data=None):
        form_class = self.register.get_form_class()
        initial = {}
        for name in query_prefill(self.register, form_class):
            if name in self.request.GET:
                initial[name] = self.request.GET[name]
        files = self.request.FILES if data is not None else None
        return form_class(data, files, instance=instance, initial=initial,
                          user=self.request.user, organisation=self.request.organisation)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render(self.get_form(instance), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.get_form(instance, request.POST)
        if not form.is_valid():
            return self.render(form, instance, status=400)
        try:
            # save_record runs the register's after_save and every rule of the model.
            obj = services.save_record(request.user, form.instance, form=form,
                                       expected_version=form.cleaned_data.get("version"))
        except services.Conflict as conflict:
            conflict.readable = [(entry, readable_changes(entry)) for entry in conflict.changes]
            return self.render(form, instance, conflict=conflict, status=409)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
            return self.render(form, instance, status=403)
        except ValidationError as invalid:
            add_service_errors(form, invalid)
            return self.render(form, instance, status=400)
        messages.success(request, f"Saved {obj._meta.verbose_name} {obj}.")
        if getattr(form, "notice", ""):
            messages.warning(request, form.notice)
        return redirect(obj.get_absolute_url())

    def render(self, form, instance, conflict=None, status=200):
        return render(self.request, self.template_name, self.context(
            form=form, object=instance if instance.pk else None, conflict=conflict,
            sections=self.register.form_layout(form),
        ), status=status)


class ObjectArchiveView(RegisterView):
    """Archive or restore a record (POST only): nothing is ever deleted."""

    archive = True

    def post(self, request, *args, **kwargs):
        obj = self.get_object("view")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            obj = services.set_archived(request.user, obj, self.archive, expected_version=version)
        except services.Conflict:
            messages.error(request, "The record changed since you opened it; review it and "
                                    "try again.")
            return redirect(obj.get_absolute_url())
        verb = "Archived" if self.archive else "Restored"
        messages.success(request, f"{verb} {obj._meta.verbose_name} {obj}.")
        return redirect(obj.get_absolute_url())


class ObjectCommentView(RegisterView):
    """Add a comment to a record."""

    def post(self, request, *args, **kwargs):
        obj = self.get_object("view")
        text = request.POST.get("text", "").strip()
        if not text:
            messages.error(request, "Write something before adding a comment.")
        elif len(text) > 5000:
            messages.error(request, "Comments are limited to 5,000 characters.")
        else:
            services.add_comment(request.user, obj, text)
        return HttpResponseRedirect(obj.get_absolute_url() + "#comments")


class ObjectImportView(RegisterView):
    """Upload a CSV/XLSX file → dry-run preview with row errors → confirm → background job."""

    template_name = "core/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.organisation and not (
                self.register.can_import and self.can("import")):
            raise PermissionDenied(f"You may not import {self.register.verbose_name_plural}.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # ?token= comes back from a large file's check job: show its clean preview to confirm.
        preview = None
        if request.GET.get("token"):
            preview = imports.staged_preview(self.register, request.GET["token"], request.user,
                                             request.organisation)
            if preview is None:
                messages.error(request, "That check has expired, is not finished or is not "
                                        "yours; upload the file again.")
        return render(request, self.template_name, self.context(
            columns=imports.import_columns(self.register), preview=preview))

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            job = imports.confirm_import(self.register, request.POST["token"], request.user,
                                         request.organisation)
            if job is None:
                messages.error(request, "That preview has expired or is not yours; upload the "
                                        "file again.")
                return redirect(reverse(self.register.url_name("import")))
            return redirect(job.get_absolute_url())
        upload = request.FILES.get("file")
        preview = imports.preview_import(self.register, upload, request.user,
                                         request.organisation)
        if preview.job is not None:
            messages.info(request, f"{preview.filename} has {preview.total} rows; it is being "
                                   "checked in the background. Nothing is written yet.")
            return redirect(preview.job.get_absolute_url())
        status = 200 if preview.ok else 400
        return render(request, self.template_name, self.context(
            columns=imports.import_columns(self.register), preview=preview), status=status)
