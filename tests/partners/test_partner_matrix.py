"""Generated role × scope tests for every partner-assurance register (tests/support/
matrix.py); the expected outcome comes from the hand-written role table: templates, questions
and follow-ups are organisation records (contributors draft), requests are sent and reviewed
by the security manager, answers are written by nobody in the app (only through the link)."""

from django.test import TestCase

from chainward.ledger.context import actor_context
from chainward.partners import registers
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f


def _fixture(build):
    with actor_context(None, name="fixture"):
        return build()


class TemplateCase(RegisterCase):
    register = registers.QuestionnaireTemplateRegister
    change_field = ("name", "Template changed")
    marker_field = "name"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.template(org, f"Template {placement}")

    def create_data(self, world):
        return {"name": "Warehouse declaration", "kind": "declaration", "partner_kind": "3pl",
                "status": "active", "declaration_text": "We declare.", "validity_months": 12,
                "link_days": 30}


class QuestionCase(RegisterCase):
    register = registers.QuestionRegister
    change_field = ("text", "Question changed")
    marker_field = "text"
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.question(f.template(org, f"Owner of question {placement}", questions=0),
                          f"Question {placement}")

    def create_data(self, world):
        template = _fixture(lambda: f.template(world["org_a"], "For a new question",
                                               questions=0))
        return {"template": template.pk, "section": "Access control", "order": 1,
                "text": "Do visitors show ID?", "answer_type": "yes_no", "required": "on",
                "follow_up_on_no": "on"}


class RequestCase(RegisterCase):
    register = registers.QuestionnaireRequestRegister
    change_field = ("message", "Message changed")
    marker_field = "partner.name"  # a column of the list and the export
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.request(org, f"Request {placement}")

    def create_data(self, world):
        def build():
            partner = f.partner(world["org_a"], "New carrier")
            return partner, f.contact(partner), f.template(world["org_a"], "To send")

        partner, contact, template = _fixture(build)
        return {"partner": partner.pk, "contact": contact.pk, "template": template.pk,
                "deadline": f.days(20).isoformat(), "message": "Please answer"}


class AnswerCase(RegisterCase):
    register = registers.AnswerRegister
    change_field = ("comment", "Comment changed")
    marker_field = "request"  # the request column of the list and the export
    search_field = "comment"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.answer(f.request(org, f"Answered {placement}"), value_yes=True,
                        comment=f"Answer {placement}")


class FollowUpCase(RegisterCase):
    register = registers.FollowUpActionRegister
    change_field = ("description", "Follow-up changed")
    marker_field = "description"
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.follow_up(f.request(org, f"Followed {placement}"), f"Follow-up {placement}")

    def create_data(self, world):
        req = _fixture(lambda: f.request(world["org_a"], "Needs a follow-up"))
        return {"request": req.pk, "description": "Install CCTV at the yard gate",
                "due_date": f.days(30).isoformat(), "status": "open"}


@matrix_tests(TemplateCase)
class TestQuestionnaireTemplateMatrix(TestCase):
    pass


@matrix_tests(QuestionCase)
class TestQuestionMatrix(TestCase):
    pass


@matrix_tests(RequestCase)
class TestQuestionnaireRequestMatrix(TestCase):
    pass


@matrix_tests(AnswerCase)
class TestAnswerMatrix(TestCase):
    pass


@matrix_tests(FollowUpCase)
class TestFollowUpActionMatrix(TestCase):
    pass
