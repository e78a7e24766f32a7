"""Issue 13 item 3: the risk matrix is edited as form fields — scale names and descriptions,
each category's level descriptions, risk levels with colour and acceptance authority, and a
select per grid cell — prefilled with the default on a new matrix. The API keeps the JSON
shape; `levels.validate` (through `RiskMatrix.clean`) judges both."""

import pytest

from chainward.risk import services
from chainward.risk.models import RiskMatrix
from tests.support.html_form import form_data

from .support import load_catalogues

ADD = "/risk/matrices/add/"
P = "definition"


@pytest.fixture
def manager(client, world):
    load_catalogues()
    client.force_login(world["users"]["security_manager__org"])
    return client


def page_form(client, url):
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    return html, form_data(html, containing=f"{P}-lik-count")


def test_a_new_matrix_starts_from_the_default_and_saves_as_rendered(manager, world):
    # The organisation has no matrix yet: the catalogue's default fills the editor.
    assert not RiskMatrix.objects.filter(organisation=world["org_a"]).exists()
    html, data = page_form(manager, ADD)
    form = html[html.index('<form method="post" novalidate'):]
    form = form[:form.index("</form>")]
    assert "JSON" not in form and '{"' not in form and "<textarea" in form
    assert data[f"{P}-lik-4-name"] == "Almost certain"
    assert data["acceptance_level"] == "medium"
    # 5 × 5 cells, each a select naming a risk level.
    assert len([k for k in data if k.startswith(f"{P}-cell-")]) == 25
    data["name"] = "Our matrix"
    response = manager.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    matrix = RiskMatrix.objects.get(name="Our matrix")
    # Hand-worked cells of the default grid (see test_levels).
    assert (matrix.level_for(3, 4), matrix.level_for(2, 2), matrix.level_for(5, 5),
            matrix.level_for(1, 5)) == ("high", "low", "critical", "medium")
    assert [lv["ref_id"] for lv in matrix.risk_levels] == ["low", "medium", "high",
                                                           "critical"]
    assert matrix.acceptance_level == "medium"
    life = matrix.consequence_categories[0]
    assert life["ref_id"] == "life" and len(life["levels"]) == 5
    assert matrix.likelihood_levels[0]["value"] == 1 and \
        matrix.likelihood_levels[0]["name"] == "Rare"


def test_cells_labels_and_authorities_are_changed_by_choosing(manager, world):
    matrix = services.default_matrix(world["org_a"])
    url = f"/risk/matrices/{matrix.pk}/edit/"
    _, data = page_form(manager, url)
    data[f"{P}-cell-0-0"] = "critical"  # likelihood 1 × consequence 1
    data[f"{P}-lik-0-name"] = "Very rare"
    data[f"{P}-lik-0-description"] = "Never seen in the sector"
    data[f"{P}-risk-2-authority"] = "security_manager"  # "high"
    data[f"{P}-risk-3-colour"] = "#990000"
    data[f"{P}-cat-1-level-4"] = "Over EUR 5 million"
    data["acceptance_level"] = "low"
    response = manager.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    matrix.refresh_from_db()
    assert matrix.grid[0][0] == "critical" and matrix.level_for(1, 1) == "critical"
    assert matrix.likelihood_levels[0] == {"value": 1, "name": "Very rare", "colour": "#4caf50",
                                           "description": "Never seen in the sector"}
    high = matrix.risk_levels[2]
    assert high["ref_id"] == "high" and high["acceptance_authority"] == "security_manager"
    assert matrix.risk_levels[3]["colour"] == "#990000"
    economic = matrix.consequence_categories[1]
    assert economic["ref_id"] == "economic"
    assert {"value": 5, "description": "Over EUR 5 million"} in economic["levels"]
    assert matrix.acceptance_level == "low"
    # The page shows the saved values again.
    _, again = page_form(manager, url)
    assert again[f"{P}-cell-0-0"] == "critical" and again[f"{P}-lik-0-name"] == "Very rare"


@pytest.mark.parametrize("change, message", [
    ({f"{P}-cell-2-3": "extreme"}, "Grid: These cells name no defined risk level"),
    ({f"{P}-lik-1-name": ""}, "Likelihood scale: Likelihood scale level 2 needs"),
    ({f"{P}-lik-1-value": "two"}, "Likelihood scale: Likelihood scale level 2 needs"),
    ({f"{P}-risk-3-authority": ""}, "Risk level critical needs an"),
    ({f"{P}-risk-0-colour": "green"}, "Risk levels: Give the risk levels"),
    ({f"{P}-cat-0-name": ""}, "Consequence categories: Give the consequence categories"),
    ({f"{P}-lik-count": "many"}, "Give the likelihood scale as a non-empty list"),
    ({"acceptance_level": "extreme"}, "Select a valid choice"),
])
def test_bad_input_is_a_field_error_and_saves_nothing(manager, world, change, message):
    matrix = services.default_matrix(world["org_a"])
    url = f"/risk/matrices/{matrix.pk}/edit/"
    _, data = page_form(manager, url)
    data.update(change)
    before = {f: getattr(matrix, f) for f in ("grid", "likelihood_levels", "risk_levels",
                                              "consequence_categories")}
    response = manager.post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    matrix.refresh_from_db()
    assert {f: getattr(matrix, f) for f in before} == before


def test_a_frozen_matrix_shows_its_grid_disabled_and_keeps_it(manager, world):
    from tests.support.bulk import fixture_writes

    matrix = services.default_matrix(world["org_a"])
    with fixture_writes(RiskMatrix):
        RiskMatrix.objects.filter(pk=matrix.pk).update(frozen=True)
    url = f"/risk/matrices/{matrix.pk}/edit/"
    page = manager.get(url).content.decode()
    assert "frozen" in page
    data = form_data(page, containing="name")
    assert not any(k.startswith(f"{P}-") for k in data)  # disabled: not submitted
    data["threat_level_note"] = "Alert level raised"
    assert manager.post(url, data).status_code == 302
    matrix.refresh_from_db()
    assert matrix.threat_level_note == "Alert level raised" and matrix.grid[0][0] == "low"


def test_the_api_keeps_the_json_shape_and_the_same_validation(manager, world):
    default = services.default_matrix(world["org_a"])
    body = {f: getattr(default, f) for f in ("likelihood_levels", "consequence_levels",
                                             "consequence_categories", "risk_levels", "grid",
                                             "acceptance_level")}
    read = manager.get(f"/api/risk/matrices/{default.pk}/").json()
    assert read["grid"][4][4] == "critical" and read["likelihood_levels"][0]["name"] == "Rare"
    bad = {**body, "name": "API matrix", "grid": [row[:] for row in body["grid"]]}
    bad["grid"][0][0] = "extreme"
    response = manager.post("/api/risk/matrices/", bad, content_type="application/json")
    assert response.status_code == 400
    assert "no defined risk level" in str(response.json()["errors"]["grid"])
    good = {**body, "name": "API matrix"}
    assert manager.post("/api/risk/matrices/", good,
                        content_type="application/json").status_code == 201


def cells(data, rows, columns):
    return [[data[f"{P}-cell-{i}-{j}"] for j in range(columns)] for i in range(rows)]


def test_a_likelihood_level_is_added_with_its_grid_row_and_saved_once_named(manager, world):
    matrix = services.default_matrix(world["org_a"])
    top_row = list(matrix.grid[4])
    url = f"/risk/matrices/{matrix.pk}/edit/"
    _, data = page_form(manager, url)
    data[f"{P}-resize"] = "lik-add"
    response = manager.post(url, data)
    assert response.status_code == 400  # shown again, not saved
    html = response.content.decode()
    assert "Likelihood level 6 added above level 5" in html
    assert f'id="id_{P}-lik-5-name" name="{P}-lik-5-name" value="" maxlength="80" autofocus' in html
    matrix.refresh_from_db()
    assert len(matrix.likelihood_levels) == 5 and len(matrix.grid) == 5
    again = form_data(html, containing=f"{P}-lik-count")
    assert again[f"{P}-lik-count"] == "6" and again[f"{P}-lik-5-value"] == "6"
    assert len([k for k in again if k.startswith(f"{P}-cell-")]) == 30
    # The new row starts as a copy of the highest one; the other rows are as they were.
    assert cells(again, 6, 5) == [list(r) for r in matrix.grid] + [top_row]
    # Saved without a name: the same validation as every path names the level.
    response = manager.post(url, again)
    assert response.status_code == 400
    assert "Likelihood scale level 6 needs" in response.content.decode()
    again[f"{P}-lik-5-name"] = "Certain"
    again[f"{P}-cell-5-0"] = "high"
    response = manager.post(url, again)
    assert response.status_code == 302, response.content.decode()[:3000]
    matrix.refresh_from_db()
    assert [(lv["value"], lv["name"]) for lv in matrix.likelihood_levels][-2:] == [
        (5, "Almost certain"), (6, "Certain")]
    assert len(matrix.grid) == 6 and all(len(row) == 5 for row in matrix.grid)
    assert matrix.level_for(6, 1) == "high" and matrix.level_for(6, 5) == "critical"


def test_a_consequence_level_is_removed_with_its_column_and_category_descriptions(manager,
                                                                                  world):
    matrix = services.default_matrix(world["org_a"])
    grid = [list(r) for r in matrix.grid]
    url = f"/risk/matrices/{matrix.pk}/edit/"
    _, data = page_form(manager, url)
    data[f"{P}-resize"] = "con-remove-2"  # the third level, value 3
    response = manager.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Consequence level 3 (" in html and "removed with its grid column" in html
    again = form_data(html, containing=f"{P}-lik-count")
    assert again[f"{P}-con-count"] == "4"
    assert [again[f"{P}-con-{j}-value"] for j in range(4)] == ["1", "2", "4", "5"]
    assert cells(again, 5, 4) == [[row[0], row[1], row[3], row[4]] for row in grid]
    assert f"{P}-cat-0-level-4" not in again  # four level descriptions per category now
    response = manager.post(url, again)
    assert response.status_code == 302, response.content.decode()[:3000]
    matrix.refresh_from_db()
    assert [lv["value"] for lv in matrix.consequence_levels] == [1, 2, 4, 5]
    assert matrix.grid == [[row[0], row[1], row[3], row[4]] for row in grid]
    assert all(3 not in [lv["value"] for lv in c["levels"]]
               for c in matrix.consequence_categories)
    assert matrix.level_for(5, 5) == "critical" and matrix.level_for(5, 3) == ""


def test_enter_in_a_field_saves_rather_than_adding_or_removing_a_level(manager, world):
    matrix = services.default_matrix(world["org_a"])
    html = manager.get(f"/risk/matrices/{matrix.pk}/edit/").content.decode()
    form = html[html.index('<form method="post" novalidate'):]
    assert f'name="{P}-resize"' in form
    # The form's default button (the first submit button) carries no resize action.
    first = form[form.index('<button type="submit"'):]
    assert first[:first.index(">")].count("name=") == 0


def test_a_frozen_matrix_offers_no_level_buttons(manager, world):
    from tests.support.bulk import fixture_writes

    matrix = services.default_matrix(world["org_a"])
    with fixture_writes(RiskMatrix):
        RiskMatrix.objects.filter(pk=matrix.pk).update(frozen=True)
    page = manager.get(f"/risk/matrices/{matrix.pk}/edit/").content.decode()
    assert f'name="{P}-resize"' not in page
