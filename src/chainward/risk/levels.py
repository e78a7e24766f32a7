"""Risk levels from a matrix: pure functions over the matrix data (no queries).

A matrix is data (see `RiskMatrix`): likelihood and consequence scales (ascending lists of
levels with a numeric `value`), consequence categories, ordered risk levels (lowest first, each
with a `ref_id`, `name` and `colour`), a grid and the acceptance criterion.

`grid[i][j]` is the risk level of the i-th likelihood level and the j-th consequence level
(both in ascending order of value). The consequence of a scenario is the WORST (highest) level
over its categories (ISO 28001 5.3: rate the worst credible outcome per category).
"""

GREY = "#adb5bd"

# Who may formally accept a residual risk at a level ("acceptance_authority" of each risk
# level, ISO 28000 6.1.2 risk acceptance criteria), lowest first. Each authority includes the
# ones below it. Enforced by `services.check_acceptor`:
# * risk_owner / security_manager: whoever holds the `accept` action on the rating (Security
#   manager, Top management, Administrator or a custom role granting it);
# * top_management: only a person holding the Top management role over the rating.
AUTHORITIES = {"risk_owner": "Risk owner", "security_manager": "Security manager",
               "top_management": "Top management"}
# A level that needs a formal acceptance but names no authority: the strictest one applies.
DEFAULT_AUTHORITY = "top_management"


def _values(scale):
    return [level["value"] for level in scale]


def worst_consequence(consequences):
    """The highest level over the rated categories, or None when none is rated."""
    values = [v for v in (consequences or {}).values() if v not in (None, "")]
    return max(int(v) for v in values) if values else None


def level_for(matrix, likelihood, consequence):
    """The ref_id of the grid cell (likelihood, consequence), or "" when either is missing."""
    if likelihood in (None, "") or consequence in (None, ""):
        return ""
    try:
        i = _values(matrix.likelihood_levels).index(int(likelihood))
        j = _values(matrix.consequence_levels).index(int(consequence))
    except ValueError:
        return ""
    return matrix.grid[i][j]


def rank_of(matrix, ref_id):
    """1 for the lowest risk level, 2 for the next…; 0 for no level."""
    for index, level in enumerate(matrix.risk_levels, start=1):
        if level["ref_id"] == ref_id:
            return index
    return 0


def level_info(matrix, ref_id):
    """The risk level's dict (name, colour…), or a grey "not rated" placeholder."""
    for level in matrix.risk_levels:
        if level["ref_id"] == ref_id:
            return level
    return {"ref_id": "", "name": "Not rated", "colour": GREY}


def authority_code(value):
    """The authority code of a level's `acceptance_authority` ("Top management" and
    "top_management" alike), or "" when it names none we know."""
    code = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    return code if code in AUTHORITIES else ""


def acceptance_authority(matrix, ref_id):
    """The authority code that may formally accept a residual risk at level `ref_id`."""
    return authority_code(level_info(matrix, ref_id).get("acceptance_authority")) or \
        DEFAULT_AUTHORITY


def authority_name(code):
    """ "Top management" for "top_management"."""
    return AUTHORITIES.get(code, code)


def scale_name(scale, value):
    """ "4 (Major)" for a value of a likelihood or consequence scale; "—" for none."""
    if value in (None, ""):
        return "—"
    for level in scale:
        if level["value"] == value:
            return f"{value} ({level['name']})"
    return str(value)


def consequence_summary(matrix, consequences):
    """{"life": 4, …} as "Life and injury: 4 (Major) · …", in the matrix's category order
    (categories not rated are left out; "" when none is)."""
    consequences = consequences if isinstance(consequences, dict) else {}
    scale = matrix.consequence_levels
    return " · ".join(f"{c['name']}: {scale_name(scale, consequences[c['ref_id']])}"
                      for c in matrix.consequence_categories
                      if consequences.get(c["ref_id"]) not in (None, ""))


def acceptance_rank(matrix):
    """Rank of the highest level acceptable without formal acceptance."""
    return rank_of(matrix, matrix.acceptance_level)


def validate(data):
    """Field errors of a matrix definition: {field: message}. `data` has the model fields."""
    errors = {}

    def scale(name, label):
        value = data.get(name)
        if not isinstance(value, list) or not value:
            errors[name] = f"Give the {label} as a non-empty list of levels."
            return []
        values = []
        for n, level in enumerate(value, start=1):
            if not isinstance(level, dict) or not isinstance(level.get("value"), int) \
                    or not str(level.get("name", "")).strip():
                errors[name] = (f"{label.capitalize()} level {n} needs an integer "
                                f"\"value\" and a \"name\".")
                return []
            values.append(level["value"])
        if values != sorted(set(values)):
            errors[name] = f"The {label} values must be distinct and ascending."
            return []
        return values

    likelihoods = scale("likelihood_levels", "likelihood scale")
    consequences = scale("consequence_levels", "consequence scale")
    categories = data.get("consequence_categories")
    if not isinstance(categories, list) or not categories or not all(
            isinstance(c, dict) and str(c.get("ref_id", "")).strip()
            and str(c.get("name", "")).strip() for c in categories):
        errors["consequence_categories"] = ("Give the consequence categories as a list of "
                                            "{\"ref_id\", \"name\"}.")
    elif len({c["ref_id"] for c in categories}) != len(categories):
        errors["consequence_categories"] = "Each consequence category needs a distinct ref_id."
    levels = data.get("risk_levels")
    ids = []
    if not isinstance(levels, list) or not levels or not all(
            isinstance(lv, dict) and str(lv.get("ref_id", "")).strip()
            and str(lv.get("name", "")).strip() and str(lv.get("colour", "")).startswith("#")
            for lv in levels):
        errors["risk_levels"] = ("Give the risk levels, lowest first, as a list of "
                                 "{\"ref_id\", \"name\", \"colour\": \"#rrggbb\"}.")
    else:
        ids = [lv["ref_id"] for lv in levels]
        if len(set(ids)) != len(ids):
            errors["risk_levels"] = "Each risk level needs a distinct ref_id."
            ids = []
    grid = data.get("grid")
    if likelihoods and consequences and ids:
        if not isinstance(grid, list) or len(grid) != len(likelihoods) or not all(
                isinstance(row, list) and len(row) == len(consequences) for row in grid):
            errors["grid"] = (f"The grid needs {len(likelihoods)} rows (one per likelihood "
                              f"level) of {len(consequences)} cells (one per consequence "
                              f"level).")
        else:
            bad = sorted({f"likelihood {likelihoods[i]} × consequence {consequences[j]}: "
                          f"{cell!r}" for i, row in enumerate(grid) for j, cell in enumerate(row)
                          if cell not in ids})
            if bad:
                errors["grid"] = ("These cells name no defined risk level: " + "; ".join(bad[:5])
                                  + ("…" if len(bad) > 5 else ""))
    acceptance = data.get("acceptance_level")
    if ids and acceptance not in ids:
        errors["acceptance_level"] = ("Name the highest acceptable risk level by its ref_id: "
                                      + ", ".join(ids) + ".")
    if ids and "risk_levels" not in errors:
        above = ids[ids.index(acceptance) + 1:] if acceptance in ids else []
        for level in levels:
            given = level.get("acceptance_authority")
            if given in (None, "") and level["ref_id"] not in above:
                continue
            if not authority_code(given):
                errors["risk_levels"] = (
                    f"Risk level {level['ref_id']} needs an \"acceptance_authority\" (who may "
                    "formally accept a residual risk at that level): one of "
                    + ", ".join(AUTHORITIES) + ".")
                break
    return errors
