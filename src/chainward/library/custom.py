"""Custom frameworks: a customer's supplier requirements or a TAPA member's licensed checklist.

An upload is CSV/XLSX (one row per requirement) or YAML in our own catalogue format. It is
turned into a catalogue document namespaced to one organisation (`org<id>-…` URNs, so it can
never touch a shipped library or another organisation's), checked completely — every problem
as (row, column, message), header = row 1 — and only then loaded through the catalogue loader
in one transaction. Nothing is written while any problem remains.
"""

import hashlib
import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from chainward.core.imports import FALSE_WORDS, TRUE_WORDS, ImportFileError, read_table
from chainward.ledger.context import actor_context
from chainward.ledger.events import record_event

from . import loader
from .models import Framework, Library, Requirement

COLUMNS = ("ref_id", "parent_ref", "title", "description", "assessable",
           "documented_information", "evidence_examples", "tags")
REQUIRED_COLUMNS = ("ref_id", "title")
ALIASES = {"ref": "ref_id", "reference": "ref_id", "parent": "parent_ref",
           "paraphrase": "description", "evidence": "evidence_examples"}
DOCUMENTED = {"m": "M", "maintain": "M", "r": "R", "retain": "R", "i": "I", "implied": "I"}
# Limits of the schema (title, paraphrase, depth) and of the model fields (ref, name, URN).
TITLE_MAX, PARAPHRASE_MAX, MAX_DEPTH = 200, 300, 8
REF_MAX, NAME_MAX, REFERENCE_MAX, URN_MAX = 60, 300, 100, 200
MAX_REQUIREMENTS = 5000
# Constant header texts: the document must not change when nothing in the file changed, or a
# re-upload of the same version would be refused as "changed without a new version".
PUBLISHER = "The organisation that uploaded it"
LICENCE = ("Supplied by the organisation for its own use (a customer's requirements or its own "
           "licensed checklist); visible to that organisation only.")
SOURCE = "Custom framework file uploaded in Chainward"


class CustomFrameworkError(Exception):
    """The upload cannot be loaded; `problems` lists `(row, column, message)`."""

    def __init__(self, problems):
        self.problems = problems
        row, column, message = problems[0]
        super().__init__(f"row {row or '—'}, {column}: {message}"
                         + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


@dataclass
class Plan:
    """What an upload would load, or why it cannot: the preview shown before anything is written."""

    filename: str = ""
    sha256: str = ""
    format: str = ""  # csv, xlsx, yaml
    document: dict | None = None
    problems: list = field(default_factory=list)  # (row, column, message)
    notes: list = field(default_factory=list)  # (row, column, message) worth knowing, not errors
    outcome: str = ""  # create, upgrade, unchanged
    added: int = 0
    retired: int = 0
    token: str = ""

    @property
    def ok(self):
        return not self.problems and self.document is not None

    @property
    def row_label(self):
        """YAML problems are placed by line, table problems by spreadsheet row."""
        return "Line" if self.format == "yaml" else "Row"

    @property
    def frameworks(self):
        return (self.document or {}).get("objects", {}).get("frameworks") or []

    @property
    def total(self):
        return sum(len(f["requirements"]) for f in self.frameworks)

    @property
    def sample(self):
        """The first requirements as they will be stored."""
        return [r for f in self.frameworks for r in f["requirements"]][:10]


def namespace(organisation):
    """The URN prefix that keeps one organisation's custom libraries apart."""
    return f"org{organisation.pk}"


def frameworks_for(organisation):
    """Frameworks a member of `organisation` may see: shipped ones and its own custom ones."""
    q = Q(library__organisation__isnull=True)
    if organisation is not None:
        q |= Q(library__organisation=organisation)
    return Framework.objects.filter(q)


# --- Checking an upload ------------------------------------------------------------------------
def check_upload(organisation, filename, data, *, name="", reference="", version=None):
    """Read, convert and check an upload without writing anything; returns a Plan."""
    plan = Plan(filename=Path(filename or "upload").name[:200],
                sha256=hashlib.sha256(data).hexdigest())
    plan.format, parsed = detect_format(data)
    if plan.format == "yaml":
        document, node, plan.problems = parsed
        if document is not None:
            plan.document = _from_yaml(document, node, organisation, plan)
    else:
        try:
            table, _ = read_table(_Bytes(data))
        except ImportFileError as exc:
            plan.problems.append((None, "file", str(exc)))
            return plan
        plan.document = _from_table(table, organisation, plan, name=name, reference=reference,
                                    version=version)
    if not plan.problems:
        _compare_with_loaded(plan, organisation)
    if plan.problems:
        plan.document = None
        # File-level problems first, then by row; each row keeps its column order.
        plan.problems.sort(key=lambda p: (p[0] is not None, p[0] or 0))
    return plan


class _Bytes:
    """The one method of an upload that `read_table` calls."""

    def __init__(self, data):
        self.data = data

    def read(self):
        return self.data


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases (an alias bomb would blow up schema validation)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def detect_format(data):
    """`(format, parsed)`: XLSX by its zip magic, YAML if it is a catalogue mapping, else CSV.

    For YAML, `parsed` is `(document, node, problems)`; the node tree places errors by line.
    """
    if data[:4] == b"PK\x03\x04":
        return "xlsx", None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "csv", None
    looks_like_yaml = re.search(r"^(urn|objects)\s*:", text, re.MULTILINE) is not None
    parser = _NoAliasLoader(text)
    try:
        node = parser.get_single_node()
        document = parser.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        if not looks_like_yaml:
            return "csv", None
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "syntax error"
        return "yaml", (None, None, [(mark.line + 1 if mark else None,
                                      f"column {mark.column + 1}" if mark else "file",
                                      f"not valid YAML: {problem}")])
    finally:
        parser.dispose()
    if isinstance(document, dict) and ("urn" in document or "objects" in document):
        return "yaml", (document, node, [])
    return "csv", None


# --- CSV / XLSX --------------------------------------------------------------------------------
def clean_ref(value):
    """A reference usable as the last URN segment: `SR 1.2` → `SR-1.2`; '' if nothing is left."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip())
    return re.sub(r"^[^A-Za-z0-9]+", "", text).rstrip("-")


def _header(value):
    key = re.sub(r"[\s-]+", "_", str(value).strip().lower())
    return ALIASES.get(key, key)


def _from_table(table, organisation, plan, *, name, reference, version):
    """Build the catalogue document from rows; every problem goes to `plan.problems`."""
    problems = plan.problems
    name, reference = (name or "").strip(), (reference or "").strip()
    slug = slugify(reference).replace("_", "-").strip("-")
    if not name:
        problems.append((None, "name", "give the framework a name"))
    elif len(name) > NAME_MAX:
        problems.append((None, "name", f"at most {NAME_MAX} characters"))
    if not reference:
        problems.append((None, "reference", "give a short reference such as ACME-SUP-2026"))
    elif not slug:
        problems.append((None, "reference", "the reference needs letters or digits"))
    elif len(reference) > REFERENCE_MAX:
        problems.append((None, "reference", f"at most {REFERENCE_MAX} characters"))
    try:
        version = int(version)
        if version < 1:
            raise ValueError
    except (TypeError, ValueError):
        problems.append((None, "version", "give the version as a whole number from 1 "
                                          "(raise it for every changed upload)"))
        version = 1
    numbered = [(n, row) for n, row in enumerate(table, start=1)
                if any(str(cell).strip() for cell in row)]
    if not numbered:
        problems.append((None, "file", "the file is empty"))
        return None
    (header_row, headers), body = numbered[0], numbered[1:]
    columns = {}
    for index, header in enumerate(headers):
        key = _header(header)
        if not key:
            continue
        if key not in COLUMNS:
            problems.append((header_row, str(header), "unknown column; expected "
                             + ", ".join(COLUMNS)))
        elif key in columns.values():
            problems.append((header_row, str(header), "this column appears twice"))
        else:
            columns[index] = key
    for required in REQUIRED_COLUMNS:
        if required not in columns.values():
            problems.append((header_row, required, "required column is missing"))
    if not body:
        problems.append((None, "file", "the file has a header row but no requirements"))
    if len(body) > MAX_REQUIREMENTS:
        problems.append((None, "file", f"at most {MAX_REQUIREMENTS} requirements per file"))
    # Unknown columns are reported and ignored; rows are still checked unless one cannot be.
    if any(c not in columns.values() for c in REQUIRED_COLUMNS) or len(body) > MAX_REQUIREMENTS:
        return None
    ns = f"{namespace(organisation)}-{slug}"
    framework_urn = f"urn:chainward:framework:{ns}"
    requirements, numbers, seen = [], [], {}
    for number, values in body:
        row = {key: ("" if i >= len(values) else str(values[i]).strip())
               for i, key in columns.items()}
        item = _requirement(number, row, ns, seen, plan)
        if item is not None:
            requirements.append(item)
            numbers.append(number)
    document = {
        "urn": f"urn:chainward:library:{ns}", "name": name or "—", "version": version,
        "publisher": PUBLISHER, "licence": LICENCE, "source": SOURCE,
        "description": name or "—",
        "objects": {"frameworks": [{
            "urn": framework_urn, "ref_id": reference or "—", "name": name or "—",
            "description": name or "—", "requirements": requirements,
        }]},
    }
    for urn in (document["urn"], framework_urn):
        if len(urn) > URN_MAX:
            problems.append((None, "reference", "the reference is too long to build an id"))
            break
    _schema_problems(document, plan, _table_locator(numbers))
    return document


def _requirement(number, row, ns, seen, plan):
    """One row as a requirement dict (None when its reference is unusable); notes problems."""
    problems = plan.problems
    raw_ref = row.get("ref_id", "")
    ref = clean_ref(raw_ref)
    usable = True
    if not raw_ref:
        problems.append((number, "ref_id", "required: give each requirement a reference"))
        usable = False
    elif not ref:
        problems.append((number, "ref_id", f"“{raw_ref}” cannot be made a reference; use "
                                           "letters, digits, dots, hyphens or underscores"))
        usable = False
    elif len(ref) > REF_MAX:
        problems.append((number, "ref_id", f"at most {REF_MAX} characters"))
        usable = False
    elif ref in seen:
        problems.append((number, "ref_id", f"“{ref}” is already used in row {seen[ref][0]}"))
        usable = False
    elif ref != raw_ref:
        plan.notes.append((number, "ref_id", f"“{raw_ref}” is stored as “{ref}”"))
    urn = f"urn:chainward:req:{ns}:{ref}"
    if usable and len(urn) > URN_MAX:
        problems.append((number, "ref_id", "the reference is too long to build an id"))
        usable = False
    depth, parent_urn = 1, None
    parent_raw = row.get("parent_ref", "")
    if parent_raw:
        parent = clean_ref(parent_raw)
        if parent in seen:
            parent_row, parent_depth = seen[parent]
            depth, parent_urn = parent_depth + 1, f"urn:chainward:req:{ns}:{parent}"
            if depth > MAX_DEPTH:
                problems.append((number, "parent_ref", f"the tree is at most {MAX_DEPTH} levels "
                                                       "deep"))
        elif parent and parent == ref:
            problems.append((number, "parent_ref", "a requirement cannot be its own parent"))
        else:
            problems.append((number, "parent_ref", f"no earlier row has ref_id “{parent_raw}”; "
                                                   "list a parent before its children"))
    title = row.get("title", "")
    if not title:
        problems.append((number, "title", "required"))
    elif len(title) > TITLE_MAX:
        problems.append((number, "title", f"at most {TITLE_MAX} characters (this one has "
                                          f"{len(title)}); put the detail in description"))
    assessable = _yes_no(row.get("assessable", ""))
    if assessable is None:
        problems.append((number, "assessable", f"“{row['assessable']}” is not yes or no"))
    description = row.get("description", "")
    if len(description) > PARAPHRASE_MAX:
        problems.append((number, "description", f"at most {PARAPHRASE_MAX} characters, about "
                                                f"two lines (this one has {len(description)})"))
    documented = row.get("documented_information", "")
    if documented and documented.lower() not in DOCUMENTED:
        problems.append((number, "documented_information",
                         f"“{documented}” is not M (maintain), R (retain), I (implied) or blank"))
    tags = []
    for tag in _split(row.get("tags", "")):
        slug = slugify(tag).replace("_", "-").strip("-")
        if not slug:
            problems.append((number, "tags", f"tag “{tag}” needs letters or digits"))
        elif slug not in tags:
            tags.append(slug)
    if not usable:
        return None
    seen[ref] = (number, depth)
    return {
        "urn": urn, "ref_id": ref, "parent_urn": parent_urn, "depth": depth,
        "title": title or "—",
        # The schema asks an assessable requirement for a paraphrase; the title stands in.
        "paraphrase": description or ((title or "—") if assessable is not False else None),
        "assessable": assessable is not False,
        "documented_information": DOCUMENTED.get(documented.lower()),
        "evidence_examples": _split(row.get("evidence_examples", "")),
        "tags": tags,
    }


def _yes_no(value):
    lowered = value.strip().lower()
    if not lowered:
        return True
    return True if lowered in TRUE_WORDS else (False if lowered in FALSE_WORDS else None)


def _split(value):
    return [part.strip() for part in value.split(";") if part.strip()]


FIELD_COLUMNS = {"urn": "ref_id", "ref_id": "ref_id", "parent_urn": "parent_ref",
                 "depth": "parent_ref", "title": "title", "paraphrase": "description",
                 "assessable": "assessable", "documented_information": "documented_information",
                 "evidence_examples": "evidence_examples", "tags": "tags"}
HEADER_FIELDS = {"name": "name", "description": "name", "ref_id": "reference",
                 "urn": "reference", "version": "version"}


def _table_locator(numbers):
    """Map a schema error path to (row, column) of the spreadsheet."""

    def locate(path, prop):
        if len(path) >= 5 and path[3] == "requirements" and isinstance(path[4], int):
            key = path[5] if len(path) > 5 else prop
            return numbers[path[4]], FIELD_COLUMNS.get(key, key or "—")
        key = next((p for p in reversed(path) if isinstance(p, str)), prop)
        return None, HEADER_FIELDS.get(key, key or "—")

    return locate


# --- YAML --------------------------------------------------------------------------------------
def _from_yaml(document, node, organisation, plan):
    """Check a catalogue document and move its URNs into the organisation's namespace."""
    locate = _yaml_locator(node)
    _schema_problems(document, plan, locate)
    if plan.problems:
        return None
    problems = plan.problems
    for key in document["objects"]:
        if key != "frameworks":
            problems.append((*locate(["objects", key], None), f"a custom file holds frameworks "
                             f"only; {key.replace('_', ' ')} come with the shipped catalogues"))
    if document.get("dependencies"):
        problems.append((*locate(["dependencies"], None), "a custom file cannot depend on "
                                                          "other libraries"))
    ns = namespace(organisation)
    document = json.loads(json.dumps(document))  # a private copy to rewrite
    document["urn"] = _prefixed(document["urn"], "library", ns)
    checks = [(["urn"], "urn", document["urn"], URN_MAX), (["name"], "name", document["name"],
                                                           NAME_MAX)]
    urns = {}
    for f_index, framework in enumerate(document["objects"].get("frameworks") or []):
        base = ["objects", "frameworks", f_index]
        framework["urn"] = _prefixed(framework["urn"], "framework", ns)
        checks += [([*base, "urn"], "urn", framework["urn"], URN_MAX),
                   ([*base, "ref_id"], "ref_id", framework["ref_id"], REFERENCE_MAX),
                   ([*base, "name"], "name", framework["name"], NAME_MAX)]
        depths = {}
        for r_index, item in enumerate(framework["requirements"]):
            path = [*base, "requirements", r_index]
            item["urn"] = _prefixed(item["urn"], "req", ns)
            checks += [([*path, "urn"], "urn", item["urn"], URN_MAX),
                       ([*path, "ref_id"], "ref_id", item["ref_id"], REF_MAX)]
            if item["urn"] in urns:
                problems.append((*locate([*path, "urn"], None),
                                 f"this URN is already used on line {urns[item['urn']]}"))
            urns[item["urn"]] = locate(path, None)[0]
            expected = 1
            if item["parent_urn"]:
                item["parent_urn"] = _prefixed(item["parent_urn"], "req", ns)
                if item["parent_urn"] not in depths:
                    problems.append((*locate([*path, "parent_urn"], None), "no earlier "
                                     "requirement of this framework has this URN; list a "
                                     "parent before its children"))
                expected = depths.get(item["parent_urn"], item["depth"] - 1) + 1
            if item["depth"] != expected:
                problems.append((*locate([*path, "depth"], None),
                                 f"depth must be {expected} (its parent's depth + 1)"))
            depths[item["urn"]] = item["depth"]
    for path, column, value, limit in checks:
        if len(value) > limit:
            problems.append((locate(path, None)[0], column, f"at most {limit} characters"))
    return document


def _prefixed(urn, kind, ns):
    """`urn:chainward:<kind>:x` → `urn:chainward:<kind>:<ns>-x` (kept when already there)."""
    head = f"urn:chainward:{kind}:"
    rest = urn[len(head):]
    return urn if rest.startswith(f"{ns}-") else f"{head}{ns}-{rest}"


def _yaml_locator(root):
    """Map a document path to (line, column) using the composed YAML nodes."""

    def locate(path, prop):
        node, column = root, prop or "—"
        for key in path:
            if isinstance(node, yaml.MappingNode):
                match = next((v for k, v in node.value if k.value == key), None)
                if match is None:
                    break
                node, column = match, key
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) \
                    and key < len(node.value):
                node = node.value[key]
            else:
                break
        if prop and isinstance(node, yaml.MappingNode):
            node = next((k for k, _ in node.value if k.value == prop), node)
        return (node.start_mark.line + 1 if node is not None else None), (prop or column)

    return locate


# --- Shared checks -----------------------------------------------------------------------------
def _schema_problems(document, plan, locate):
    """Validate against the catalogue schema; place each error by `locate(path, property)`."""
    placed = {(row, column) for row, column, _ in plan.problems}
    for error in loader.validator().iter_errors(document):
        path = list(error.absolute_path)
        prop = None
        if error.validator == "required" and isinstance(error.instance, dict):
            prop = next((p for p in error.validator_value if p not in error.instance), None)
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            prop = next((p for p in error.instance if p not in known), None)
        row, column = locate(path, prop)
        if (row, column) not in placed:
            placed.add((row, column))
            plan.problems.append((row, column, _readable(error, prop)))
        if len(plan.problems) >= 200:
            break


def _readable(error, prop):
    """A schema error in words a person can act on."""
    value = error.instance
    if error.validator == "maxLength":
        return f"at most {error.validator_value} characters (this one has {len(value)})"
    if error.validator == "minLength":
        return "must not be empty"
    if error.validator == "pattern":
        return f"“{value}” is not allowed here (expected the pattern {error.validator_value})"
    if error.validator == "required":
        return f"“{prop}” is missing"
    if error.validator == "additionalProperties":
        return f"“{prop}” is not a field of this object"
    if error.validator == "type":
        wanted = {"string": "text", "integer": "a whole number", "boolean": "true or false",
                  "array": "a list", "object": "a mapping"}
        expected = error.validator_value
        words = wanted.get(expected, expected) if isinstance(expected, str) else expected
        hint = " (quote it: '1.10', not 1.10)" if expected == "string" else ""
        return f"“{value}” must be {words}{hint}"
    if error.validator == "enum":
        return f"“{value}” is not one of {', '.join(str(v) for v in error.validator_value)}"
    return error.message


def _compare_with_loaded(plan, organisation):
    """Refuse URN clashes and stale versions; say whether the load creates or upgrades."""
    document = plan.document
    library = Library.objects.filter(urn=document["urn"]).first()
    frameworks = plan.frameworks
    framework_urns = [f["urn"] for f in frameworks]
    requirement_urns = {r["urn"] for f in frameworks for r in f["requirements"]}
    clashes = Framework.objects.filter(urn__in=framework_urns).exclude(
        library__urn=document["urn"]).count() + Requirement.objects.filter(
        urn__in=requirement_urns).exclude(framework__library__urn=document["urn"]).count()
    if clashes:
        plan.problems.append((None, "urn", "some identifiers are already used by another of "
                                           "your libraries; use another reference"))
    if library is None:
        plan.outcome, plan.added = "create", len(requirement_urns)
        return
    version = document["version"]
    if library.organisation_id != organisation.pk:
        plan.problems.append((None, "urn", "this library belongs to someone else"))
    elif library.version > version:
        plan.problems.append((None, "version", f"version {version} is older than the loaded "
                                               f"version {library.version}"))
    elif library.version == version:
        if library.checksum == checksum_of(document):
            plan.outcome = "unchanged"
        else:
            plan.problems.append((None, "version", f"the content differs from the loaded "
                                                   f"version {version}; raise the version to "
                                                   f"{version + 1}"))
    else:
        plan.outcome = "upgrade"
        loaded = set(Requirement.objects.filter(
            framework__library=library, retired=False).values_list("urn", flat=True))
        plan.added, plan.retired = len(requirement_urns - loaded), len(loaded - requirement_urns)


def _outside_namespace(document, organisation):
    """Problems when any identifier of `document` lies outside the organisation's namespace."""
    ns = namespace(organisation)
    urns = [document["urn"]] + [f["urn"] for f in document["objects"].get("frameworks") or []]
    urns += [u for f in document["objects"].get("frameworks") or [] for r in f["requirements"]
             for u in (r["urn"], r.get("parent_urn")) if u]
    outside = [u for u in urns if not u.split(":", 3)[-1].startswith(f"{ns}-")]
    if outside or set(document["objects"]) - {"frameworks"}:
        return [(None, "urn", "the document is not namespaced to this organisation")]
    return []


def render_document(document):
    """The YAML text the loader reads; the same document always gives the same bytes."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()


def checksum_of(document):
    """The checksum the loader records for `document`."""
    return hashlib.sha256(render_document(document)).hexdigest()


# --- Loading -----------------------------------------------------------------------------------
def import_framework(user, organisation, document, *, filename, sha256, fmt=""):
    """Load a checked document for `organisation` in one transaction; returns a LoadResult.

    The loader records `catalog_load` (with the organisation); the `import` event adds who
    uploaded which file (its SHA-256). An unchanged re-upload writes nothing at all.
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name).lstrip(".")[:200] \
        or "custom-framework.yaml"
    with tempfile.TemporaryDirectory() as folder, \
            actor_context(user, reason=f"import {name} sha256:{sha256}"), transaction.atomic():
        # Checked again at load time: the library may have changed since the preview, and no
        # caller may load outside the organisation's namespace.
        plan = Plan(document=document, problems=_outside_namespace(document, organisation))
        if not plan.problems:
            _compare_with_loaded(plan, organisation)
        if plan.problems:
            raise CustomFrameworkError(plan.problems)
        path = Path(folder) / name
        path.write_bytes(render_document(document))
        try:
            result = loader.load(path, organisation=organisation)
        except loader.CatalogError as exc:
            raise CustomFrameworkError([(None, where, message)
                                        for where, message in exc.problems]) from None
        if result.outcome != "unchanged":
            record_event("import", object_type="library.library", object_repr=result.urn,
                         organisation_id=organisation.pk,
                         details={"filename": name, "sha256": sha256, "format": fmt,
                                  "version": result.version, "outcome": result.outcome,
                                  "counts": result.counts})
    return result


def import_framework_file(user, organisation, filename, data, **fields):
    """Check and load an upload in one call (CLI, tests); raises CustomFrameworkError."""
    plan = check_upload(organisation, filename, data, **fields)
    if not plan.ok:
        raise CustomFrameworkError(plan.problems)
    return import_framework(user, organisation, plan.document, filename=plan.filename,
                            sha256=plan.sha256, fmt=plan.format)


def loaded_framework(result, organisation):
    """The first active framework of a loaded custom library."""
    return frameworks_for(organisation).filter(
        library__urn=result.urn, retired=False).order_by("pk").first()
