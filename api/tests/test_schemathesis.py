"""Schemathesis against a live server, for each member of the cast: every operation of the schema the
server serves, with generated parameters and bodies (valid ones, then invalid ones), sent with that
user's API token. Each answer must be no server error and must match the schema: a documented status
code, a documented content type, a body of the documented shape. An operation a role may not use
answers 404 (or 403 without credentials), and the schema says so (api.schema).

The operations come from the schema, not from a list here: an endpoint added to the API is covered
the day it is merged. Path parameters the seeded data knows (an area, a pack, an upload...) are also
tried with the real object, so the answers of substance are checked, not only the 404s.

Bounded and reproducible: a few examples per operation and role (EXAMPLES), no shrinking, and
Hypothesis derandomized, so CI sends the same requests every run.
"""
import io
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from api.services import token_create
from core.models import Organisation
from ingestion.services import upload_create, upload_process
from ingestion.tasks import process_upload
from nominals.models import Group, Nominal
from records.permissions import area_records_grant
from tasking.models import TaskingPack
from tasking.services.packs import pack_snapshot
from tests.factories import ActivityFactory, csv_bytes
from tests.world import build_world

# Examples per operation and role: valid parameters, invalid ones, and valid ones on a real object. An
# operation the role may not use answers 404 whatever it is sent, so it gets a few, to check just that.
EXAMPLES = {"valid": 10, "invalid": 5, "known": 5}
REFUSED = {"valid": 2, "invalid": 1, "known": 1}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# No generated credentials: each role's token is the only Authorization sent.
CONFIG = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})

# The live server reads what this test commits; the rows migrations seed are put back after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def known(seeded, cast):
    """The force of tests.world with its scores from a real recompute, a processed upload, an activity, a
    pack and the officer's grant of one sector's records: the ids a path parameter may name."""
    world = build_world()
    area_records_grant(user=cast["officer"], area=world.sectors["S2"], granted_by=cast["analyst"])
    deaths = csv_bytes([["reference", "date", "latitude", "longitude", "substances"],
                        ["D1", "2024-03-05", "55.05", "-1.55", "heroin"], ["D2", "not a day", "55.0", "-1.7", ""]])
    upload = upload_create(organisation=Organisation.objects.get(code="coroner"), kind="drug_deaths",
                           fileobj=io.BytesIO(deaths), original_name="deaths.csv", user=cast["partner_a"],
                           dispatch=False)
    upload_process(upload_id=upload.pk)
    ActivityFactory(areas=[world.sectors["S2"]])
    snapshot = pack_snapshot(user=cast["analyst"], area_ids=[world.sectors["S2"].pk], window_months=12,
                             end_month=None, measure_codes=None)
    pack = TaskingPack.objects.create(title="Fuzzed pack", meeting_on=date(2025, 1, 6), prepared_by=cast["analyst"],
                                      edition_id=snapshot["edition"]["id"], window_months=12, snapshot=snapshot)
    group = Group.objects.get(ref="G1")
    nominal = Nominal.objects.filter(memberships__group=group).first()
    return {"area_id": world.sectors["S2"].pk, "upload_id": upload.pk, "pack_id": pack.pk, "group_id": group.pk,
            "nominal_id": nominal.pk}


@pytest.fixture
def eager():
    """Uploads sent are processed in the request, as on SQLite: nothing is left queued for a worker that
    this suite does not run, whatever REDIS_URL says."""
    before = process_upload.app.conf.task_always_eager
    process_upload.app.conf.task_always_eager = True
    yield
    process_upload.app.conf.task_always_eager = before


def _fuzz(operation, *, mode, headers, base_url, examples, path_parameters=None) -> tuple[list[int], list[str]]:
    """Send ``examples`` generated cases of one operation: the status codes answered, and what failed
    (each failure once, with one request that showed it)."""
    statuses, failures = [], {}

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        # A connection per request: the test server answers a kept-alive one tens of milliseconds late.
        response = case.call(base_url=base_url, headers=headers)
        statuses.append(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.setdefault(f"{failure.title}: {failure.message}"[:400],
                                    f"{case.method} {response.request.url} -> {response.status_code}")

    run()
    return statuses, [f"{what}\n    e.g. {example}" for what, example in failures.items()]


def _runs(operation, known: dict) -> list[tuple[str, GenerationMode, dict | None]]:
    runs = [("valid", GenerationMode.POSITIVE, None), ("invalid", GenerationMode.NEGATIVE, None)]
    names = {p.name for p in operation.path_parameters}
    if names and names <= known.keys():
        runs.append(("known", GenerationMode.POSITIVE, {name: known[name] for name in names}))
    return runs


def _refused(operation, known: dict, *, headers, base_url) -> bool:
    """Whether the role may not use the operation: sent nothing but the ids of real objects in its path,
    it answers 404. (Without real ids for its path, it is taken as usable, and fuzzed in full.)"""
    names = {p.name for p in operation.path_parameters}
    if not names <= known.keys():
        return False
    case = operation.Case(path_parameters={name: known[name] for name in names})
    return case.call(base_url=base_url, headers=headers).status_code == 404


def test_every_operation_answers_each_role_without_a_server_error_and_as_documented(live_server, known, cast, eager):
    keys = {role: token_create(user=user)[1] for role, user in cast.items()}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", config=CONFIG,
                                           headers={"Authorization": f"Token {keys['analyst']}"})
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12  # the schema served is the whole API, not an error page's
    failures, statuses = [], {}
    for role, key in keys.items():
        headers = {"Authorization": f"Token {key}"}
        for operation in operations:
            examples = REFUSED if _refused(operation, known, headers=headers, base_url=live_server.url) else EXAMPLES
            for label, mode, fixed in _runs(operation, known):
                answered, found = _fuzz(operation, mode=mode, headers=headers, base_url=live_server.url,
                                        examples=examples[label], path_parameters=fixed)
                statuses.setdefault((role, operation.label), []).extend(answered)
                failures += [f"{role} {operation.label} ({label}): {failure}" for failure in found]
    print(f"{len(operations)} operations, requests per role:",
          {role: sum(len(v) + 1 for (r, _), v in statuses.items() if r == role) for role in keys})
    assert failures == [], "\n".join(failures)
    # Not only refusals: the analyst, who may use every operation, got an answer of substance from each;
    # someone with no role got nothing but 404s.
    assert [op for (role, op), codes in statuses.items() if role == "analyst" and not any(c < 300 for c in codes)] == []
    assert {c for (role, _), codes in statuses.items() if role == "outsider" for c in codes} == {404}
