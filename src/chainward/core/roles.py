"""Built-in roles and the action bundles each registered model's matrix row is written with.

Every `register()` call states, for each built-in role below, which actions that role has on
the model; a test checks that no registered model is missing from the matrix.
"""

ADMINISTRATOR = "Administrator"
TOP_MANAGEMENT = "Top management"
SECURITY_MANAGER = "Security manager"
SITE_SECURITY_OFFICER = "Site security officer"
INTERNAL_AUDITOR = "Internal auditor"
CONTRIBUTOR = "Contributor"
VIEWER = "Viewer"
EXTERNAL_AUDITOR = "External auditor"

BUILTIN_ROLES = {
    ADMINISTRATOR: "Runs the installation for the organisation: people, roles and every record.",
    TOP_MANAGEMENT: "Directs the security management system (ISO 28000 5.1): accepts the "
                    "residual risks the matrix reserves to top management, approves policies "
                    "and plans, holds the management review.",
    SECURITY_MANAGER: "Owns the security management system: scope, risks, plans, reviews.",
    SITE_SECURITY_OFFICER: "Keeps the records of the sites assigned to them.",
    INTERNAL_AUDITOR: "Reads everything in scope and exports it as audit evidence.",
    CONTRIBUTOR: "Adds and updates records in scope, cannot archive or import.",
    VIEWER: "Reads records in scope.",
    EXTERNAL_AUDITOR: "Time-boxed read-only access for the certification auditor.",
}

ALL = "*"
NONE = ()
READ = ("view",)
READ_EXPORT = ("view", "export")
EDIT = ("view", "add", "change", "export")
FULL = ("view", "add", "change", "delete", "export", "import")


def matrix(*, admin=ALL, top=READ_EXPORT, manager=FULL, officer=EDIT, auditor=READ_EXPORT,
           contributor=EDIT, viewer=READ, external=READ):
    """One model's row of the role matrix, with the usual defaults spelled out by name."""
    return {
        ADMINISTRATOR: admin,
        TOP_MANAGEMENT: top,
        SECURITY_MANAGER: manager,
        SITE_SECURITY_OFFICER: officer,
        INTERNAL_AUDITOR: auditor,
        CONTRIBUTOR: contributor,
        VIEWER: viewer,
        EXTERNAL_AUDITOR: external,
    }


# A record that belongs to one site: the site's officer keeps it.
SITE_RECORD = matrix()
# Organisation-wide reference data (partners, goods): officers read it, managers keep it.
ORGANISATION_RECORD = matrix(officer=READ_EXPORT, contributor=EDIT)
# People and access: administrators only; management and auditors read who holds which role,
# everybody else reads nothing.
ACCESS_RECORD = matrix(top=READ, manager=READ, officer=NONE, auditor=READ, contributor=NONE,
                       viewer=NONE, external=NONE)
