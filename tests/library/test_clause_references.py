"""Every ISO 28000 / ISO 28001 clause reference shown to users points at a real clause, and at
the right one for the subject it names (issue 12: corrective action is 10.2, assessment work is
ISO 28001 5.3).

Scanned: every template and every other text file under src/chainward (PDFs and the evidence pack
are rendered from these templates), and every string literal of every Python module (docstrings
included: viewset docstrings become the API documentation). The catalogue files themselves and
migrations (historical state) are not scanned.
"""

import ast
import functools
import re
from pathlib import Path

import pytest
import yaml

SRC = Path(__file__).resolve().parents[2] / "src" / "chainward"
CATALOGS = SRC / "catalogs"
TEXT_SUFFIXES = {".html", ".txt", ".md", ".yaml", ".yml", ".json", ".xml", ".csv"}

# Which catalogue a citation points at (a bare "ISO 28000" is the current 2022 edition).
FRAMEWORKS = {
    ("28000", None): "urn:chainward:framework:iso28000-2022",
    ("28000", "2022"): "urn:chainward:framework:iso28000-2022",
    ("28000", "2007"): "urn:chainward:framework:iso28000-2007",
    ("28001", None): "urn:chainward:framework:iso28001-2007",
    ("28001", "2007"): "urn:chainward:framework:iso28001-2007",
}

CLAUSE = r"\d+(?:\.\d+)*"
# A number followed by "pages", "days" or "%" is a figure, not a clause ("ISO 28000:2022 95.2%"
# in a readiness table, "ISO 28000 4.1 and 12 pages").
NOT_A_FIGURE = r"(?![\d.]*\s*(?:pages|days|%))"
REFERENCE = re.compile(
    r"ISO\s?(?P<standard>2800[01])(?::(?P<year>\d{4}))?\s+(?:clause\s+|§\s*)?"
    rf"(?P<clauses>{CLAUSE}{NOT_A_FIGURE}(?:\s*(?:,|/|-|–|and)\s*{CLAUSE}{NOT_A_FIGURE})*)")

# Written by hand from the standards (not read from the code under test): the subject a text
# names next to a clause number, and the clauses that subject may be cited as. "Next to" means
# the nearest citation of the same standard within NEAR characters ("Ratings (ISO 28001 5.3)",
# "ISO 28001 5.3: a member of the assessment team"); a range such as 5.2-5.6 covers 5.3.
NEAR = 20
BEFORE = re.compile(r"[^.;:()]*\(?\s*$")  # the subject labels the citation that follows it
AFTER = re.compile(r"\)?\s*(?:[a-z]\)?\s*)?(?::|—|–)")  # the citation defines what follows it
SUBJECTS = [
    ("28000", r"corrective[ -]actions?|nonconformit|\bcapa\b|root[ -]cause",
     {"10", "10.2", "9.3.2"}),  # 9.3.2: they are a management-review input
    ("28000", r"internal audit|audit programme", {"9.2", "9.2.1", "9.2.2"}),
    ("28000", r"management review", {"9.3", "9.3.1", "9.3.2", "9.3.3"}),
    ("28001", r"assessment team|\bteam\b", {"5.3"}),
    ("28001", r"threat scenario", {"5.3"}),
    ("28001", r"\bconsequences?\b|\blikelihood\b|worst credible", {"5.3"}),
    ("28001", r"\brat(?:e|es|ed|ing|ings)\b", {"5.3"}),
    ("28001", r"residual", {"5.3"}),
    ("28001", r"measures? already in place|existing measures?", {"5.3"}),
    ("28001", r"countermeasures?", {"5.3", "5.4", "5.5"}),
    ("28001", r"exempt", {"4.4"}),
    ("28001", r"statement of application", {"4.1"}),
]


@functools.cache
def catalogue_refs():
    """{framework urn: {ref_id: title}} read straight from the shipped YAML files."""
    refs = {}
    for path in CATALOGS.glob("*.yaml"):
        document = yaml.safe_load(path.read_text())
        for framework in (document.get("objects") or {}).get("frameworks") or []:
            refs[framework["urn"]] = {str(r["ref_id"]): r["title"]
                                      for r in framework.get("requirements") or []}
    return refs


def texts():
    """(location, text) for every scanned text: template files and Python string literals."""
    for path in sorted(SRC.rglob("*")):
        if not path.is_file() or CATALOGS in path.parents or "migrations" in path.parts:
            continue
        where = path.relative_to(SRC.parent)
        if path.suffix == ".py":
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    yield f"{where}:{node.lineno}", node.value
                elif isinstance(node, ast.JoinedStr):  # f-strings: their literal parts joined
                    parts = [v.value for v in node.values
                             if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                    yield f"{where}:{node.lineno}", "{}".join(parts)
        elif path.suffix in TEXT_SUFFIXES:
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                yield f"{where}:{number}", line


def expand(listed):
    """The clauses a list such as "9.2, 10.1" or a range such as "5.2-5.6" cites."""
    clauses = []
    for part in re.split(r"\s*(?:,|/|and)\s*", listed.strip()):
        ends = re.split(r"\s*[-–]\s*", part)
        clauses.append(ends[0])
        if len(ends) == 2:
            first, last = ends[0].split("."), ends[1].split(".")
            if len(first) == len(last) and first[:-1] == last[:-1]:
                prefix = ".".join(first[:-1] + [""]) if len(first) > 1 else ""
                clauses.extend(f"{prefix}{n}" for n in range(int(first[-1]) + 1, int(last[-1])))
            clauses.append(ends[1])
    return clauses


def citations(text):
    """[(standard, year, [clause, ...], start, end)] for each citation in one text."""
    found = []
    for match in REFERENCE.finditer(text):
        found.append((match["standard"], match["year"], expand(match["clauses"]),
                      match.start(), match.end()))
    return found


def all_citations():
    return [(where, text, c) for where, text in texts() for c in citations(text)]


def unknown_clauses(found, refs):
    problems = []
    for where, _text, (standard, year, clauses, _start, _end) in found:
        framework = FRAMEWORKS[(standard, year)]
        for clause in clauses:
            if clause not in refs[framework]:
                problems.append(f"{where}: ISO {standard} {clause} is not a clause of {framework}")
    return problems


def misattributed_subjects(text, where):
    """Problems where a subject named in `text` is cited with a clause it does not belong to."""
    problems = []
    found = citations(text)
    for standard, pattern, allowed in SUBJECTS:
        for subject in re.finditer(pattern, text, flags=re.IGNORECASE):
            nearest = None
            for cited_standard, _year, clauses, start, end in found:
                if cited_standard != standard:
                    continue
                if start >= subject.end():  # "Ratings (ISO 28001 5.3)": no break in between
                    between, labels = text[subject.end():start], BEFORE
                else:  # "ISO 28001 5.3: a member of the assessment team"
                    between, labels = text[end:subject.start()], AFTER
                if len(between) <= NEAR and labels.match(between) and (
                        nearest is None or len(between) < nearest[0]):
                    nearest = (len(between), clauses)
            if nearest and not set(nearest[1]) & allowed:
                cited, belongs = ", ".join(nearest[1]), ", ".join(sorted(allowed))
                problems.append(f"{where}: '{subject.group(0)}' cited as ISO {standard} "
                                f"{cited}; it belongs to {belongs}")
    return problems


@pytest.fixture(scope="module")
def found():
    return all_citations()


def test_the_scan_finds_the_citations_it_is_meant_to_check(found):
    # A scan that finds nothing would pass vacuously: the product cites both standards widely.
    standards = {c[0] for _where, _text, c in found}
    assert standards == {"28000", "28001"}
    assert len(found) > 50


def test_every_cited_clause_exists_in_the_catalogue(found):
    assert unknown_clauses(found, catalogue_refs()) == []


def test_every_cited_clause_fits_the_subject_named_next_to_it(found):
    problems = []
    for where, text in {(w, t) for w, t, _c in found}:
        problems.extend(misattributed_subjects(text, where))
    assert sorted(problems) == []


@pytest.mark.parametrize("text", [
    "Nonconformities and corrective-action log (ISO 28000 10.1)",
    "Assessment team (ISO 28001 5.2)",
    "Threat scenarios considered (ISO 28001 5.4)",
    "Ratings (ISO 28001 5.5–5.6)",
    "ISO 28001 5.5: rate the worst credible outcome per category",
    "ISO 28000 10.1 b — a root-cause analysis",
])
def test_the_subject_check_catches_the_references_the_auditor_found(text):
    assert misattributed_subjects(text, "sample")


@pytest.mark.parametrize("text", [
    "Nonconformities and corrective-action log (ISO 28000 10.2)",
    "Ratings (ISO 28001 5.3)",
    "ISO 28001 5.4 / ISO 28000 8.6 security plan generated from the assessment",
    "ISO 28001 5.2-5.6: one security assessment of a scope, with its team and ratings",
])
def test_the_subject_check_accepts_correct_references(text):
    # "5.2-5.6" is a range that covers 5.3 (the whole assessment), not a list of two clauses.
    assert misattributed_subjects(text, "sample") == []


@pytest.mark.parametrize("text,clauses", [
    ("ISO 28000:2022 95.2% GAP-0002", []),  # a readiness figure after the framework's name
    ("ISO 28000 9.3.2 and 10.2", [["9.3.2", "10.2"]]),
    ("ISO 28000 4.1 and 12 pages", [["4.1"]]),
])
def test_figures_after_a_standard_are_not_read_as_clauses(text, clauses):
    assert [c[2] for c in citations(text)] == clauses


def test_a_clause_missing_from_the_catalogue_is_reported():
    sample = [("sample", "see ISO 28000 8.7", c) for c in citations("see ISO 28000 8.7")]
    assert unknown_clauses(sample, catalogue_refs()) == [
        "sample: ISO 28000 8.7 is not a clause of urn:chainward:framework:iso28000-2022"]
