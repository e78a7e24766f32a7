"""Dashboard card and My work of the field checks app: scheduled checks overdue or due soon
(ISO 28000 8.1, 9.1). The daily digest (`notifications.digest`) reads the My work section, so
what is due is declared once, here."""

from django.urls import reverse

from chainward.audits.services import my_work_section
from chainward.core.dashboard import Card, card

from .choices import DueState
from .schedules import due_schedules

MY_WORK_ROWS = 50


@card
def checks_due(request):
    """Scheduled checks overdue or due in the next days, at the sites the user sees."""
    if not request.user.has_perm("fieldchecks.view_checkschedule"):
        return None
    due = due_schedules(request.user, request.organisation)
    overdue = [s for s, state in due if state == DueState.OVERDUE]
    if not due:
        return None
    return Card("Scheduled checks due", str(len(due)),
                ", ".join(f"{s.template.name} at {s.site.name}"
                          f"{' (overdue)' if state == DueState.OVERDUE else ''}"
                          for s, state in due[:3]),
                "danger" if overdue else "warning",
                reverse("fieldchecks:checkschedule_list"))


@my_work_section
def my_checks(request):
    """Scheduled checks I should do (mine, or shared at my sites): overdue first."""
    if not request.user.has_perm("fieldchecks.add_checkrun"):
        return None
    due = due_schedules(request.user, request.organisation, action="change",
                        responsible=request.user)[:MY_WORK_ROWS]
    add = reverse("fieldchecks:checkrun_add")
    return {"title": "Scheduled checks due", "rows": [
        {"url": f"{add}?template={s.template_id}&site={s.site_id}",
         "label": f"{s.template.name} ({s.frequency_text})", "due": s.next_due,
         "overdue": state == DueState.OVERDUE, "status": state.label.lower(),
         "where": str(s.site)} for s, state in due],
        "empty": "No scheduled check is due."}
