"""Scoped equals full: after any sequence of uploads, the stored cells are what a full recompute gives.

Each generated step is a real file (CSV bytes with the columns of its kind's
schema) sent through ``upload_create`` + ``upload_process``; the recomputes the
upload queued are then run by the scoring task itself (their ``on_commit``
never fires inside the test transaction). After every step the stored
HarmScore and TotalScore rows must equal those of a fresh full recompute, run
in a savepoint that is rolled back so the next step starts from what the
scoped recomputes left. A rejected file must change nothing and queue nothing.

The world is built once per test (through the same upload path) and every
example runs in a transaction that is rolled back, so examples never see each
other's uploads.

World: force F > commands C1 (sectors S1, S2) and C2 (sector S3). S1 holds
N1a, N1b; S2 holds N2a, N2b; S3 holds N3a on its west half only, so a point on
its east half has the sector as its smallest area. Offences A, B, C weigh 100,
10.5 and 1000.25 in the active edition; U has no weight.
"""
import io
import math
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from core.models import Organisation
from ingestion.models import Upload
from ingestion.schemas import SCHEMAS
from ingestion.services import upload_create, upload_process
from nominals.models import Group, Membership, Nominal, PriorityStatus, RecordNominal
from records.models import OffenceType, Record
from scoring.models import (
    AreaView,
    CssEdition,
    HarmScore,
    Measure,
    OffenceWeight,
    RecordCount,
    ScoringRun,
    TotalScore,
)
from scoring.services import scores_recompute
from scoring.tasks import recompute_scores
from sectors.models import Area, Level
from tests.world import square

# (code, level, parent, min_lon, min_lat, max_lon, max_lat)
AREAS = [
    ("F", Level.FORCE, None, -1.8, 54.9, -1.4, 55.1),
    ("C1", Level.COMMAND, "F", -1.8, 54.9, -1.6, 55.1),
    ("C2", Level.COMMAND, "F", -1.6, 54.9, -1.4, 55.1),
    ("S1", Level.SECTOR, "C1", -1.8, 55.0, -1.6, 55.1),
    ("S2", Level.SECTOR, "C1", -1.8, 54.9, -1.6, 55.0),
    ("S3", Level.SECTOR, "C2", -1.6, 54.9, -1.4, 55.1),
    ("N1a", Level.NEIGHBOURHOOD, "S1", -1.8, 55.0, -1.7, 55.1),
    ("N1b", Level.NEIGHBOURHOOD, "S1", -1.7, 55.0, -1.6, 55.1),
    ("N2a", Level.NEIGHBOURHOOD, "S2", -1.8, 54.9, -1.7, 55.0),
    ("N2b", Level.NEIGHBOURHOOD, "S2", -1.7, 54.9, -1.6, 55.0),
    ("N3a", Level.NEIGHBOURHOOD, "S3", -1.6, 54.9, -1.5, 55.1),
]
# Where a row says it happened: (latitude, longitude), or None for no location.
PLACES = {
    "N1a": (55.05, -1.75), "N1a-other-point": (55.08, -1.72), "N1b": (55.05, -1.65), "N2a": (54.95, -1.75),
    "N2b": (54.95, -1.65), "N3a": (55.0, -1.55), "S3-no-neighbourhood": (55.0, -1.45),
    "outside-force": (55.3, -1.6), "no-location": None,
}
WEIGHTS = {"A": 100.0, "B": 10.5, "C": 1000.25, "U": None}
DATES = [date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 15), date(2023, 1, 31), date(2023, 2, 1),
         date(2023, 2, 14), date(2023, 3, 31), date(2023, 4, 10), date(2023, 6, 1)]
ROLES = ["suspect", "offender", "associate", "victim", "witness"]

NOMINAL_REFS = ["N1", "N2", "N3", "N4", "N5"]  # N5 does not exist until a step uploads it
GROUP_REFS = ["G1", "G2", "G3", "G4"]  # G4 likewise
CRIME_REFS = ["CR1", "CR2", "CR3", "CR4", "CR5", "CR6"]


@dataclass(frozen=True)
class Step:
    """One upload: its kind and rows (column -> value; ``place`` stands for the location columns)."""

    kind: str
    rows: tuple

    def __repr__(self):
        rows = "; ".join(",".join(f"{k}={v}" for k, v in row.items() if v not in (None, "")) for row in self.rows)
        return f"{self.kind}[{rows}]"

    def csv(self) -> bytes:
        columns = [c.name for c in SCHEMAS[self.kind].columns]
        lines = [",".join(columns)]
        for row in self.rows:
            cells = dict(row)
            place = PLACES[cells.pop("place", "no-location")]
            if place is not None:
                cells["latitude"], cells["longitude"] = place
            unknown = set(cells) - set(columns)
            assert not unknown, f"{self.kind} has no column(s) {unknown}"
            lines.append(",".join("" if cells.get(c) is None else str(cells[c]) for c in columns))
        return ("\r\n".join(lines) + "\r\n").encode()


# The world every example starts from, uploaded once per test.
INITIAL = [
    Step("groups", ({"ref": "G1", "name": "Group 1", "group_type": "ocg"},
                    {"ref": "G2", "name": "Group 2", "group_type": "pcg"},
                    {"ref": "G3", "name": "Group 3", "group_type": "ucg"})),
    Step("nominals", ({"ref": "N1", "name": "Person N1", "place": "N1a"},
                      {"ref": "N2", "name": "Person N2", "place": "N2b"},
                      {"ref": "N3", "name": "Person N3", "place": "S3-no-neighbourhood"},
                      {"ref": "N4", "name": "Person N4", "place": "no-location"})),
    Step("memberships", ({"nominal_ref": "N1", "group_ref": "G1", "started_on": date(2023, 1, 1)},
                         {"nominal_ref": "N2", "group_ref": "G2", "started_on": date(2022, 12, 31),
                          "ended_on": date(2023, 2, 14)},
                         {"nominal_ref": "N3", "group_ref": "G3", "started_on": date(2023, 2, 1)})),
    Step("priority", ({"nominal_ref": "N2", "started_on": date(2023, 3, 31)},)),
    Step("crimes", (
        {"reference": "CR1", "offence_code": "A", "date": date(2023, 1, 15), "place": "N1a", "drug_supply": "Y",
         "nominals": "N1:suspect"},
        {"reference": "CR2", "offence_code": "C", "date": date(2023, 2, 14), "place": "N3a",
         "nominals": "N2:offender;N1:victim"},
        {"reference": "CR3", "offence_code": "B", "date": date(2023, 3, 31), "place": "S3-no-neighbourhood",
         "firearms_discharge": "Y"},
        {"reference": "CR4", "offence_code": "U", "date": date(2023, 4, 10), "place": "N2a", "drug_supply": "Y",
         "nominals": "N3:associate"},
    )),
    Step("drug_deaths", ({"reference": "D1", "date": date(2023, 2, 1), "place": "N2b", "substances": "heroin"},)),
    Step("firearms_intel", ({"reference": "F1", "date": date(2023, 1, 31), "place": "N1b", "grading": "B2"},)),
]
INITIAL_CRIMES = next(step.rows for step in INITIAL if step.kind == "crimes")
MEMBERSHIP_KEYS = [("N1", "G1", date(2023, 1, 1)), ("N2", "G2", date(2022, 12, 31)), ("N3", "G3", date(2023, 2, 1))]
PRIORITY_KEYS = [("N2", date(2023, 3, 31))]


# --- generated steps -------------------------------------------------------------------------------------------

places = st.sampled_from(list(PLACES))
dates = st.sampled_from(DATES)
yes_no = st.sampled_from(["", "Y"])


@st.composite
def periods(draw):
    """(started_on, ended_on): ended_on empty, or on or after the start."""
    start = draw(dates)
    end = draw(st.one_of(st.none(), st.sampled_from([d for d in DATES if d >= start])))
    return start, end


links = st.lists(st.tuples(st.sampled_from(NOMINAL_REFS), st.sampled_from(ROLES)), max_size=2, unique=True).map(
    lambda pairs: ";".join(f"{n}:{r}" for n, r in pairs))
CRIME_COLUMNS = {"offence_code": st.sampled_from(list(WEIGHTS)), "date": dates, "place": places,
                 "drug_supply": yes_no, "cannabis_farm": yes_no, "firearms_discharge": yes_no, "nominals": links}


@st.composite
def crime_rows(draw):
    """A crime with every column drawn, or a crime of the world re-sent with one column changed
    (only its links, only its date...): the changes a scope must follow."""
    if draw(st.booleans()):
        initial = {column: "" for column in CRIME_COLUMNS} | dict(draw(st.sampled_from(INITIAL_CRIMES)))
        column = draw(st.sampled_from(list(CRIME_COLUMNS)))
        return initial | {column: draw(CRIME_COLUMNS[column])}
    return {"reference": draw(st.sampled_from(CRIME_REFS))} | {c: draw(v) for c, v in CRIME_COLUMNS.items()}


@st.composite
def nominal_rows(draw):
    ref = draw(st.sampled_from(NOMINAL_REFS))
    return {"ref": ref, "name": f"Person {ref}", "place": draw(places)}


@st.composite
def group_rows(draw):
    ref = draw(st.sampled_from(GROUP_REFS))
    return {"ref": ref, "name": f"Group {ref[1:]}", "group_type": draw(st.sampled_from(["ocg", "ucg", "pcg"]))}


@st.composite
def membership_rows(draw):
    # Half the time an existing membership (same key) shortened, lengthened, ended or reopened.
    start, end = draw(periods())
    nominal, group = draw(st.sampled_from(NOMINAL_REFS)), draw(st.sampled_from(GROUP_REFS))
    if draw(st.booleans()):
        nominal, group, start = draw(st.sampled_from(MEMBERSHIP_KEYS))
        end = draw(st.one_of(st.none(), st.sampled_from([d for d in DATES if d >= start])))
    return {"nominal_ref": nominal, "group_ref": group, "started_on": start, "ended_on": end}


@st.composite
def priority_rows(draw):
    start, end = draw(periods())
    nominal = draw(st.sampled_from(NOMINAL_REFS))
    if draw(st.booleans()):
        nominal, start = draw(st.sampled_from(PRIORITY_KEYS))
        end = draw(st.one_of(st.none(), st.sampled_from([d for d in DATES if d >= start])))
    return {"nominal_ref": nominal, "started_on": start, "ended_on": end}


@st.composite
def partner_rows(draw, prefix: str):
    return {"reference": f"{prefix}{draw(st.integers(1, 3))}", "date": draw(dates), "place": draw(places)}


def _key(kind: str, row: dict):
    return {"memberships": lambda r: (r["nominal_ref"], r["group_ref"], r["started_on"]),
            "priority": lambda r: (r["nominal_ref"], r["started_on"])}.get(kind, lambda r: next(iter(r.values())))(row)


def _file(kind: str, rows, max_rows: int = 2):
    return st.lists(rows, min_size=1, max_size=max_rows, unique_by=lambda r: _key(kind, r)).map(
        lambda rs: Step(kind, tuple(rs)))


steps = st.one_of(
    _file("crimes", crime_rows(), max_rows=3),
    _file("nominals", nominal_rows()),
    _file("groups", group_rows()),
    _file("memberships", membership_rows()),
    _file("priority", priority_rows()),
    _file("drug_deaths", partner_rows("D")),
    _file("firearms_intel", partner_rows("F")),
)


# --- the world and the upload path --------------------------------------------------------------------------------

@pytest.fixture
def upload_world(db, analyst, partner_a):
    areas = {}
    for code, level, parent, min_lon, min_lat, max_lon, max_lat in AREAS:
        areas[code] = Area.objects.create(
            level=level, code=code, name=f"Area {code}", parent=areas.get(parent),
            boundary=square(min_lon, min_lat, max_lon - min_lon, max_lat - min_lat),
            min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat,
            label_lon=(min_lon + max_lon) / 2, label_lat=(min_lat + max_lat) / 2, source="test squares",
        )
    edition = CssEdition.objects.create(code="prop-css", label="Test edition", source="tests", is_active=True)
    for code, weight in WEIGHTS.items():
        offence = OffenceType.objects.create(code=code, description=f"Offence {code}")
        if weight is not None:
            OffenceWeight.objects.create(edition=edition, offence_type=offence, weight=weight)
    senders = {"force": (Organisation.objects.get(code="force"), analyst),
               "coroner": (Organisation.objects.get(code="coroner"), partner_a)}
    for step in INITIAL:
        assert _send(step, senders).status == Upload.Status.APPLIED, step
    # The full recompute below covers whatever these uploads asked for.
    ScoringRun.objects.filter(status=ScoringRun.Status.QUEUED).update(status=ScoringRun.Status.DONE)
    scores_recompute()
    assert HarmScore.objects.exists()
    return senders


def _send(step: Step, senders) -> Upload:
    organisation, user = senders["coroner" if step.kind == "drug_deaths" else "force"]
    upload = upload_create(organisation=organisation, kind=step.kind, fileobj=io.BytesIO(step.csv()),
                           original_name=f"{step.kind}.csv", user=user, dispatch=False)
    return upload_process(upload_id=upload.pk)


# --- what is compared ---------------------------------------------------------------------------------------------

def _cells() -> dict:
    cells = {}
    for area, month, measure, *numbers in HarmScore.objects.values_list(
            "area_id", "month", "measure_id", "count", "harm", "harm_sq", "max_item_harm"):
        cells[("HarmScore", area, month, measure)] = tuple(numbers)
    for area, month, measures, item_type, *numbers in TotalScore.objects.values_list(
            "area_id", "month", "measures", "item_type", "count", "css_count", "css_harm", "css_harm_sq", "css_max"):
        cells[("TotalScore", area, month, measures, item_type)] = tuple(numbers)
    # What the run stores for the pages besides the scores (scoring.services.stored_views).
    for level, area, month, kind, *numbers in RecordCount.objects.values_list(
            "level", "area_id", "month", "kind", "count", "drug_supply", "cannabis_farm", "firearms_discharge",
            "is_synthetic"):
        cells[("RecordCount", area, month, level, kind)] = tuple(numbers)
    for area, start, end, kind, measures, edition, data in AreaView.objects.values_list(
            "area_id", "start", "end", "kind", "measures", "edition_id", "data"):
        cells[("AreaView", area, start, end, kind)] = (measures, edition, _rounded(data))
    return cells


def _rounded(data):
    """JSON with its floats to 9 significant digits: sums of the same items in another order still match."""
    if isinstance(data, float):
        return float(f"{data:.9g}")
    if isinstance(data, dict):
        return {k: _rounded(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_rounded(v) for v in data]
    return data


def _data() -> tuple:
    """Everything an upload may change besides the scores (a rejected file must change none of it)."""
    return (
        set(Record.objects.values_list("source", "external_ref", "kind", "occurred_on", "lat", "lon", "area_id",
                                       "sector_id", "command_id", "offence_type_id", "drug_supply", "cannabis_farm",
                                       "firearms_discharge")),
        set(RecordNominal.objects.values_list("record__external_ref", "nominal__ref", "role")),
        set(Nominal.objects.values_list("ref", "name", "home_area_id", "home_sector_id", "home_command_id")),
        set(Group.objects.values_list("ref", "group_type")),
        set(Membership.objects.values_list("nominal__ref", "group__ref", "started_on", "ended_on")),
        set(PriorityStatus.objects.values_list("nominal__ref", "started_on", "ended_on")),
    )


def _same(a: tuple, b: tuple) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) if isinstance(x, float) else x == y
               for x, y in zip(a, b))


def _differences(stored: dict, full: dict) -> list[str]:
    areas = dict(Area.objects.values_list("id", "code"))
    measures = dict(Measure.objects.values_list("id", "code"))

    def name(key):
        table, area, month, *rest = key
        if table in ("RecordCount", "AreaView"):
            return f"{table} {areas.get(area, area)} {month} {rest}"
        if table == "HarmScore":
            what = measures.get(rest[0], rest[0])
        else:
            what = "{" + ",".join(measures.get(int(i), i) for i in rest[0].split(",") if i) + "} " + rest[1]
        return f"{table} {areas.get(area, area)} {month:%Y-%m} {what}"

    lines = []
    for key in sorted(stored.keys() | full.keys(), key=lambda k: tuple(map(str, k))):
        mine, theirs = stored.get(key), full.get(key)
        if mine is None:
            lines.append(f"{name(key)}: missing, full recompute has {theirs}")
        elif theirs is None:
            lines.append(f"{name(key)}: stored {mine}, full recompute has no such cell")
        elif not _same(mine, theirs):
            lines.append(f"{name(key)}: stored {mine}, full recompute {theirs}")
    return lines


def _run_queued(after_run_id: int, where: str) -> list[dict]:
    """Run every recompute the upload queued, as the worker would; their scopes."""
    scopes = []
    for run in ScoringRun.objects.filter(pk__gt=after_run_id, status=ScoringRun.Status.QUEUED).order_by("pk"):
        scopes.append(run.scope)
        what = f"{where}: the queued recompute {run.scope}"
        try:
            recompute_scores(run.pk)
        except Exception as exc:
            raise AssertionError(f"{what} raised {type(exc).__name__}: {exc}") from exc
        run.refresh_from_db()
        assert run.status == ScoringRun.Status.DONE, f"{what} is {run.status}: {run.error}"
    return scopes


def _check_sequence(sequence: list[Step], senders) -> None:
    for number, step in enumerate(sequence, start=1):
        where = f"step {number} of {sequence!r}"
        last_run = ScoringRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        data_before, cells_before = _data(), _cells()

        upload = _send(step, senders)
        event(f"{step.kind} {upload.status}")  # shown by --hypothesis-show-statistics
        assert upload.status in (Upload.Status.APPLIED, Upload.Status.REJECTED), (
            f"{where}: upload {upload.status}: {upload.failure[-800:]}")
        scopes = _run_queued(last_run, where) if upload.status == Upload.Status.APPLIED else []
        if upload.status == Upload.Status.REJECTED:
            assert not ScoringRun.objects.filter(pk__gt=last_run).exists(), f"{where}: a rejected file queued a run"
            assert _data() == data_before, f"{where}: a rejected file changed data ({upload.errors[:3]})"
            assert _cells() == cells_before, f"{where}: a rejected file changed scores"
            continue

        twice = Record.objects.values("source", "external_ref").annotate(n=Count("id")).filter(n__gt=1)
        assert not twice.exists(), f"{where}: a reference is held by two records: {list(twice)}"
        stored = _cells()
        with transaction.atomic():
            scores_recompute()
            full = _cells()
            transaction.set_rollback(True)
        differences = _differences(stored, full)
        assert not differences, (
            f"{where}: after the scoped recompute(s) {scopes}, {len(differences)} stored cell(s) differ from a "
            f"full recompute; the first ones:\n  " + "\n  ".join(differences[:12]))


# The cases of issue 8, always run before the generated ones.
REPRODUCED = [
    # A new person with a home and no linked record: a scope with areas and no months.
    [Step("nominals", ({"ref": "N5", "name": "Person N5", "place": "N2a"},))],
    # A person moves: their old home's cells must go.
    [Step("nominals", ({"ref": "N1", "name": "Person N1", "place": "N3a"},))],
    # A membership shortened, then a priority period ended: the months they no longer cover.
    [Step("memberships", ({"nominal_ref": "N1", "group_ref": "G1", "started_on": date(2023, 1, 1),
                           "ended_on": date(2023, 1, 31)},)),
     Step("priority", ({"nominal_ref": "N2", "started_on": date(2023, 3, 31), "ended_on": date(2023, 3, 31)},))],
    # A crime re-sent with only its nominal link changed (the OCG member removed).
    [Step("crimes", ({**INITIAL_CRIMES[0], "nominals": ""},))],
    # A group changes type: its members' months move from one nominals measure to another.
    [Step("groups", ({"ref": "G1", "name": "Group 1", "group_type": "ucg"},))],
    # A crime's date corrected into another month (another partition on PostgreSQL): moved, not duplicated.
    [Step("crimes", ({**INITIAL_CRIMES[0], "date": date(2023, 6, 1)},))],
    # A partner record two months after the last one: the records' month span grows.
    [Step("drug_deaths", ({"reference": "D2", "date": date(2023, 6, 1), "place": "N1a"},))],
]


def _reproduced(test):
    for sequence in reversed(REPRODUCED):
        test = example(sequence=sequence)(test)
    return test


@_reproduced
@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=st.lists(steps, min_size=1, max_size=6))
def test_it_stores_what_a_full_recompute_gives_after_every_upload(upload_world, sequence):
    with transaction.atomic():
        _check_sequence(sequence, upload_world)
        transaction.set_rollback(True)
