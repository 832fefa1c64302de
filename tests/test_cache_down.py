"""Redis is not a single point of failure: with the cache unreachable the pages compute from the
database and an ingest applies, each cache call a logged miss."""
import logging

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from nominals.models import Group, Nominal
from records.models import Record
from tests.factories import policeuk_file, policeuk_row
from tests.world import build_world

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every connection is refused at once.
CACHE_DOWN = {"default": {"BACKEND": "core.cache.FallbackRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


@pytest.fixture
def cache_down():
    from core.cache import FallbackRedisCache

    with override_settings(CACHES=CACHE_DOWN):
        FallbackRedisCache.warned_at, FallbackRedisCache.down_until = None, 0.0  # so this test sees the warning
        yield
    FallbackRedisCache.warned_at, FallbackRedisCache.down_until = None, 0.0


def test_it_serves_the_pages_from_the_database(client, analyst, cache_down, caplog):
    world = build_world()
    client.force_login(analyst)
    group, nominal = Group.objects.get(), Nominal.objects.first()
    urls = ["/", "/sectors/", f"/sectors/{world.sectors['S2'].pk}/", "/themes/", "/themes/firearms/", "/demand/",
            "/nominals/groups/", f"/nominals/groups/{group.pk}/", f"/nominals/{nominal.pk}/", "/uploads/",
            "/api/rankings/", "/api/areas/", "/sectors/export.csv"]
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for url in urls:
            assert client.get(url).status_code == 200, url
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()  # once, not once per call


def test_it_ingests_a_file(tmp_path, capsys, cache_down, force_area):
    path = tmp_path / "street.csv"
    path.write_bytes(policeuk_file([policeuk_row("a1"), policeuk_row("a2")]))
    call_command("ingest", str(path), kind="policeuk", org="force")
    assert "policeuk applied" in capsys.readouterr().out
    assert Record.objects.count() == 2


def test_it_answers_every_cache_call_as_a_miss(cache_down):
    assert cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None and cache.add("k", 1) is False
    assert cache.get_many(["k", "j"]) == {} and cache.set_many({"k": 1}) == ["k"]
    assert cache.delete("k") is False and cache.delete_many(["k"]) is None
    assert cache.has_key("k") is False and cache.touch("k") is False and cache.clear() is False
    with pytest.raises(ValueError):  # as for a missing key: the caller sets it instead
        cache.incr("k")
    assert cache.get_or_set("k", 5) == 5
