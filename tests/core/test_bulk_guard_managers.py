"""Audited querysets refuse bulk writes through every manager (issue 10, "audited querysets
refuse bulk writes"): not only `Model.objects` but the base manager Django uses for saves,
related-object access and deletion (`Model._base_manager`) and the default manager. Django's
own machinery keeps working: a save's UPDATE, related descriptors, refresh_from_db and the
deletion of a record with its cascade."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from chainward.core import querysets, services
from chainward.core.registry import registrations
from chainward.jobs.models import Job
from chainward.ledger.models import LedgerEntry
from chainward.supplychain.models import Leg, Site

MODELS = [reg.model for reg in registrations()]
MANAGERS = ("_base_manager", "_default_manager")


@pytest.mark.django_db
@pytest.mark.parametrize("manager", MANAGERS)
def test_every_audited_model_refuses_bulk_writes_through_its_managers(manager):
    """Each bulk write is refused before it reaches the database (the tables are empty: a
    write that got through would answer 0 rows, not raise)."""
    operations = {
        "update": lambda qs: qs.filter(pk=1).update(archived=True),
        "delete": lambda qs: qs.filter(pk=1).delete(),
        "bulk_update": lambda qs: qs.bulk_update([], ["archived"]),
        "bulk_create": lambda qs: qs.bulk_create([]),
    }
    let_through = []
    for model in MODELS:
        for name, write in operations.items():
            try:
                write(getattr(model, manager).all())
            except querysets.UnledgeredWrite as error:
                assert model._meta.label in str(error) and name in str(error)
            else:
                let_through.append(f"{model._meta.label}.{manager}.{name}")
    assert let_through == []
    assert len(MODELS) >= 48  # every registered model was tried


def test_a_base_manager_update_changes_nothing(world):
    site = world["s1"]
    with pytest.raises(querysets.UnledgeredWrite):
        Site._base_manager.filter(pk=site.pk).update(name="Renamed")
    with pytest.raises(querysets.UnledgeredWrite):
        type(site)._base_manager.filter(pk=site.pk).delete()
    site.refresh_from_db()  # refresh_from_db reads through the base manager
    assert site.name != "Renamed" and Site.objects.filter(pk=site.pk).exists()


def test_saves_related_access_and_the_ledgered_helpers_still_work(world):
    admin = world["users"]["administrator__org"]
    site = world["s1"]
    site.city = "Altona"
    services.save_record(admin, site)  # Model.save's UPDATE goes through the base manager
    site.refresh_from_db()
    assert site.city == "Altona" and site.version == 2
    leg = Leg(organisation=world["org_a"], from_site=site, to_site=world["s2"], mode="road")
    services.save_record(admin, leg)
    leg = Leg.objects.get(pk=leg.pk)
    assert leg.from_site == site  # forward descriptor: the base manager
    assert site.outbound_legs.filter(pk=leg.pk).exists()  # reverse related manager
    assert services.update_records(admin, Site.objects.filter(pk=site.pk),
                                   reason="tests: guard", security_level="critical") == 1


def test_deleting_a_record_collects_its_cascade_and_respects_protection(world):
    """The import's undo deletes records with `Model.delete()`: the deletion collector reads
    related rows through the base manager and deletes them without QuerySet.delete()."""
    admin = world["users"]["administrator__org"]
    site = Site(organisation=world["org_a"], name="Temporary depot", kind="warehouse",
                country="DE")
    services.save_record(admin, site)
    pk = site.pk
    site.delete()
    assert not Site._base_manager.filter(pk=pk).exists()
    assert LedgerEntry.objects.filter(object_type="supplychain.site", object_id=str(pk),
                                      action="delete").exists()
    leg = Leg(organisation=world["org_a"], from_site=world["s1"], to_site=world["s2"],
              mode="road")
    services.save_record(admin, leg)
    with pytest.raises(ProtectedError):  # legs protect the sites they join
        world["s1"].delete()
    assert Site.objects.filter(pk=world["s1"].pk).exists()

def test_deleting_a_job_that_audited_records_point_to_is_refused(world):
    """Deleting a job would null `EvidencePack.job` of audited records without a ledger
    entry (Django's SET_NULL is a bulk update through the base manager): refused, like any
    other write around the ledger. Jobs are kept, not deleted."""
    job = Job.objects.create(user=world["users"]["administrator__org"],
                             organisation=world["org_a"], kind="import", title="t", params={})
    with pytest.raises(querysets.UnledgeredWrite), transaction.atomic():
        job.delete()
    assert Job.objects.filter(pk=job.pk).exists()
