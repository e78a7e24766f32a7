"""Framework pages: the frameworks a user may see, one framework's tree, custom imports."""

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render

from chainward.core.forms import style_widgets

from . import custom, staging

INDENT_MAX = 5  # Bootstrap's deepest padding utility (ps-5)


class FrameworkUploadForm(forms.Form):
    """The file plus what a CSV/XLSX file cannot say about itself."""

    file = forms.FileField(label="Framework file (CSV UTF-8, XLSX or YAML in our catalogue "
                                 "format)")
    name = forms.CharField(label="Framework name", max_length=custom.NAME_MAX, required=False,
                           help_text="For CSV/XLSX, e.g. “ACME supplier security "
                                     "requirements”. YAML files carry their own.")
    reference = forms.CharField(
        label="Reference", max_length=custom.REFERENCE_MAX, required=False,
        help_text="For CSV/XLSX, a short code such as ACME-SUP-2026. Keep it for later "
                  "versions: it names the framework's identifiers.")
    version = forms.IntegerField(label="Version", min_value=1, required=False, initial=1,
                                 help_text="For CSV/XLSX. Raise it for every changed upload.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


def _organisation(request):
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet; ask an administrator.")
    return request.organisation


def can_import(user, organisation):
    """Managers and administrators of the organisation (who may start gap assessments)."""
    gap_assessment = apps.get_model("compliance", "GapAssessment")
    return user.has_perm("compliance.add_gapassessment") and user.has_perm(
        "compliance.add_gapassessment", gap_assessment(organisation=organisation))


@login_required
def framework_list(request):
    """Shipped frameworks and the organisation's custom ones, with requirement counts."""
    organisation = _organisation(request)
    frameworks = custom.frameworks_for(organisation).filter(retired=False).select_related(
        "library").annotate(
        requirement_count=Count("requirements", filter=Q(requirements__retired=False)),
    ).order_by("name")
    return render(request, "library/framework_list.html", {
        "frameworks": frameworks, "can_import": can_import(request.user, organisation)})


@login_required
def framework_detail(request, pk):
    """One framework's requirement tree, read-only; another organisation's custom one is 404."""
    organisation = _organisation(request)
    framework = get_object_or_404(custom.frameworks_for(organisation).select_related("library"),
                                  pk=pk)
    requirements = framework.requirements.filter(retired=False).order_by("order")
    rows = [(r, min(r.depth - 1, INDENT_MAX)) for r in requirements]
    return render(request, "library/framework_detail.html", {
        "framework": framework, "library": framework.library, "rows": rows})


@login_required
def framework_import(request):
    """Upload → preview (nothing written) → confirm the staged upload → load it at once."""
    organisation = _organisation(request)
    if not can_import(request.user, organisation):
        raise PermissionDenied("Only managers and administrators may import frameworks.")
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, organisation)
    form = FrameworkUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _page(request, form)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > settings.IMPORT_MAX_BYTES:
        form.add_error("file", f"The file is larger than "
                               f"{settings.IMPORT_MAX_BYTES // 1024 // 1024} MB.")
        return _page(request, form, status=400)
    plan = custom.check_upload(
        organisation, upload.name, upload.read(), name=form.cleaned_data["name"],
        reference=form.cleaned_data["reference"], version=form.cleaned_data["version"])
    if plan.ok:
        staging.stage(plan, request.user, organisation)
    return _page(request, form, plan=plan, status=200 if plan.ok else 400)


def _confirm(request, organisation):
    token = request.POST["token"]
    staged = staging.load_staged(token, request.user, organisation)
    if staged is None:
        messages.error(request, "That preview has expired or is not yours; upload the file again.")
        return redirect("library:framework_import")
    try:
        result = custom.import_framework(
            request.user, organisation, staged["document"], filename=staged["filename"],
            sha256=staged["sha256"], fmt=staged["format"])
    except custom.CustomFrameworkError as exc:
        plan = custom.Plan(filename=staged["filename"], format=staged["format"],
                           problems=exc.problems)
        return _page(request, FrameworkUploadForm(), plan=plan, status=400)
    staging.discard_staged(token)
    verb = {"created": "Loaded", "upgraded": "Upgraded", "unchanged": "Nothing changed in"}
    messages.success(request, f"{verb.get(result.outcome, 'Loaded')} {staged['filename']} "
                              f"(version {result.version}).")
    framework = custom.loaded_framework(result, organisation)
    if framework is None:
        return redirect("library:framework_list")
    return redirect("library:framework_detail", pk=framework.pk)


def _page(request, form, plan=None, status=200):
    return render(request, "library/framework_import.html", {
        "form": form, "plan": plan, "columns": COLUMN_HELP}, status=status)


COLUMN_HELP = (
    ("ref_id", True, "The requirement's reference (4.1, SR-12…): letters, digits, . - _"),
    ("parent_ref", False, "The ref_id of the parent row, which must come earlier; blank for "
                          "a top-level requirement"),
    ("title", True, f"At most {custom.TITLE_MAX} characters"),
    ("description", False, f"Your own short explanation, at most {custom.PARAPHRASE_MAX} "
                           "characters (the title stands in when blank)"),
    ("assessable", False, "yes or no (default yes); headings are usually no"),
    ("documented_information", False, "M (maintain a document), R (retain records), "
                                      "I (implied) or blank"),
    ("evidence_examples", False, "Separate several with ;"),
    ("tags", False, "Separate several with ;"),
)
