"""People pages beyond the generic registers: the competence matrix (ISO 28000 7.2) and the
organisation chart of security roles per site (5.3)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from chainward.supplychain.models import Site

from . import services
from .choices import STANDING_BADGES
from .forms import AttendanceForm
from .models import Appointment, Person, SecurityRole, SessionAttendance, TrainingSession

PER_PAGE = 50


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@login_required
def competence_matrix(request):
    """People × competence requirements, per site and role: met, expiring, expired, missing
    (only the people the user may see; 50 a page)."""
    if not request.organisation or not request.user.has_perm("people.view_person"):
        raise PermissionDenied("You may not see people's training.")
    user, organisation = request.user, request.organisation
    people = services.current_people(Person.objects.restrict(user, "view").filter(
        organisation=organisation))
    site_id, role_id = _int(request.GET.get("site")), _int(request.GET.get("role"))
    if site_id:
        people = people.filter(site_id=site_id)
    if role_id:
        people = people.filter(pk__in=services.current_appointments(
            Appointment.objects.restrict(user, "view").filter(role_id=role_id))
            .values("person_id"))
    page = Paginator(people.select_related("site").order_by("full_name", "pk"),
                     PER_PAGE).get_page(request.GET.get("page"))
    requirements = services.requirements_of(organisation)
    rows = services.cells_for(user, list(page.object_list), requirements)
    sites = Site.objects.restrict(user, "view").filter(organisation=organisation,
                                                      archived=False).order_by("name")
    roles = SecurityRole.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False).order_by("name")
    return render(request, "people/competence_matrix.html", {
        "rows": rows, "requirements": requirements, "page": page, "badges": STANDING_BADGES,
        "sites": sites, "roles": roles, "site_id": site_id, "role_id": role_id})


@login_required
def organisation_chart(request):
    """Security roles per site with their current holders and vacancies (ISO 28000 5.3)."""
    if not request.organisation or not request.user.has_perm("people.view_securityrole"):
        raise PermissionDenied("You may not see the security roles.")
    user, organisation = request.user, request.organisation
    roles = list(SecurityRole.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False).select_related("site", "reports_to")
        .order_by("site__name", "kind", "name", "pk"))
    holders = {}
    for appointment in services.current_appointments(Appointment.objects.restrict(
            user, "view").filter(role__in=[r.pk for r in roles])).select_related("person"):
        holders.setdefault(appointment.role_id, []).append(appointment)
    groups = {}
    for role in roles:
        held = holders.get(role.pk, [])
        groups.setdefault(role.site, []).append(
            {"role": role, "holders": held, "vacant": max(role.positions - len(held), 0)})
    return render(request, "people/organisation_chart.html", {"groups": list(groups.items())})


@login_required
def session_attendance(request, pk):
    """Record several attendees of a training session at once, with one result (ISO 28000
    7.2), through `services.record_attendance` — which writes their training records."""
    if not request.organisation or not request.user.has_perm("people.add_sessionattendance"):
        raise PermissionDenied("You may not record training attendance.")
    user, organisation = request.user, request.organisation
    session = get_object_or_404(TrainingSession.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False).select_related("course"), pk=pk)
    form = AttendanceForm(request.POST if request.method == "POST" else None, user=user,
                          organisation=organisation)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = form.cleaned_data["result"]
            try:
                saved = services.record_attendance(
                    user, session, [(p, result) for p in form.cleaned_data["people"]])
            except PermissionDenied as denied:
                form.add_error("people", str(denied))
                status = 403
            except ValidationError as invalid:
                form.add_error(None, invalid.messages)
            else:
                messages.success(request, f"Recorded the attendance of {len(saved)} "
                                          f"person(s) at {session}.")
                return redirect(session.get_absolute_url())
    attendance = SessionAttendance.objects.restrict(user, "view").filter(
        session=session, archived=False).select_related("person").order_by(
        "person__full_name", "pk")
    return render(request, "people/session_attendance.html", {
        "session": session, "form": form, "attendance": attendance}, status=status)
