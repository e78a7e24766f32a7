"""The path to certification (issue 13 item 2): the steps of the commissioning text
(reference/seed-iso28001-certification.txt, "What is required") in order, each with what exists,
what is missing — computed from the registers within the person's scope — and one link to the
next thing to do. It is the organisation's home page.

A step is a function `func(user, organisation, today) -> Progress` registered with
`@path_step(key)`; the app that keeps the records contributes it from its own `path_steps.py`,
imported in its `AppConfig.ready()` (as dashboard cards and review inputs are):

    # chainward/plans/path_steps.py
    from chainward.core.path import Progress, path_step

    @path_step("planning", needs="plans.view_securityplan")
    def planning(user, organisation, today):
        approved = ...  # restrict(user, "view"), a fixed number of queries
        return Progress(exists=[...], missing=["No approved security plan."],
                        next_label="Write the security plan", next_url=reverse(...))

Every step runs the same queries whatever the organisation holds (no query per row, no query
skipped because something is empty): the page costs the same for a new organisation and for a
large one (tests/core/test_certification_path.py pins it). A step the person's role does not
reach (`needs`) is shown as such, without figures. Registering a key again replaces the step
(an app taking over a topic, e.g. a people app taking over "resources").
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

# The seed's steps, in its order (key -> title, order, what the standard asks in one line).
STEPS = {
    "standard": ("Understand the standard", 10,
                 "Know the requirements and where you stand against them: a gap assessment."),
    "sms": ("Establish the security management system", 20,
            "Scope and statement of application, security policy, security objectives "
            "(ISO 28000 4.3, 5.2, 6.2; ISO 28001 4.1)."),
    "risk_assessment": ("Risk assessment", 30,
                        "Threat scenarios rated against the supply chain's nodes and legs "
                        "(ISO 28001 5.2-5.3; ISO 28000 6.1)."),
    "planning": ("Security planning", 40,
                 "A security plan from the assessment, approved (ISO 28001 5.4; ISO 28000 8.6)."),
    "resources": ("Resources", 50,
                  "People appointed to run, audit and direct the system (ISO 28000 5.3, 7.1)."),
    "implementation": ("Implementation", 60,
                       "The countermeasures of the plan in place (ISO 28001 5.5; ISO 28000 8)."),
    "monitoring": ("Monitoring and measurement", 70,
                   "Objectives measured, partners reviewed (ISO 28000 9.1; ISO 28001 4.5)."),
    "documentation": ("Documentation", 80,
                      "Controlled documents and evidence of every requirement (ISO 28000 7.5)."),
    "internal_audits": ("Internal audits", 90,
                        "Audits at planned intervals and their corrective actions "
                        "(ISO 28000 9.2, 10.2)."),
    "management_review": ("Management review", 100,
                          "Top management reviews the system at planned intervals "
                          "(ISO 28000 9.3)."),
    "certification": ("Certification audit", 110,
                      "Stage 1 and stage 2 by an accredited certification body, then "
                      "surveillance."),
    "improvement": ("Continual improvement", 120,
                    "Nonconformities corrected and verified, the system improved "
                    "(ISO 28000 10)."),
}


@dataclass
class Progress:
    """What a step found: lines of what exists and of what is missing, and the next action."""

    exists: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    next_label: str = ""
    next_url: str = ""


@dataclass(frozen=True)
class PathStep:
    key: str
    needs: str
    func: Callable


@dataclass
class StepView:
    """One step as the page shows it."""

    key: str
    number: int
    title: str
    summary: str
    progress: Progress | None  # None: not available here, or outside the person's role
    state: str  # "done", "todo", "unavailable", "outside_role"

    @property
    def done(self):
        return self.state == "done"


_steps: dict[str, PathStep] = {}


def path_step(key, needs=""):
    """Register `func(user, organisation, today) -> Progress` as the step `key` (one of
    `STEPS`); `needs` is the permission without which the person cannot see its records."""
    if key not in STEPS:
        raise ValueError(f"Unknown step {key!r}; the steps are {', '.join(STEPS)}.")

    def decorate(func):
        _steps[key] = PathStep(key, needs, func)
        return func
    return decorate


def steps_for(user, organisation, today=None):
    """Every step in order, computed for `user` in `organisation`."""
    today = today or timezone.localdate()
    result = []
    for number, (key, (title, _order, summary)) in enumerate(
            sorted(STEPS.items(), key=lambda item: item[1][1]), 1):
        step = _steps.get(key)
        if step is None:
            result.append(StepView(key, number, title, summary, None, "unavailable"))
        elif step.needs and not user.has_perm(step.needs):
            result.append(StepView(key, number, title, summary, None, "outside_role"))
        else:
            progress = step.func(user, organisation, today)
            state = "todo" if progress.missing else "done"
            result.append(StepView(key, number, title, summary, progress, state))
    return result


def plural(count, singular, plural_form=None):
    """"1 clause", "3 clauses"."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"
