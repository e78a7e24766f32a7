"""The risk matrix as form fields (issue 13 item 3): a grid editor instead of a JSON document.

`MatrixEditor` renders a matrix definition (the model's `likelihood_levels`,
`consequence_levels`, `consequence_categories`, `risk_levels` and `grid`) as tables of inputs —
scale names and descriptions, each category's description per consequence level, risk level
names, colours and acceptance authority, and one select per grid cell — and reads the posted
inputs back into the same structure. It only translates: what a valid matrix is stays in
`levels.validate` (run by `RiskMatrix.clean` for the form, the API and every other path).
The shape (how many levels, categories and risk levels) is the one being edited, the default
matrix's on a new one; identifiers (`value`, `ref_id`) travel in hidden inputs.

Likelihood and consequence levels are added and removed with buttons of the editor (`resize`):
the page comes back with the new shape and the grid laid out again, and nothing is saved until
the person saves, through the same validation as every other path.
"""

import copy

from django import forms

from .levels import AUTHORITIES

PARTS = ("likelihood_levels", "consequence_levels", "consequence_categories", "risk_levels",
         "grid")
MAX_ROWS = 12  # a posted count beyond this is cut: no form builds more


def _count(data, key):
    try:
        return max(0, min(int(data.get(key, "")), MAX_ROWS))
    except (TypeError, ValueError):
        return 0


def _int_or_text(text):
    """A hidden scale value back as an integer (tampered text stays text, and
    `levels.validate` names the level)."""
    text = (text or "").strip()
    return int(text) if text.lstrip("-").isdigit() else text


def _text(data, key):
    return (data.get(key) or "").strip()


SCALES = {"lik": ("likelihood_levels", "Likelihood"), "con": ("consequence_levels",
                                                            "Consequence")}


def resize(definition, action):
    """The definition with a scale level added or removed, and a sentence saying what changed.

    `action` is what the editor's buttons post: "lik-add", "con-add" (a level above the
    highest, its grid row or column copied from the highest so the grid stays complete), or
    "lik-remove-<i>", "con-remove-<j>" (that level, its grid row or column and, for a
    consequence level, each category's description of it). Values are never renumbered: a
    rating keeps meaning what it meant. Returns `(definition, "")` for an unknown action."""
    scale, _, rest = (action or "").partition("-")
    if scale not in SCALES:
        return definition, ""
    part, label = SCALES[scale]
    levels, grid = definition[part], definition["grid"]
    if rest == "add":
        if len(levels) >= MAX_ROWS:
            return definition, f"A scale holds at most {MAX_ROWS} levels."
        top = levels[-1]["value"] if levels and isinstance(levels[-1]["value"], int) else 0
        levels.append({"value": top + 1, "name": "", "description": ""})
        if scale == "lik":
            grid.append(list(grid[-1]) if grid else [])
        else:
            for row in grid:
                row.append(row[-1] if row else "")
        copied = f" (copied from level {top})" if top else ""
        return definition, (f"{label} level {top + 1} added above level {top} with its grid "
                            f"{'row' if scale == 'lik' else 'column'}{copied}: name it, check "
                            "its cells, then save. Nothing is saved yet.")
    index = rest.removeprefix("remove-")
    if not index.isdigit() or int(index) >= len(levels) or len(levels) < 2:
        return definition, ""
    removed = levels.pop(int(index))
    if scale == "lik":
        grid.pop(int(index))
    else:
        for row in grid:
            del row[int(index)]
        for category in definition["consequence_categories"]:
            category["levels"] = [lv for lv in category["levels"]
                                  if lv["value"] != removed["value"]]
    name = f" ({removed['name']})" if removed["name"] else ""
    return definition, (f"{label} level {removed['value']}{name} removed with its grid "
                        f"{'row' if scale == 'lik' else 'column'}. Nothing is saved yet: save "
                        "to keep the change.")


class MatrixEditor(forms.Widget):
    """Tables of inputs for a matrix definition; keyboard-usable (a select per grid cell)."""

    template_name = "risk/widgets/matrix_editor.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.disabled = False

    def id_for_label(self, id_):
        return f"{id_}-lik-0-name" if id_ else None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = value if isinstance(value, dict) else {}
        likelihoods = list(value.get("likelihood_levels") or [])
        consequences = list(value.get("consequence_levels") or [])
        categories = list(value.get("consequence_categories") or [])
        risk_levels = list(value.get("risk_levels") or [])
        grid = value.get("grid") or []
        for category in categories:
            described = {lv.get("value"): lv.get("description", "")
                         for lv in category.get("levels") or [] if isinstance(lv, dict)}
            category["by_level"] = [(j, c, described.get(c.get("value"), ""))
                                    for j, c in enumerate(consequences)]
        rows = []
        for i, likelihood in enumerate(likelihoods):
            row = grid[i] if i < len(grid) and isinstance(grid[i], list) else []
            rows.append((i, likelihood, [(j, c, row[j] if j < len(row) else "")
                                         for j, c in enumerate(consequences)]))
        context["matrix"] = {
            "resized": value.get("resized", ""),
            "focus": value.get("focus") or {},
            "can_add": {"lik": len(likelihoods) < MAX_ROWS, "con": len(consequences) < MAX_ROWS},
            "can_remove": {"lik": len(likelihoods) > 1, "con": len(consequences) > 1},
            "likelihoods": list(enumerate(likelihoods)),
            "consequences": list(enumerate(consequences)),
            "categories": list(enumerate(categories)),
            "risk_levels": list(enumerate(risk_levels)),
            "rows": list(reversed(rows)),  # highest likelihood on top, as on the detail page
            "authorities": [("", "No formal acceptance needed"), *AUTHORITIES.items()],
            "disabled": self.disabled,
        }
        return context

    def value_from_datadict(self, data, files, name):
        """The posted definition, or None when the editor was not posted (kept as it is)."""
        if f"{name}-lik-count" not in data:
            return None
        p = name
        likelihoods = [{"value": _int_or_text(data.get(f"{p}-lik-{i}-value")),
                        "name": _text(data, f"{p}-lik-{i}-name"),
                        "description": _text(data, f"{p}-lik-{i}-description"),
                        **({"colour": _text(data, f"{p}-lik-{i}-colour")}
                           if _text(data, f"{p}-lik-{i}-colour") else {})}
                       for i in range(_count(data, f"{p}-lik-count"))]
        consequences = [{"value": _int_or_text(data.get(f"{p}-con-{j}-value")),
                         "name": _text(data, f"{p}-con-{j}-name"),
                         "description": _text(data, f"{p}-con-{j}-description"),
                         **({"colour": _text(data, f"{p}-con-{j}-colour")}
                            if _text(data, f"{p}-con-{j}-colour") else {})}
                        for j in range(_count(data, f"{p}-con-count"))]
        categories = []
        for k in range(_count(data, f"{p}-cat-count")):
            levels = [{"value": c["value"],
                       "description": _text(data, f"{p}-cat-{k}-level-{j}")}
                      for j, c in enumerate(consequences)]
            categories.append({
                "ref_id": _text(data, f"{p}-cat-{k}-ref_id"),
                "name": _text(data, f"{p}-cat-{k}-name"),
                "description": _text(data, f"{p}-cat-{k}-description"),
                "levels": [lv for lv in levels if lv["description"]]})
        risk_levels = [{"ref_id": _text(data, f"{p}-risk-{r}-ref_id"),
                        "name": _text(data, f"{p}-risk-{r}-name"),
                        "colour": _text(data, f"{p}-risk-{r}-colour"),
                        "description": _text(data, f"{p}-risk-{r}-description"),
                        "acceptance_authority": _text(data, f"{p}-risk-{r}-authority")}
                       for r in range(_count(data, f"{p}-risk-count"))]
        grid = [[_text(data, f"{p}-cell-{i}-{j}") for j in range(len(consequences))]
                for i in range(len(likelihoods))]
        definition = {"likelihood_levels": likelihoods, "consequence_levels": consequences,
                      "consequence_categories": categories, "risk_levels": risk_levels,
                      "grid": grid}
        if data.get(f"{p}-resize"):
            # A button of the editor, not Save: the form shows the new shape, saves nothing.
            before = {key: len(definition[part]) for key, (part, _) in SCALES.items()}
            definition, message = resize(definition, data.get(f"{p}-resize"))
            definition["resized"] = message or "Nothing changed."
            # The keyboard lands on the new level's name.
            definition["focus"] = {key: len(definition[part]) - 1
                                   for key, (part, _) in SCALES.items()
                                   if len(definition[part]) > before[key]}
        return definition


class MatrixDefinitionField(forms.Field):
    """The definition as a dict; `RiskMatrix.clean` (levels.validate) judges it."""

    widget = MatrixEditor

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return value if isinstance(value, dict) else None

    def has_changed(self, initial, data):
        return data is not None and data != initial


def definition_of(matrix):
    """The editable parts of a matrix (or of the field values of a catalogue matrix)."""
    get = matrix.get if isinstance(matrix, dict) else (lambda f: getattr(matrix, f))
    return {f: copy.deepcopy(get(f)) for f in PARTS}
