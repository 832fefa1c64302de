"""Every route of the portal is walked: anonymous users reach nothing but the login page and the health check.

The Django admin is left out: it has its own login, and Django tests it."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"accounts/login/", "healthz"}


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _example_path(pattern: str) -> str:
    """A concrete path for a route: every converter gets a plausible value."""
    import re

    path = pattern.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:str|slug):\w+>", "x", path)
    path = re.sub(r"<path:\w+>", "x/y", path)
    path = re.sub(r"<\w+>", "x", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"[\^$?*+()\[\]]", "", path)
    return "/" + path


def test_it_finds_the_patterns():
    patterns = list(_patterns())
    assert "accounts/login/" in patterns
    assert len(patterns) > 5


def portal_routes() -> list[str]:
    return sorted({p for p in _patterns() if not p.startswith("admin/")})


@pytest.mark.parametrize("pattern", portal_routes())
def test_it_keeps_every_page_from_anonymous_users(client, db, pattern):
    path = _example_path(pattern)
    response = client.get(path)
    if pattern in PUBLIC:
        assert response.status_code == 200, path
    elif path.startswith("/api/"):
        assert response.status_code in (401, 403), f"{path} answered {response.status_code}"
    else:
        assert response.status_code == 302, f"{path} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/?next="), path
