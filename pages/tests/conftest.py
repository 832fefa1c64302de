import pytest

from tests.world import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def login(client):
    """Log the client in as one of the cast and return it."""
    def _login(user):
        client.force_login(user)
        return client
    return _login




@pytest.fixture(autouse=True)
def _empty_cache():
    """Provenance is cached by upload and run ids, which restart with every test database."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    ContentType.objects.clear_cache()  # so a page's query count does not depend on the tests before it
