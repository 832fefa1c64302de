"""A request declaring a body over UPLOAD_MAX_BYTES + 64 KB is refused with 413 before anything
reads it: for any URL, before the CSRF check and the view."""
from unittest import mock

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
LIMIT = 1000


@pytest.fixture
def small_limit(settings):
    settings.UPLOAD_MAX_BYTES = LIMIT
    return LIMIT + 64 * 1024


@pytest.mark.parametrize("path", ["/uploads/new/", "/accounts/login/", "/sectors/", "/api/areas/", "/no-such-page/"])
def test_it_refuses_a_body_declared_too_large_before_csrf_and_the_view(small_limit, analyst, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    with mock.patch("django.middleware.csrf.CsrfViewMiddleware.process_view") as csrf, \
            mock.patch("django.core.handlers.wsgi.LimitedStream.read") as read, \
            mock.patch("django.urls.resolvers.URLResolver.resolve") as resolve:
        response = client.post(path, b"", content_type="application/octet-stream", CONTENT_LENGTH=str(small_limit + 1))
    assert response.status_code == 413
    assert b"over the limit" in response.content
    assert not csrf.called and not read.called and not resolve.called


def test_it_lets_a_body_within_the_limit_through(small_limit, analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post("/uploads/new/", b"", content_type="application/octet-stream", CONTENT_LENGTH=str(small_limit))
    assert response.status_code == 403  # on to the CSRF check
    assert client.get("/").status_code == 200


def test_it_is_the_first_middleware(settings):
    assert settings.MIDDLEWARE[0] == "core.middleware.RequestBodyLimitMiddleware"
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440  # form fields, files aside
