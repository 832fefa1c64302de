from scoring.models import CssEdition, Measure


def test_it_describes_every_measure_from_the_database(world, analyst, login, django_assert_max_num_queries):
    Measure.objects.filter(code="drug-supply").update(weight_rationale="Supply drives the market's violence.")
    Measure.objects.create(code="county-lines", name="County lines referrals", description="Referrals of lines.",
                           source="records", record_kind="crimestoppers", weighting="fixed", fixed_weight=33.5,
                           weight_rationale="A third of a burglary.", harm_type="police", is_active=False)
    client = login(analyst)
    with django_assert_max_num_queries(12):
        response = client.get("/method/")
    assert response.status_code == 200
    html = response.content.decode()
    for m in Measure.objects.all():
        assert f'id="measure-{m.code}"' in html, m.code
        assert m.name in html
    assert "Supply drives the market&#x27;s violence." in html
    assert "33.50 per item" in html and "A third of a burglary." in html
    assert "Each Crimestoppers report record, counted in the area where it happened." in html
    row = html[html.index('id="measure-county-lines"'):]
    row = row[:row.index("</tr>")]
    assert "police-generated" in row and "no: can be ticked" in row


def test_it_names_the_edition_in_force_and_its_provenance(world, analyst, login):
    CssEdition.objects.filter(pk=world.edition.pk).update(source="ONS table 4, published 2024; 92A derived.")
    CssEdition.objects.create(code="old-css", label="Older edition", source="2019 tables", is_active=False)
    html = login(analyst).get("/method/").content.decode()
    assert "Test CSS edition" in html and "<code>test-css</code>" in html
    assert "ONS table 4, published 2024; 92A derived." in html
    assert f"{world.edition.weights.count()} offence weights" in html
    assert "Older edition" in html and "2019 tables" not in html  # only the edition in force is quoted


def test_it_explains_both_tests_with_their_thresholds(world, officer, login):
    from scoring import formulas

    html = login(officer).get("/method/").content.decode()
    assert 'id="harm-z"' in html and 'id="e-test"' in html
    assert f"&ge; {formulas.SIGNIFICANT_Z}" in html and f"p &lt; {formulas.SIGNIFICANT_P}" in html
    assert "Krishnamoorthy and Thomson" in html and 'id="harm-types"' in html


def test_it_lists_each_type_with_its_active_measures(world, analyst, login):
    html = login(analyst).get("/method/").content.decode()
    section = html[html.index('id="harm-types"'):html.index('id="edition"')]
    for m in Measure.objects.filter(is_active=True):
        assert f'href="#measure-{m.code}"' in section
    assert "need not add up" in section


def test_it_is_linked_from_every_ranking_page(world, analyst, login):
    client = login(analyst)
    for url in ["/sectors/", f"/sectors/{world.sectors['S2'].pk}/", "/themes/drug-supply/", "/demand/"]:
        assert 'href="/method/' in client.get(url).content.decode(), url
    area = client.get(f"/sectors/{world.sectors['S2'].pk}/").content.decode()
    for m in Measure.objects.filter(is_active=True):
        assert f'href="/method/#measure-{m.code}"' in area
