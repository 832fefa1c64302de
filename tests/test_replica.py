"""The pages read from a replica when one is configured, and only what is safe to read there.

The suite on PostgreSQL configures the replica as a second connection to the test database (its
mirror) with REPLICA_READS off; these tests turn it on. Two real connections, so what each one ran
is seen apart. The tests commit (transaction=True): the mirror is a separate session.
"""
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from core.replica import PIN_COOKIE, REPLICA, ReplicaRouter, replica_reads
from nominals.models import Nominal
from scoring.models import TotalScore
from sectors.models import Area
from tests.world import build_world

pytestmark = [
    pytest.mark.skipif(REPLICA not in settings.DATABASES, reason="no replica configured (DATABASE_REPLICA_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
]
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)


@pytest.fixture(autouse=True)
def _seeded(seeded):
    """The roles and organisations the migrations seed, put back if an earlier transactional test flushed them."""


@pytest.fixture
def replica_on(settings):
    settings.REPLICA_READS = True
    cache.clear()


def _get(client, url):
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary, \
            CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get(url)
    return response, [q["sql"] for q in primary.captured_queries], [q["sql"] for q in replica.captured_queries]


def _tables(sqls, prefix):
    """The statements whose first table (the one read or written, not a joined one) starts with prefix."""
    first = [re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql) for sql in sqls]
    return [sql for sql, table in zip(sqls, first) if table and table.group(1).startswith(prefix)]


def test_a_page_reads_its_data_from_the_replica_and_writes_on_the_primary(client, analyst, settings):
    world = build_world()
    client.force_login(analyst)
    url = f"/sectors/{world.sectors['S2'].pk}/"
    settings.REPLICA_READS = False
    cache.clear()
    plain = client.get(url)
    settings.REPLICA_READS = True
    cache.clear()
    response, primary, replica = _get(client, url)
    assert response.status_code == 200
    assert response.context["area"].name == plain.context["area"].name == "Sector 2"
    assert _tables(replica, "scoring_") and _tables(replica, "sectors_"), "the scores and areas come from the replica"
    assert not [sql for sql in replica if WRITE.match(sql)]
    assert not _tables(primary, "scoring_totalscore") and not _tables(primary, "records_record")
    # Who the user is and what they may do stay on the primary.
    assert _tables(primary, "django_session") and _tables(primary, "auth_")
    for prefix in ("django_", "auth_", "guardian_", "portal_", "axes_"):
        assert not _tables(replica, prefix), prefix


def test_an_audited_read_writes_its_audit_event_on_the_primary(client, analyst, replica_on):
    build_world()
    client.force_login(analyst)
    nominal = Nominal.objects.first()
    response, primary, replica = _get(client, f"/nominals/{nominal.pk}/")
    assert response.status_code == 200
    assert _tables(replica, "nominals_")
    assert [sql for sql in primary if sql.startswith('INSERT INTO "portal_auditevent"')]
    assert not _tables(replica, "portal_")


def test_after_a_change_the_browser_reads_from_the_primary(client, analyst, replica_on):
    world = build_world()
    client.force_login(analyst)
    changed = client.post("/activities/new/", {})  # refused (no fields), but a change was attempted
    assert changed.cookies[PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS
    cache.clear()
    response, primary, replica = _get(client, f"/sectors/{world.sectors['S1'].pk}/")
    assert response.status_code == 200
    assert replica == [] and _tables(primary, "scoring_")


def test_the_admin_reads_from_the_primary(client, administrator, replica_on):
    client.force_login(administrator)
    response, primary, replica = _get(client, "/admin/")
    assert response.status_code == 200 and replica == [] and primary


def test_reads_inside_a_transaction_stay_on_the_primary(replica_on):
    router = ReplicaRouter()
    assert router.db_for_read(TotalScore) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_read(TotalScore) == REPLICA
        assert router.db_for_read(Area) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(TotalScore) == DEFAULT_DB_ALIAS
        assert router.db_for_write(TotalScore) == DEFAULT_DB_ALIAS
    assert not router.allow_migrate(REPLICA, "scoring")
