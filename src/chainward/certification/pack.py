"""Sections of the auditor's evidence pack, contributed by the apps.

A pack section is a function `func(organisation, user, pack) -> list[PackEntry]` registered
with `@pack_section(key, title, order, restricted=False)`. `services.build_evidence_pack` calls
every registered section while it writes the ZIP; a section must include only what `user` (the
person producing the pack) may see — use `Model.objects.restrict(user, "view")`.

`pack` is the `PackWriter` being filled; put files into the ZIP with

    path = pack.add_file("risk/register.xlsx", data_bytes)          # -> relative member path
    path = pack.add_pdf("risk/register.pdf", pdf_bytes, restricted=True)   # watermarked
    path = pack.render_pdf("risk/register.pdf", "risk/pack_register.html", context,
                           restricted=False)                         # WeasyPrint via core.pdf

and return entries pointing at them (or at links outside the pack):

    PackEntry(title="Risk register (XLSX)", path=path, note="42 risks", restricted=False)
    PackEntry(title="Intranet page", link="https://intranet.example/risk")

A section registered with `restricted=True` marks all its entries RESTRICTED in the index and
watermarks every PDF it adds. Example, in `chainward/risk/pack_sections.py` imported from the risk
app's `AppConfig.ready()`:

    from chainward.certification.pack import PackEntry, pack_section

    @pack_section("risk_register", "Risk register", order=60, restricted=True)
    def risk_register(organisation, user, pack):
        rows = Risk.objects.restrict(user, "view").filter(organisation=organisation)
        path = pack.add_file("risk/risk-register.xlsx", xlsx_bytes("Risks", table(rows)))
        return [PackEntry("Risk register", path=path, note=f"{rows.count()} risks")]

Keys listed in `EXPECTED` are shown as "Not yet available in this installation" until a section
with that key is registered.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class PackEntry:
    """One line of the pack index: a file inside the ZIP (`path`), a link, or a note."""

    title: str
    path: str = ""  # relative member path inside the ZIP (from pack.add_file / add_pdf)
    link: str = ""  # an address outside the pack (intranet, DMS)
    note: str = ""
    restricted: bool = False

    def as_dict(self):
        return {"title": self.title, "path": self.path, "link": self.link, "note": self.note,
                "restricted": self.restricted}


@dataclass(frozen=True)
class PackSection:
    key: str
    title: str
    order: int
    restricted: bool
    func: Callable


_sections: dict[str, PackSection] = {}

# Sections the other apps will contribute (key -> title, order).
EXPECTED = {
    "risk_register": ("Risk register and security assessments", 60),
    "security_plan": ("Security plan", 65),
    "audit_programme": ("Internal audit programme and reports", 70),
    "corrective_actions": ("Nonconformities and corrective-action log", 75),
}


def pack_section(key, title, order=100, restricted=False):
    """Register `func(organisation, user, pack) -> list[PackEntry]` as the pack section `key`."""
    def decorate(func):
        _sections[key] = PackSection(key, title, order, restricted, func)
        return func
    return decorate


def registered_sections():
    """Every registered section, in order."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def placeholders():
    """Expected sections nobody has contributed yet: [(key, title, order)]."""
    return [(key, title, order) for key, (title, order) in EXPECTED.items()
            if key not in _sections]
