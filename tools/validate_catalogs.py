#!/usr/bin/env python3
"""Validate Chainward catalogue files: JSON Schema plus cross-file integrity checks.

Usage:
    python tools/validate_catalogs.py [PATH ...]

PATH is a catalogue YAML file or a directory of them (default: src/chainward/catalogs).
References must resolve inside the set of files validated together, so validate a custom
file together with the shipped directory it depends on.

Checks, beyond the schema (schema/catalog.schema.json):
  * YAML is well formed and has no duplicate keys; the file name matches the library URN;
  * every URN is unique across all files;
  * every parent_urn resolves within the same framework, appears before its child, and
    depth = parent depth + 1 (roots have depth 1); requirement URNs match framework + ref_id;
  * every mapping, workflow, threat, control, document and checklist reference resolves,
    and cross-library references point to a declared dependency (no dependency cycles);
  * hs_id values exist in the Harmonized Structure core; Harmonized-Structure mappings agree
    with the hs_id on the target requirements;
  * risk-matrix scales, categories and grid are consistent.

Prints one line per file (name, version, node count) and exits 0 when everything is valid,
1 on any validation error, 2 when it cannot run (missing PyYAML/jsonschema or no files).
Needs only PyYAML and jsonschema.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the environment
    print("validate_catalogs: PyYAML is missing. Install it: pip install pyyaml", file=sys.stderr)
    sys.exit(2)
try:
    from jsonschema import Draft202012Validator
except ImportError:  # pragma: no cover - depends on the environment
    print(
        "validate_catalogs: jsonschema is missing. Install it: pip install jsonschema",
        file=sys.stderr,
    )
    sys.exit(2)

ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = ROOT / "src" / "chainward" / "catalogs"
SCHEMA_PATH = CATALOG_DIR / "schema" / "catalog.schema.json"
HS_FRAMEWORK = "urn:chainward:framework:hs-core"
LIBRARY_PREFIX = "urn:chainward:library:"

OBJECT_KINDS = {
    "frameworks": "framework",
    "workflow_steps": "workflow_step",
    "mappings": "mapping",
    "threat_categories": "threat_category",
    "threat_scenarios": "threat_scenario",
    "reference_controls": "reference_control",
    "risk_matrices": "risk_matrix",
    "document_types": "document_type",
    "checklist_templates": "checklist_template",
}


class UniqueKeyLoader(yaml.SafeLoader):
    """Safe loader that rejects duplicate mapping keys (a silent-overwrite trap in YAML)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _list(obj, key: str) -> list:
    """obj[key] if obj is a mapping holding a list there, else an empty list."""
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, list) else []


class Catalogue:
    """One loaded file with its errors."""

    def __init__(self, path: Path):
        self.path = path
        self.data: dict | None = None
        self.errors: list[str] = []
        self.schema_ok = False

    @property
    def urn(self) -> str | None:
        return self.data.get("urn") if isinstance(self.data, dict) else None

    def objects(self, key: str) -> list:
        objs = self.data.get("objects") if isinstance(self.data, dict) else None
        items = objs.get(key) if isinstance(objs, dict) else None
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}" if where else message)

    def node_counts(self) -> dict[str, int]:
        counts = {
            "requirements": sum(
                len(f.get("requirements") or []) for f in self.objects("frameworks")
            ),
            "mapping entries": sum(len(m.get("entries") or []) for m in self.objects("mappings")),
            "checklist items": sum(
                len(c.get("items") or []) for c in self.objects("checklist_templates")
            ),
        }
        for key in (
            "workflow_steps",
            "threat_categories",
            "threat_scenarios",
            "reference_controls",
            "document_types",
        ):
            counts[key.replace("_", " ")] = len(self.objects(key))
        # A risk matrix counts its scale levels, consequence categories and risk levels.
        counts["risk matrix entries"] = sum(
            len(_list(m.get("likelihood"), "levels"))
            + len(_list(m.get("consequence"), "levels"))
            + len(_list(m.get("consequence"), "categories"))
            + len(m.get("risk_levels") or [])
            for m in self.objects("risk_matrices")
        )
        return {k: v for k, v in counts.items() if v}


class Index:
    """Every URN across the validated files: what it is, where it lives, what it holds."""

    def __init__(self):
        self.kind: dict[str, str] = {}
        self.owner: dict[str, Catalogue] = {}
        self.obj: dict[str, dict] = {}
        self.req_framework: dict[str, str] = {}
        self.libraries: dict[str, Catalogue] = {}

    def add(self, urn, kind, cat: Catalogue, obj, where: str) -> None:
        if not isinstance(urn, str):
            return
        if urn in self.kind:
            other = self.owner[urn]
            cat.error(
                where,
                f"duplicate URN {urn} (already used by a {self.kind[urn]} in {other.path.name})",
            )
            return
        self.kind[urn], self.owner[urn], self.obj[urn] = kind, cat, obj

    def build(self, cats: list[Catalogue]) -> None:
        for cat in cats:
            if cat.urn:
                self.add(cat.urn, "library", cat, cat.data, "urn")
                self.libraries.setdefault(cat.urn, cat)
            for key, kind in OBJECT_KINDS.items():
                for i, obj in enumerate(cat.objects(key)):
                    self.add(obj.get("urn"), kind, cat, obj, f"objects.{key}[{i}]")
                    if kind != "framework":
                        continue
                    for j, req in enumerate(obj.get("requirements") or []):
                        if isinstance(req, dict):
                            self.add(
                                req.get("urn"),
                                "requirement",
                                cat,
                                req,
                                f"objects.{key}[{i}].requirements[{j}]",
                            )
                            self.req_framework.setdefault(req.get("urn"), obj.get("urn"))

    def hs_ids(self) -> set[str]:
        fw = self.obj.get(HS_FRAMEWORK) or {}
        return {r.get("ref_id") for r in fw.get("requirements") or [] if isinstance(r, dict)}


def load(path: Path) -> Catalogue:
    cat = Catalogue(path)
    try:
        cat.data = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        cat.error("", f"cannot read YAML: {exc}".replace("\n", " "))
        return cat
    if not isinstance(cat.data, dict):
        cat.error("", "top level must be a mapping (library header + objects)")
        cat.data = None
    return cat


def check_schema(cat: Catalogue, validator: Draft202012Validator) -> None:
    if cat.data is None:
        return
    errors = sorted(validator.iter_errors(cat.data), key=lambda e: list(e.absolute_path))
    for err in errors:
        where = ".".join(str(p) for p in err.absolute_path) or "(top)"
        message = err.message if len(err.message) <= 240 else err.message[:237] + "..."
        cat.error(where, message)
    cat.schema_ok = not errors


class Checker:
    """Cross-object rules for one catalogue against the index of all catalogues."""

    def __init__(self, cat: Catalogue, index: Index):
        self.cat, self.index = cat, index
        deps = cat.data.get("dependencies") or []
        self.allowed = {cat.urn, *deps}
        self.missing_deps: set[str] = set()

    def ref(self, where: str, urn, kinds: tuple[str, ...]) -> dict | None:
        """Resolve a URN reference; report unknown URNs, wrong kinds and undeclared libraries."""
        kind = self.index.kind.get(urn)
        if kind is None:
            self.cat.error(where, f"unresolved reference {urn}")
            return None
        if kind not in kinds:
            self.cat.error(where, f"{urn} is a {kind}, expected {' or '.join(kinds)}")
            return None
        owner = self.index.owner[urn]
        if owner.urn not in self.allowed and owner.urn not in self.missing_deps:
            self.missing_deps.add(owner.urn)  # one message per missing dependency is enough
            self.cat.error(where, f"{urn} lives in {owner.urn}; add it to dependencies")
        return self.index.obj[urn]

    def run(self) -> None:
        self.library()
        for i, fw in enumerate(self.cat.objects("frameworks")):
            self.framework(f"objects.frameworks[{i}]", fw)
        for i, m in enumerate(self.cat.objects("mappings")):
            self.mapping(f"objects.mappings[{i}]", m)
        self.workflow_steps()
        self.threats()
        for i, m in enumerate(self.cat.objects("risk_matrices")):
            self.risk_matrix(f"objects.risk_matrices[{i}]", m)
        for i, d in enumerate(self.cat.objects("document_types")):
            w = f"objects.document_types[{i}]"
            self.expect_urn(w, d, f"urn:chainward:doctype:{d['ref_id']}")
            for j, u in enumerate(d.get("clauses", [])):
                self.ref(f"{w}.clauses[{j}]", u, ("requirement",))
            for j, u in enumerate(d.get("also_serves", [])):
                self.ref(f"{w}.also_serves[{j}]", u, ("requirement",))
        for i, c in enumerate(self.cat.objects("checklist_templates")):
            self.checklist(f"objects.checklist_templates[{i}]", c)

    def expect_urn(self, where: str, obj: dict, expected: str) -> None:
        if obj.get("urn") != expected:
            self.cat.error(where, f"urn {obj.get('urn')} should be {expected}")

    def library(self) -> None:
        slug = self.cat.urn[len(LIBRARY_PREFIX) :]
        if self.cat.path.stem != slug:
            self.cat.error("urn", f"file should be named {slug}.yaml to match {self.cat.urn}")
        for i, dep in enumerate(self.cat.data.get("dependencies") or []):
            if dep == self.cat.urn:
                self.cat.error(f"dependencies[{i}]", "a library cannot depend on itself")
            elif dep not in self.index.libraries:
                self.cat.error(f"dependencies[{i}]", f"{dep} is not among the validated files")

    def framework(self, where: str, fw: dict) -> None:
        slug = fw["urn"].rsplit(":", 1)[1]
        entity_types = {e["ref_id"] for e in fw.get("entity_types", [])}
        hs_ids = self.index.hs_ids()
        seen: dict[str, dict] = {}
        refs: set[str] = set()
        for j, req in enumerate(fw["requirements"]):
            w = f"{where}.requirements[{j}] ({req['ref_id']})"
            self.expect_urn(w, req, f"urn:chainward:req:{slug}:{req['ref_id']}")
            if req["ref_id"] in refs:
                self.cat.error(w, f"ref_id {req['ref_id']} repeated in framework {slug}")
            refs.add(req["ref_id"])
            parent = req["parent_urn"]
            if parent is None:
                if req["depth"] != 1:
                    self.cat.error(w, f"root node must have depth 1, has {req['depth']}")
            elif parent not in seen:
                if self.index.req_framework.get(parent) == fw["urn"]:
                    self.cat.error(w, f"parent {parent} must come before its child")
                else:
                    self.cat.error(w, f"parent_urn {parent} is not a requirement of {slug}")
            elif req["depth"] != seen[parent]["depth"] + 1:
                self.cat.error(
                    w,
                    f"depth {req['depth']} should be parent depth + 1 = "
                    f"{seen[parent]['depth'] + 1}",
                )
            seen[req["urn"]] = req
            hs = req.get("hs_id")
            if hs is not None and hs not in hs_ids:
                self.cat.error(w, f"hs_id {hs} is not a Harmonized Structure core id")
            for et in req.get("entity_types", []):
                if et not in entity_types:
                    self.cat.error(w, f"entity type {et} is not declared by the framework")
        for k, amd in enumerate(fw.get("amendments", [])):
            for ref in amd["affects"]:
                if ref not in refs:
                    self.cat.error(f"{where}.amendments[{k}]", f"affects unknown clause {ref}")

    def mapping(self, where: str, m: dict) -> None:
        fws = {}
        for side in ("source_framework", "target_framework"):
            fws[side] = m[side]
            self.ref(f"{where}.{side}", m[side], ("framework",))
        pairs = set()
        hs_targets = defaultdict(set)
        for j, e in enumerate(m["entries"]):
            w = f"{where}.entries[{j}]"
            for side, fw_key in (
                ("source_urn", "source_framework"),
                ("target_urn", "target_framework"),
            ):
                if self.ref(f"{w}.{side}", e[side], ("requirement",)) is None:
                    continue
                if self.index.req_framework.get(e[side]) != fws[fw_key]:
                    self.cat.error(f"{w}.{side}", f"{e[side]} is not in {fws[fw_key]}")
            pair = (e["source_urn"], e["target_urn"])
            if pair in pairs:
                self.cat.error(w, f"duplicate entry {pair[0]} -> {pair[1]}")
            pairs.add(pair)
            if fws["source_framework"] == HS_FRAMEWORK:
                self.hs_entry(w, e, hs_targets)
        if fws["source_framework"] == HS_FRAMEWORK:
            self.hs_coverage(where, fws["target_framework"], hs_targets)

    def hs_entry(self, where: str, e: dict, hs_targets: dict) -> None:
        source = self.index.obj.get(e["source_urn"]) or {}
        target = self.index.obj.get(e["target_urn"]) or {}
        hs_targets[source.get("ref_id")].add(e["target_urn"])
        if e["relationship"] == "equal" and target.get("hs_id") != source.get("ref_id"):
            self.cat.error(
                where,
                f"equal mapping from {source.get('ref_id')} but "
                f"{e['target_urn']} has hs_id {target.get('hs_id')}",
            )

    def hs_coverage(self, where: str, target_fw: str, hs_targets: dict) -> None:
        fw = self.index.obj.get(target_fw) or {}
        for req in fw.get("requirements") or []:
            hs = req.get("hs_id") if isinstance(req, dict) else None
            if hs and req.get("urn") not in hs_targets.get(hs, set()):
                self.cat.error(
                    where, f"{req.get('urn')} has hs_id {hs} but no entry maps {hs} to it"
                )

    def workflow_steps(self) -> None:
        steps = self.cat.objects("workflow_steps")
        by_flow: dict[str, dict[str, dict]] = defaultdict(dict)
        orders: dict[str, set[int]] = defaultdict(set)
        for i, s in enumerate(steps):
            w = f"objects.workflow_steps[{i}] ({s['ref_id']})"
            self.expect_urn(w, s, f"urn:chainward:step:{s['workflow']}:{s['ref_id']}")
            if s["order"] in orders[s["workflow"]]:
                self.cat.error(w, f"order {s['order']} repeated in workflow {s['workflow']}")
            orders[s["workflow"]].add(s["order"])
            by_flow[s["workflow"]][s["ref_id"]] = s
        for i, s in enumerate(steps):
            w = f"objects.workflow_steps[{i}] ({s['ref_id']})"
            flow = by_flow[s["workflow"]]
            parent = s["parent_urn"]
            if parent is not None and parent not in {x["urn"] for x in flow.values()}:
                self.cat.error(w, f"parent_urn {parent} is not a step of {s['workflow']}")
            for t in s.get("transitions", []):
                if t["goto"] not in flow:
                    self.cat.error(w, f"transition goes to unknown step {t['goto']}")
            for j, u in enumerate(s.get("related_requirements", [])):
                self.ref(f"{w}.related_requirements[{j}]", u, ("requirement",))

    def threats(self) -> None:
        codes = {
            o.get("ref_id")
            for u, o in self.index.obj.items()
            if self.index.kind[u] == "threat_category"
        }
        cat_owner = {
            self.index.owner[u].urn
            for u in self.index.obj
            if self.index.kind[u] == "threat_category"
        }
        for i, t in enumerate(self.cat.objects("threat_scenarios")):
            w = f"objects.threat_scenarios[{i}] ({t['ref_id']})"
            self.expect_urn(w, t, f"urn:chainward:threat:{t['ref_id']}")
            for code in t["iso28001_categories"]:
                if code not in codes:
                    self.cat.error(w, f"unknown ISO 28001 threat category {code}")
            if t["iso28001_categories"] and not cat_owner & self.allowed:
                self.cat.error(w, "threat categories come from a library missing in dependencies")
            for j, u in enumerate(t.get("reference_controls", [])):
                self.ref(f"{w}.reference_controls[{j}]", u, ("reference_control",))
        for i, c in enumerate(self.cat.objects("reference_controls")):
            w = f"objects.reference_controls[{i}] ({c['ref_id']})"
            self.expect_urn(w, c, f"urn:chainward:control:{c['ref_id']}")
            for j, u in enumerate(c.get("related_requirements", [])):
                self.ref(f"{w}.related_requirements[{j}]", u, ("requirement",))
        for i, c in enumerate(self.cat.objects("threat_categories")):
            if not c["urn"].endswith(":" + c["ref_id"]):
                self.cat.error(
                    f"objects.threat_categories[{i}]",
                    f"urn {c['urn']} should end with :{c['ref_id']}",
                )

    def risk_matrix(self, where: str, m: dict) -> None:
        def values(levels, w):
            vals = [lv["value"] for lv in levels]
            if vals != list(range(1, len(vals) + 1)):
                self.cat.error(w, f"level values must be 1..{len(vals)} in order, got {vals}")
            return vals

        lik = values(m["likelihood"]["levels"], f"{where}.likelihood")
        con = values(m["consequence"]["levels"], f"{where}.consequence")
        for k, c in enumerate(m["consequence"]["categories"]):
            got = [lv["value"] for lv in c["levels"]]
            if got != con:
                self.cat.error(
                    f"{where}.consequence.categories[{k}] ({c['ref_id']})",
                    f"needs one description per consequence level {con}, got {got}",
                )
        levels = {}
        for k, lv in enumerate(m["risk_levels"]):
            if lv["ref_id"] in levels:
                self.cat.error(f"{where}.risk_levels[{k}]", f"repeated ref_id {lv['ref_id']}")
            levels[lv["ref_id"]] = lv
        grid = m["grid"]
        if len(grid) != len(lik) or any(len(row) != len(con) for row in grid):
            self.cat.error(f"{where}.grid", f"must be {len(lik)} rows x {len(con)} columns")
            return
        for li, row in enumerate(grid, start=1):
            for ci, ref in enumerate(row, start=1):
                lv = levels.get(ref)
                if lv is None:
                    self.cat.error(f"{where}.grid[{li - 1}][{ci - 1}]", f"unknown level {ref}")
                elif m.get("scoring", "product") == "product" and "min_score" in lv:
                    if not lv["min_score"] <= li * ci <= lv.get("max_score", li * ci):
                        self.cat.error(
                            f"{where}.grid[{li - 1}][{ci - 1}]",
                            f"score {li * ci} is outside level {ref} "
                            f"({lv['min_score']}-{lv.get('max_score')})",
                        )

    def checklist(self, where: str, c: dict) -> None:
        self.expect_urn(where, c, f"urn:chainward:checklist:{c['ref_id']}")
        seen = set()
        for item in c["items"]:
            if item["ref_id"] in seen:
                self.cat.error(where, f"item ref_id {item['ref_id']} repeated")
            seen.add(item["ref_id"])
        if "extends" in c:
            self.ref(f"{where}.extends", c["extends"], ("checklist_template",))
        for j, u in enumerate(c.get("related_requirements", [])):
            self.ref(f"{where}.related_requirements[{j}]", u, ("requirement",))


def dependency_cycles(cats: list[Catalogue]) -> None:
    """Report libraries that (transitively) depend on themselves."""
    graph = {c.urn: set(c.data.get("dependencies") or []) for c in cats if c.schema_ok}
    by_urn = {c.urn: c for c in cats if c.schema_ok}
    for start in graph:
        stack, seen = list(graph[start]), set()
        while stack:
            nxt = stack.pop()
            if nxt == start:
                by_urn[start].error("dependencies", "dependency cycle back to this library")
                break
            if nxt not in seen:
                seen.add(nxt)
                stack.extend(graph.get(nxt, ()))


def collect(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("*.yaml")))
        elif p.is_file():
            files.append(p)
        else:
            print(f"validate_catalogs: {p} does not exist", file=sys.stderr)
            sys.exit(2)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "paths",
        nargs="*",
        default=[str(CATALOG_DIR)],
        help="catalogue files or directories (default: the shipped catalogues)",
    )
    parser.add_argument("--schema", default=str(SCHEMA_PATH), help="JSON Schema to use")
    args = parser.parse_args(argv)

    schema = json.loads(Path(args.schema).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    files = collect(args.paths)
    if not files:
        print("validate_catalogs: no catalogue files found", file=sys.stderr)
        return 2

    cats = [load(f) for f in files]
    for cat in cats:
        check_schema(cat, validator)
    index = Index()
    index.build(cats)
    dependency_cycles(cats)
    for cat in cats:
        if cat.schema_ok:
            Checker(cat, index).run()

    total_nodes = total_errors = 0
    for cat in cats:
        data = cat.data or {}
        counts = cat.node_counts() if cat.data else {}
        nodes = sum(counts.values())
        total_nodes += nodes
        detail = ", ".join(f"{v} {k}" for k, v in counts.items())
        status = "ok" if not cat.errors else f"{len(cat.errors)} error(s)"
        print(
            f"{cat.path.name:<34} v{data.get('version', '?')!s:<3} {nodes:>5} nodes  "
            f"{status:<12} {data.get('name', '?')} [{detail}]"
        )
        for err in cat.errors:
            print(f"  ERROR {cat.path.name}: {err}")
        if cat.data is not None and not cat.schema_ok:
            print(
                f"  NOTE  {cat.path.name}: cross-file checks run once the schema errors are fixed"
            )
        total_errors += len(cat.errors)
    print(f"{len(cats)} files, {total_nodes} nodes, {total_errors} error(s)")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
