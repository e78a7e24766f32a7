"""The evidence-pack sections of issue 16 on the demo: the context (with the climate
decision), the legal register with its evaluations, and the roles/competence matrix/training
records — each a PDF naming what the producer may see (a Hamburg site officer does not see the
Polish gate controllers' training)."""

import io

import pytest
from pypdf import PdfReader

from chainward.access.models import User
from chainward.context.pack_sections import context, legal_register
from chainward.people.pack_sections import competence
from tests.demo.support import pack_section

MANAGER = "m.weber@abc-logistics.example"
OFFICER = "j.petersen@abc-logistics.example"  # site officer of the Hamburg sites only


def text_of(section, organisation, user):
    [entry], archive = pack_section(section, organisation, user)
    pages = PdfReader(io.BytesIO(archive.read(entry.path))).pages
    return entry, " ".join(" ".join(p.extract_text().split()) for p in pages)


def test_the_context_and_legal_register_are_in_the_pack(demo):
    manager = User.objects.get(email=MANAGER)
    entry, text = text_of(context, demo, manager)
    assert "climate decision: relevant" in entry.note
    assert "Climate change (ISO 28000 Amd 1:2024 decision)" in text
    assert "Hanseatic Cargo Insurance AG" in text
    entry, text = text_of(legal_register, demo, manager)
    assert entry.note == "15 requirement(s), 14 evaluation(s), 2 due"
    assert "Security of network and information systems (NIS2)" in text


@pytest.mark.parametrize("email, sees_poznan", [(MANAGER, True), (OFFICER, False)])
def test_the_competence_matrix_is_in_the_pack_within_scope(demo, email, sees_poznan):
    entry, text = text_of(competence, demo, User.objects.get(email=email))
    assert "Lukas Becker" in text  # Hamburg gate controller
    assert ("Katarzyna Wiśniewska" in text) == sees_poznan
    assert ("Piotr Kowalczyk" in text) == sees_poznan
