"""docs/catalogue-changes.md lists every catalogue entry still marked `needs_check` (issue 12:
"your note lists … what remains needs_check"), so the note cannot go stale silently.

The flagged entries come from the shipped catalogues as the library loader reads them (every
file `loader.shipped_files()` returns, parsed and schema-checked by `loader.read`), never from a
list written here. The note's section 3 has one heading per framework naming its URN and its
count ("#### Framework `urn:…` — 8 entries"), then one table row per entry starting with the
entry's ref_id in backticks. The check is two-sided: every flagged entry is listed, and every
listed entry is still flagged.
"""

import re
from pathlib import Path

from chainward.library import loader

NOTE = Path(__file__).resolve().parents[2] / "docs" / "catalogue-changes.md"
SECTION = "## 3. What remains `needs_check`"
FRAMEWORK_HEADING = re.compile(
    r"^#{2,6} .*`(urn:chainward:framework:[a-z0-9-]+)`(?:.*— (\d+) entr)?")
ENTRY_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")
HEADING = re.compile(r"^#{1,6}\s")


def flagged_in_catalogues():
    """{framework URN: [ref_id, …]} of the requirements with `needs_check: true`, in file order."""
    flagged = {}
    for path in loader.shipped_files():
        document, _ = loader.read(path)
        for framework in (document.get("objects") or {}).get("frameworks") or []:
            refs = [str(r["ref_id"]) for r in framework.get("requirements") or []
                    if r.get("needs_check") is True]
            if refs:
                flagged[framework["urn"]] = refs
    return flagged


def listed_in_note():
    """{framework URN: (count in its heading or None, [ref_id, …] of its table rows)}."""
    text = NOTE.read_text(encoding="utf-8")
    assert SECTION in text, f"{NOTE.name} has no section headed {SECTION!r}"
    start = text.index(SECTION) + len(SECTION)
    end = text.find("\n## ", start)
    listed, current = {}, None
    for line in text[start:end if end != -1 else None].splitlines():
        if HEADING.match(line):
            heading = FRAMEWORK_HEADING.match(line)
            current = heading.group(1) if heading else None
            if current:
                assert current not in listed, f"{current} has two sections in {NOTE.name}"
                count = int(heading.group(2)) if heading.group(2) else None
                listed[current] = (count, [])
            continue
        row = ENTRY_ROW.match(line)
        if row and current:
            listed[current][1].append(row.group(1))
    return listed


def test_every_needs_check_entry_of_the_shipped_catalogues_is_listed():
    flagged, listed = flagged_in_catalogues(), listed_in_note()
    missing = {urn: [ref for ref in refs if ref not in listed.get(urn, (None, []))[1]]
               for urn, refs in flagged.items()}
    missing = {urn: refs for urn, refs in missing.items() if refs}
    assert not missing, (f"{NOTE.name} section 3 does not list these needs_check entries "
                         f"(add a row under the framework's heading): {missing}")


def test_every_listed_entry_is_still_marked_needs_check():
    flagged, listed = flagged_in_catalogues(), listed_in_note()
    stale = {urn: [ref for ref in refs if ref not in flagged.get(urn, [])]
             for urn, (_, refs) in listed.items()}
    stale = {urn: refs for urn, refs in stale.items() if refs}
    assert not stale, (f"{NOTE.name} section 3 lists entries that are no longer needs_check "
                       f"(or whose framework is gone); move them to the changes: {stale}")
    empty = [urn for urn, (_, refs) in listed.items() if not refs]
    assert not empty, f"framework sections without entry rows in {NOTE.name}: {empty}"


def test_each_framework_heading_gives_its_count_and_lists_each_entry_once():
    flagged, listed = flagged_in_catalogues(), listed_in_note()
    for urn, (count, refs) in listed.items():
        doubled = sorted({ref for ref in refs if refs.count(ref) > 1})
        assert not doubled, f"{urn}: listed more than once: {doubled}"
        assert count == len(flagged.get(urn, [])), (
            f"{urn}: the heading says {count} entries, the catalogue has "
            f"{len(flagged.get(urn, []))} marked needs_check")
