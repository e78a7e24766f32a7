"""Helpers for the tests that read the demo."""

import io
import zipfile

from chainward.certification.evidence_pack import PackWriter


def pack_section(section, organisation, user):
    """`(entries, archive)`: what an evidence-pack section writes for `user`, and the ZIP."""
    pack = PackWriter(user, "EP-T")
    entries = section(organisation, user, pack)
    return entries, zipfile.ZipFile(io.BytesIO(pack.close()))
