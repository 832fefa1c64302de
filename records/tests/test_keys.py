"""The records' unique key on a reference's compact form (records.keys): exact, and what every look-up uses."""
import datetime as dt
import json

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from records.keys import reference_key, reference_match
from records.services import partition_name, record_partitions_ensure
from tests.factories import RecordFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps the plain reference")]

HEX = "0123456789abcdef"
references = st.one_of(
    st.text(HEX, min_size=64, max_size=64),  # a police.uk Crime ID: decoded
    st.text(HEX + "ABCDEF", min_size=64, max_size=64),  # upper case: kept as it is
    st.text(HEX, min_size=63, max_size=65),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=70),
    st.text("\\x01", max_size=66),
)


def _keys(refs: list[str]) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reference_key('v')} FROM unnest(%s::text[]) WITH ORDINALITY v(external_ref, n) "
                       "ORDER BY n", [refs])
        return [bytes(row[0]) for row in cursor.fetchall()]


@settings(max_examples=200, deadline=None)
@given(st.lists(references, min_size=2, max_size=20))
def test_it_gives_two_references_the_same_key_only_when_they_are_the_same(refs):
    keys = _keys(refs)
    assert len(set(keys)) == len(set(refs))
    assert all((a == b) == (k == m) for a, k in zip(refs, keys) for b, m in zip(refs, keys))


def test_it_stores_a_crime_id_as_a_tag_and_its_32_bytes():
    crime_id = "ab" * 32
    assert _keys([crime_id, crime_id.upper(), "CR1\\n"]) == [
        b"\x01" + bytes.fromhex(crime_id), b"\x00" + crime_id.upper().encode(), b"\x00CR1\\n"]


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return json.dumps(cursor.fetchone()[0])


def test_it_finds_a_record_by_its_reference_through_the_unique_key():
    month = dt.date(2023, 1, 1)
    record_partitions_ensure(months=[month])
    record = RecordFactory(external_ref="cd" * 32, occurred_on=dt.date(2023, 1, 5), month=month, source="policeuk",
                           kind="policeuk")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE probe (external_ref varchar(100))")
        cursor.execute("INSERT INTO probe VALUES (%s)", [record.external_ref])
        cursor.execute(f"ANALYZE {partition_name(month)}")
        cursor.execute("ANALYZE probe")
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass "
                       "AND pg_get_indexdef(indexrelid) LIKE '%%decode%%'", [partition_name(month)])
        (unique_key,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table of one row: the plan must be able to use it
        cursor.execute(f"SELECT r.id FROM ingestion_record r JOIN probe s ON r.force_id = %s AND r.source = %s "
                       f"AND {reference_match('r', 's')}", [record.force_id, "policeuk"])
        assert cursor.fetchall() == [(record.id,)]
    plan = _plan(f"SELECT r.id FROM ingestion_record r JOIN probe s ON r.force_id = %s AND r.source = %s "
                 f"AND {reference_match('r', 's')}", [record.force_id, "policeuk"])
    assert f'"Index Name": "{unique_key}"' in plan
