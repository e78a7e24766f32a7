"""Finding 14: commenting needs the right to change the record; read-only roles neither see the
comment form nor can post one, through the page or the service."""

import pytest
from django.core.exceptions import PermissionDenied

from chainward.core import services
from chainward.core.models import Comment


@pytest.mark.parametrize("key", ["viewer__org", "external_auditor__org", "internal_auditor__org"])
def test_read_only_roles_cannot_comment(client, world, key):
    client.force_login(world["users"][key])
    site = world["s1"]
    page = client.get(site.get_absolute_url()).content.decode()
    assert page.count('id="comment-text"') == 0
    response = client.post(f"{site.get_absolute_url()}comments/", {"text": "Looks fine"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.add_comment(world["users"][key], site, "Looks fine")
    assert not Comment.objects.exists()


def test_people_who_may_change_the_record_comment(client, world):
    client.force_login(world["users"]["contributor__org"])
    site = world["s1"]
    assert 'id="comment-text"' in client.get(site.get_absolute_url()).content.decode()
    response = client.post(f"{site.get_absolute_url()}comments/", {"text": "Fence repaired"})
    assert response.status_code == 302
    assert Comment.objects.get().text == "Fence repaired"


def test_a_site_limited_editor_cannot_comment_on_an_organisation_wide_record(client, world):
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    carrier = world["carrier_a"]  # readable to them, not changeable
    assert client.get(carrier.get_absolute_url()).status_code == 200
    assert client.post(f"{carrier.get_absolute_url()}comments/", {"text": "x"}).status_code == \
        403
    assert not Comment.objects.exists()
