"""From a figure to its records: every linked figure opens a list whose count and harm equal it."""
import csv
import html as html_lib
import io
import re

import pytest

from core.models import AuditEvent
from nominals.models import Group, LinkRole, Nominal, RecordNominal
from records.models import Record, RecordKind
from records.permissions import area_records_grant
from scoring.services import scores_recompute

# Every linked figure carries what it shows: its count and (where it is a harm) its harm.
FIGURE = re.compile(r'<a href="([^"]+)" (?:id="[^"]+" )?data-figure-count="(\d+)"(?: data-figure-harm="([^"]+)")?')


def _figures(response) -> list[tuple[str, int, float | None]]:
    return [(html_lib.unescape(href), int(count), float(harm) if harm else None)
            for href, count, harm in FIGURE.findall(response.content.decode())]


def _listed(client, href: str) -> dict:
    assert href.endswith("#records")
    response = client.get(href.split("#")[0])
    assert response.status_code == 200, href
    return response.context["listed"]


def _assert_figures_open_their_records(client, response, minimum: int) -> int:
    figures = _figures(response)
    assert len(figures) >= minimum
    for href, count, harm in figures:
        listed = _listed(client, href)
        assert listed["count"] == count, href
        if harm is not None:
            assert listed["harm"] == pytest.approx(harm, abs=1e-3), href
    return len(figures)


@pytest.fixture
def linked(world):
    """Three 2024 drug supply crimes of Sector 2 with an OCG member as offender, one with a member as victim."""
    crimes = [r for r in world.records if r.sector_id == world.sectors["S2"].pk and r.kind == RecordKind.CRIME
              and r.drug_supply and r.month.year == 2024]
    n0, n1 = Nominal.objects.get(ref="N0"), Nominal.objects.get(ref="N1")
    for record in crimes[:3]:
        RecordNominal.objects.create(record=record, force_id=record.force_id, nominal=n0, role=LinkRole.OFFENDER)
    RecordNominal.objects.create(record=crimes[3], force_id=crimes[3].force_id, nominal=n1, role=LinkRole.VICTIM)
    scores_recompute()
    return crimes


def _url(world, code="S2", query=""):
    return f"/sectors/{world.sectors[code].pk}/{query}"


def test_it_opens_the_records_of_every_figure_of_the_sector_page(linked, world, analyst, login):
    client = login(analyst)
    response = client.get(_url(world))
    # The headline and one row per measure with items here.
    measures_here = sum(1 for b in response.context["breakdown"] if b["count"])
    assert _assert_figures_open_their_records(client, response, 1 + measures_here) >= 1 + measures_here
    # The default list is the headline: the records and nominal-months of the SOC harm, each once.
    listed, row = response.context["listed"], response.context["row"]
    assert (listed["count"], listed["harm"]) == (row.count, pytest.approx(row.harm))
    assert listed["nominal_months"] == 24  # two OCG members living here, twelve months each
    assert f'data-count="{row.count}"' in response.content.decode()


def test_it_opens_the_records_of_every_figure_of_the_overview(linked, world, analyst, login):
    client = login(analyst)
    for level in (2, 3):
        response = client.get(f"/sectors/?level={level}&months=6")
        opened = _assert_figures_open_their_records(client, response, len(response.context["ranking"].rows))
        assert opened > len(response.context["ranking"].rows)  # the harm and the measure cells


def test_it_keeps_the_window_and_measures_in_its_links(world, analyst, login):
    client = login(analyst)
    response = client.get("/sectors/?months=3&end=2024-06&measure=drug-supply")
    href, count, harm = _figures(response)[0]
    assert "months=3" in href and "end=2024-06" in href and "measure=drug-supply" in href
    listed = client.get(href.split("#")[0])
    assert listed.context["start"].isoformat() == "2024-04-01"
    assert [m.code for m in listed.context["ranking"].measures] == ["drug-supply"]
    # The filter form keeps the window and the selection for the next filter.
    assert '<input type="hidden" name="measure" value="drug-supply">' in listed.content.decode()


def test_it_lists_every_record_located_there_with_counted_by_all(world, analyst, login):
    client = login(analyst)
    response = client.get(_url(world, query="?counted_by=all"))
    listed = response.context["listed"]
    assert listed["records"] == 25  # the 23 crimes and the 2 Crimestoppers reports of 2024
    # Records no measure counts weigh nothing: the harm is that of the counted ones.
    soc = client.get(_url(world)).context["listed"]
    assert listed["records_harm"] == pytest.approx(soc["records_harm"])
    harms = {r.external_ref: r.harm for r in response.context["records"]}
    assert sorted(set(harms.values())) == [0.0, pytest.approx(512.96)]


def test_it_filters_by_measure_flag_offence_month_and_kind(world, analyst, login):
    client = login(analyst)
    cannabis = client.get(_url(world, query="?counted_by=cannabis-farms")).context
    cell = next(b for b in cannabis["breakdown"] if b["measure"].code == "cannabis-farms")
    assert (cannabis["listed"]["count"], cannabis["listed"]["harm"]) == (cell["count"], pytest.approx(cell["harm"]))
    assert cannabis["listed"]["count"] == 3
    flagged = client.get(_url(world, query="?flag=cannabis_farm")).context["listed"]
    assert (flagged["records"], flagged["nominal_months"]) == (3, 0)  # a flag leaves nominal-months out
    march = client.get(_url(world, query="?counted_by=all&month=2024-03&offence=92A")).context
    assert {r.month.isoformat() for r in march["records"]} == {"2024-03-01"}
    assert march["listed"]["records"] == Record.objects.filter(
        sector=world.sectors["S2"], month="2024-03-01", offence_type__code="92A").count() == 3
    unknown = client.get(_url(world, query="?counted_by=no-such-measure")).context
    assert "counted_by" in unknown["filters_form"].errors
    assert unknown["listed"]["count"] == unknown["row"].count  # the default: the SOC harm
    months_only = client.get(_url(world, query="?kind=nominal")).context["listed"]
    assert (months_only["records"], months_only["nominal_months"]) == (0, 24)
    assert {m.month.isoformat()[:7] for m in months_only["nominal_rows"]} == {f"2024-{i:02}" for i in range(1, 13)}


def test_it_lists_the_records_linked_to_a_group(linked, world, analyst, login):
    client = login(analyst)
    group = Group.objects.get(ref="G1")
    listed = client.get(_url(world, query=f"?counted_by=all&group={group.pk}")).context
    # The victim's crime is not linked to the group; the offender's three are.
    assert {r.pk for r in listed["records"]} == {r.pk for r in linked[:3]}
    assert listed["listed"]["harm"] == pytest.approx(3 * 512.96)
    event = AuditEvent.objects.filter(object_type="area_records").latest("id")
    assert event.detail["filters"] == {"counted_by": "all", "group": str(group.pk)}


def test_it_refuses_a_group_filter_as_it_refuses_an_unknown_group(linked, world, officer, administrator, login):
    area_records_grant(user=officer, area=world.sectors["S2"], granted_by=administrator)
    client = login(officer)
    group = Group.objects.get(ref="G1")
    response = client.get(_url(world, query=f"?group={group.pk}"))
    unknown = client.get(_url(world, query="?group=999999"))
    for page in (response, unknown):
        assert page.context["filters_form"].errors == {"group": ["No such group."]}
        assert page.context["listed"]["records"] == 23  # the filter is not applied
    assert b"Test OCG" not in response.content
    # Nominal-months still add up, their identities withheld from a user who may not research nominals.
    rows = response.context["listed"]["nominal_rows"]
    assert rows and all(m.is_withheld and m.ref == "withheld" for m in rows)
    assert b"N0<" not in response.content


def test_it_shows_an_officer_figures_without_links_outside_their_sectors(world, officer, administrator, login):
    area_records_grant(user=officer, area=world.sectors["S1"], granted_by=administrator)
    client = login(officer)
    overview = client.get("/sectors/")
    linked_areas = {int(re.match(r"/sectors/(\d+)/", href).group(1)) for href, _, _ in _figures(overview)}
    assert linked_areas == {world.sectors["S1"].pk}
    page = client.get(_url(world))
    assert _figures(page) == [] and page.context["records"] is None
    assert "not links to their records" in page.content.decode()
    assert _figures(client.get(_url(world, "S1")))
    # A command's records are for analysts only: no links at that level.
    assert _figures(client.get("/sectors/?level=1")) == []


def test_it_opens_the_records_of_every_demand_cell(world, analyst, login):
    client = login(analyst)
    response = client.get("/demand/?months=3")
    cells = sum(1 for r in response.context["table"]["rows"] for c in r["cells"] if c["count"])
    assert _assert_figures_open_their_records(client, response, cells) == cells + len(response.context["table"]["rows"])


def test_it_opens_the_records_of_every_theme_cell(world, analyst, login):
    client = login(analyst)
    for slug in ("firearms", "drug-supply", "drug-deaths", "partners"):
        response = client.get(f"/themes/{slug}/")
        cells = sum(1 for r in response.context["table"] for c in r["counts"] if c)
        assert _assert_figures_open_their_records(client, response, cells) == cells, slug


def test_it_ranks_groups_by_harm_and_opens_their_records(linked, world, analyst, login,
                                                         django_assert_max_num_queries):
    client = login(analyst)
    response = client.get("/nominals/groups/")
    group = next(g for g in response.context["groups"] if g.ref == "G1")
    assert (group.rank, group.records, group.harm) == (1, 3, pytest.approx(3 * 512.96))
    _assert_figures_open_their_records(client, response, 1)
    # 3 of them the audit event, 2 the footprint map, 1 the activities, 5 the footprint's points, homes and measures
    with django_assert_max_num_queries(30):
        profile = client.get(f"/nominals/groups/{group.pk}/")
    window = profile.context["p"].window
    assert (window["counted"], window["harm"], window["linked"]) == (3, pytest.approx(group.harm), 3)
    # The group's figure, the records in all, the footprint by sector (records and harm), and every
    # figure of the harm by month and measure that holds a record.
    by_measure = window["by_measure"]
    cells = [c for row in [*by_measure["rows"], by_measure["total"]] for c in [row["soc"], *row["measures"]]]
    assert all(bool(c["link"]) == bool(c["records"]) for c in cells)
    held = sum(1 for c in cells if c["records"])
    assert held >= 4  # a month and the window, in the SOC harm and in at least one measure
    assert _assert_figures_open_their_records(client, profile, 4 + held) == 4 + held
    assert [f["sector__name"] for f in profile.context["p"].footprint] == ["Sector 2"]


def test_it_sorts_the_groups(linked, world, analyst, login, django_assert_max_num_queries):
    Group.objects.create(ref="G0", name="Another group", group_type="ucg")
    client = login(analyst)
    with django_assert_max_num_queries(16):  # the groups' harm: two queries for all of them
        by_harm = [g.ref for g in client.get("/nominals/groups/").context["groups"]]
    by_name = [g.ref for g in client.get("/nominals/groups/?sort=name").context["groups"]]
    assert by_harm == ["G1", "G0"] and by_name == ["G0", "G1"]


def test_it_exports_what_is_listed_with_its_harm(world, analyst, login):
    client = login(analyst)
    listed = client.get(_url(world)).context["listed"]
    response = client.get(_url(world, query="records.csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == listed["count"]
    assert sum(float(r["harm"]) for r in rows) == pytest.approx(listed["harm"])
    assert sum(1 for r in rows if r["kind"] == "nominal_month") == listed["nominal_months"]
    flagged = client.get(_url(world, query="records.csv?flag=cannabis_farm"))
    assert len(list(csv.DictReader(io.StringIO(b"".join(flagged.streaming_content).decode())))) == 3
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.detail["filters"] == {"counted_by": "soc", "flag": "cannabis_farm"}


def test_it_links_the_sector_page_groups_and_nominals_to_their_profiles(world, analyst, login):
    html = login(analyst).get(_url(world)).content.decode()
    group = Group.objects.get(ref="G1")
    assert f'href="/nominals/groups/{group.pk}/"' in html
    assert f'href="/nominals/{Nominal.objects.get(ref="N0").pk}/"' in html


def test_it_opens_the_records_and_months_behind_a_nominal(linked, world, analyst, officer, administrator, login):
    client = login(analyst)
    nominal = Nominal.objects.get(ref="N0")
    profile = client.get(f"/nominals/{nominal.pk}/")
    window = profile.context["p"].window
    # Three crimes as offender, and twelve months as an OCG member living in the force.
    assert (window["records"], window["nominal_months"]) == (3, 12)
    assert window["records_harm"] == pytest.approx(3 * 512.96)
    assert _assert_figures_open_their_records(client, profile, 1) == 1
    listed = client.get(_figures(profile)[0][0].split("#")[0]).context
    assert {r.pk for r in listed["records"]} == {r.pk for r in linked[:3]}
    assert {m.nominal_id for m in listed["listed"]["nominal_rows"]} == {nominal.pk}
    # A user who may not research nominals cannot narrow a list to one (refused as an unknown one).
    area_records_grant(user=officer, area=world.sectors["S2"], granted_by=administrator)
    client.force_login(officer)
    officer_page = client.get(f"/sectors/{world.sectors['S2'].pk}/?nominal={nominal.pk}")
    assert officer_page.context["filters_form"].errors == {"nominal": ["No such nominal."]}
    assert officer_page.context["listed"]["records"] == 23
