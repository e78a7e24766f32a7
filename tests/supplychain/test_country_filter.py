"""The country filters of the site, partner and leg lists translate the country names once per
language, not on every page (choices.country_choices: a fifth of a list page's CPU before)."""

from unittest import mock

from django.test import TestCase
from django.utils import translation
from django_countries import Countries

from chainward.supplychain import choices, registers
from tests.support.world import build_world

LISTS = (registers.SiteRegister, registers.PartnerRegister, registers.LegRegister)


class CountryFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    def setUp(self):
        self.client.force_login(self.world["users"]["security_manager__org"])

    def test_a_list_page_translates_no_country_name_once_the_list_is_built(self):
        for register in LISTS:
            self.client.get(register().list_url)  # builds the list if no test did yet
        # On the class: every copy of the list counts (a form field's copy translated anew).
        with mock.patch.object(Countries, "translate_code", autospec=True,
                               side_effect=Countries.translate_code) as translated:
            for register in LISTS:
                page = self.client.get(register().list_url)
                self.assertContains(page, '<option value="DE">Germany</option>')
        self.assertEqual(translated.call_count, 0)

    def test_the_list_follows_the_active_language(self):
        with translation.override("de"):
            self.assertIn(("DE", "Deutschland"), choices.country_choices())
        with translation.override("en"):
            self.assertIn(("DE", "Germany"), choices.country_choices())
