"""Load catalogue files into the library: validate, then create or upgrade in one transaction.

Loading the same file twice changes nothing. A newer version updates titles and texts, adds new
nodes and *retires* removed ones (never deletes), so assessments that point at them stay whole.
"""

import copy
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import transaction
from jsonschema import Draft202012Validator

from chainward.core import yamlfiles
from chainward.ledger.events import record_event

from .models import CatalogEntry, EntryKind, Framework, Library, Requirement, RequirementMapping

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalogs"
SCHEMA_PATH = CATALOG_DIR / "schema" / "catalog.schema.json"
ENTRY_KINDS = {
    "threat_scenarios": EntryKind.THREAT_SCENARIO,
    "threat_categories": EntryKind.THREAT_CATEGORY,
    "reference_controls": EntryKind.REFERENCE_CONTROL,
    "risk_matrices": EntryKind.RISK_MATRIX,
    "document_types": EntryKind.DOCUMENT_TYPE,
    "checklist_templates": EntryKind.CHECKLIST_TEMPLATE,
    "workflow_steps": EntryKind.WORKFLOW_STEP,
}
REQUIREMENT_FIELDS = {"urn", "ref_id", "parent_urn", "depth", "title", "paraphrase", "assessable",
                      "documented_information", "evidence_examples", "hs_id", "tags", "flag",
                      "needs_check"}
FRAMEWORK_FIELDS = {"urn", "ref_id", "name", "description", "requirements", "allows_exclusions"}


class CatalogError(Exception):
    """A catalogue file cannot be loaded; `problems` lists `(location, message)`."""

    def __init__(self, filename, problems):
        self.filename, self.problems = filename, problems
        first = problems[0]
        super().__init__(f"{filename}: {first[0]}: {first[1]}"
                         + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


@dataclass
class LoadResult:
    """What a load did."""

    urn: str
    version: int
    outcome: str  # created, upgraded, unchanged
    counts: dict = field(default_factory=dict)


@cache
def validator():
    """The JSON Schema validator of our catalogue format."""
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


# Parsed and schema-checked shipped catalogues by checksum: every `catalogs load` (each
# `chainward demo`, each organisation created) reads the same files again; parsing and validating
# them was most of its time. Keyed by content, so an edited file is read afresh; copies are
# handed out. Uploaded catalogues are read once each and not kept (a server would hold every
# upload for its lifetime).
_checked = {}


def read(path):
    """Parse and schema-check one file; returns `(document, checksum)`."""
    document, checksum = _checked_document(path)
    return copy.deepcopy(document), checksum


def _checked_document(path):
    """`read` without the copy: the shared document, which callers must not change."""
    path = Path(path)
    raw = path.read_bytes()
    checksum = hashlib.sha256(raw).hexdigest()
    if checksum in _checked:
        return _checked[checksum], checksum
    document = _parse_and_check(path.name, raw)
    if path.resolve().parent == CATALOG_DIR:
        _checked[checksum] = document
    return document, checksum


def _parse_and_check(name, raw):
    try:
        document = yamlfiles.safe_load(raw)
    except yamlfiles.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise CatalogError(name, [(where, f"not valid YAML ({exc.__class__.__name__})")]) \
            from None
    if not isinstance(document, dict):
        raise CatalogError(name, [("file", "expected a mapping with urn, name, version…")])
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise CatalogError(name, [("/".join(str(p) for p in e.absolute_path) or "file",
                                   e.message) for e in errors[:50]])
    return document


def shipped_files():
    """Every shipped catalogue file, dependencies first."""
    documents = {}
    for path in sorted(CATALOG_DIR.glob("*.yaml")):
        document, _ = _checked_document(path)
        documents[document["urn"]] = (path, document.get("dependencies") or [])
    ordered, seen = [], set()

    def visit(urn, trail=()):
        if urn in seen:
            return
        if urn in trail:
            raise CatalogError(documents[urn][0].name, [("dependencies", "circular dependency")])
        for dependency in documents.get(urn, (None, []))[1]:
            if dependency in documents:
                visit(dependency, (*trail, urn))
        seen.add(urn)
        ordered.append(documents[urn][0])

    for urn in documents:
        visit(urn)
    return ordered


def load(path, *, organisation=None):
    """Load or upgrade one file in a single transaction; returns a LoadResult."""
    document, checksum = _checked_document(path)  # copied below if it is to be loaded
    name = Path(path).name
    missing = [d for d in document.get("dependencies") or []
               if not Library.objects.filter(urn=d).exists()]
    if missing:
        raise CatalogError(name, [("dependencies", f"load {', '.join(missing)} first")])
    existing = Library.objects.filter(urn=document["urn"]).first()
    if existing is not None:
        if existing.organisation_id != getattr(organisation, "pk", None):
            raise CatalogError(name, [("urn", "this URN belongs to another library owner")])
        if existing.version > document["version"]:
            raise CatalogError(name, [("version", f"version {document['version']} is older than "
                                                  f"the loaded version {existing.version}")])
        if existing.version == document["version"]:
            if existing.checksum == checksum:
                return LoadResult(existing.urn, existing.version, "unchanged")
            raise CatalogError(name, [("version", "the content changed but the version did not; "
                                                  "raise the version number")])
    document = copy.deepcopy(document)
    with transaction.atomic():
        library, created = _save_library(existing, document, checksum, name, organisation)
        counts = _load_objects(library, document.get("objects") or {})
        outcome = "created" if created else "upgraded"
        record_event("catalog_load", object_type="library.library", object_repr=library.urn,
                     organisation_id=getattr(organisation, "pk", None),
                     details={"outcome": outcome, "version": library.version,
                              "checksum": checksum, "file": name, "counts": counts})
    return LoadResult(library.urn, library.version, outcome, counts)


def _save_library(existing, document, checksum, filename, organisation):
    library = existing or Library(urn=document["urn"], organisation=organisation)
    for attr in ("name", "version", "publisher", "licence", "source", "description"):
        setattr(library, attr, document.get(attr) or "")
    library.dependencies = document.get("dependencies") or []
    library.checksum, library.filename = checksum, filename
    library.save()
    return library, existing is None


def _load_objects(library, objects):
    counts = {}
    framework_urns = set()
    for data in objects.get("frameworks") or []:
        framework = _upsert(Framework, data["urn"], library=library, ref_id=data["ref_id"],
                            name=data["name"], description=data.get("description", ""),
                            allows_exclusions=bool(data.get("allows_exclusions", False)),
                            extra={k: v for k, v in data.items() if k not in FRAMEWORK_FIELDS},
                            retired=False)
        framework_urns.add(framework.urn)
        counts[framework.urn] = _load_requirements(framework, data.get("requirements") or [])
    for stale in Framework.objects.filter(library=library, retired=False).exclude(
            urn__in=framework_urns):
        stale.retired = True
        stale.save(update_fields=["retired"])
    counts["mappings"] = _load_mappings(library, objects.get("mappings") or [])
    for key, kind in ENTRY_KINDS.items():
        items = objects.get(key) or []
        urns = set()
        for order, data in enumerate(items):
            _upsert(CatalogEntry, data["urn"], library=library, kind=kind,
                    ref_id=str(data.get("ref_id", "")), name=data.get("name") or
                    data.get("title") or data["urn"], order=order, data=data, retired=False)
            urns.add(data["urn"])
        _retire(CatalogEntry.objects.filter(library=library, kind=kind), urns)
        if items:
            counts[key] = len(items)
    return counts


def _load_requirements(framework, items):
    by_urn = {r.urn: r for r in Requirement.objects.filter(framework=framework)}
    seen = set()
    for order, data in enumerate(items):
        parent = by_urn.get(data.get("parent_urn")) if data.get("parent_urn") else None
        values = {
            "framework": framework, "ref_id": str(data["ref_id"]), "parent": parent,
            "depth": data["depth"], "order": order, "title": data["title"],
            "paraphrase": data.get("paraphrase") or "",
            "assessable": data.get("assessable", True),
            "documented_information": data.get("documented_information") or "",
            "evidence_examples": data.get("evidence_examples") or [],
            "hs_id": data.get("hs_id") or "", "tags": data.get("tags") or [],
            "flag": data.get("flag") or "", "needs_check": bool(data.get("needs_check")),
            "extra": {k: v for k, v in data.items() if k not in REQUIREMENT_FIELDS},
            "retired": False,
        }
        by_urn[data["urn"]] = _upsert(Requirement, data["urn"], instance=by_urn.get(data["urn"]),
                                      **values)
        seen.add(data["urn"])
    for node in by_urn.values():
        section, clause = _ancestors(node)
        if (node.section_id, node.clause_id) != (section.pk, clause.pk):
            node.section, node.clause = section, clause
            node.save(update_fields=["section", "clause"])
    _retire(Requirement.objects.filter(framework=framework), seen)
    return len(items)


def _ancestors(node):
    """`(section, clause)`: the depth-1 and depth-2 ancestors, or the node itself when shallower."""
    chain = [node]
    while chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    chain.reverse()
    return chain[0], chain[1] if len(chain) > 1 else chain[0]


def _load_mappings(library, mappings):
    requirements = {}
    seen = set()
    for mapping in mappings:
        urns = {e["source_urn"] for e in mapping["entries"]} | {
            e["target_urn"] for e in mapping["entries"]}
        missing = urns - requirements.keys()
        requirements.update({r.urn: r for r in Requirement.objects.filter(urn__in=missing)})
        for entry in mapping["entries"]:
            source = requirements.get(entry["source_urn"])
            target = requirements.get(entry["target_urn"])
            if source is None or target is None:
                unknown = entry["source_urn"] if source is None else entry["target_urn"]
                raise CatalogError(library.filename, [(f"mappings/{mapping['urn']}",
                                                       f"unknown requirement {unknown}")])
            row, _ = RequirementMapping.objects.get_or_create(
                library=library, mapping_urn=mapping["urn"], source=source, target=target,
                defaults={"relationship": entry["relationship"]})
            if row.relationship != entry["relationship"] or row.retired:
                row.relationship, row.retired = entry["relationship"], False
                row.save(update_fields=["relationship", "retired"])
            seen.add(row.pk)
    for row in RequirementMapping.objects.filter(library=library, retired=False).exclude(
            pk__in=seen):
        row.retired = True
        row.save(update_fields=["retired"])
    return len(seen)


def _upsert(model, urn, instance=None, **values):
    """Create, or update only when something differs (so reloading writes nothing)."""
    if instance is None:
        instance = model.objects.filter(urn=urn).first()
    if instance is None:
        return model.objects.create(urn=urn, **values)
    changed = [k for k, v in values.items() if getattr(instance, k) != v]
    if changed:
        for key in changed:
            setattr(instance, key, values[key])
        instance.save(update_fields=changed)
    return instance


def _retire(queryset, keep):
    for obj in queryset.filter(retired=False).exclude(urn__in=keep):
        obj.retired = True
        obj.save(update_fields=["retired"])


def ensure_shipped():
    """Load every shipped catalogue file when none is loaded yet (a fresh installation); a
    loaded library is left for `chainward catalogs load` to upgrade. Returns the results."""
    if Library.objects.filter(organisation__isnull=True).exists():
        return []
    return [load(path) for path in shipped_files()]
