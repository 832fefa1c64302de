"""Error pages in the portal's look, never Django's technical page, in demo mode (DEBUG) too."""
import pytest
from django.test import Client

from core.models import AuditEvent

TECHNICAL = ("Using the URLconf", "technical_404", "Django tried these URL patterns", "Traceback")


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def _assert_portal_404(response):
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html and 'class="top"' in html
    assert not any(marker in html for marker in TECHNICAL)


def test_it_answers_an_unmatched_path_with_the_portal_404(client, analyst, debug):
    client.force_login(analyst)
    response = client.get("/no/such/page/")
    _assert_portal_404(response)
    assert "Sector overview" in response.content.decode()  # the navigation of a logged-in analyst


def test_it_answers_a_refused_object_with_the_same_page_and_audits_it(client, officer, debug, db):
    client.force_login(officer)
    _assert_portal_404(client.get("/nominals/groups/"))  # a page for analysts only
    assert AuditEvent.objects.filter(action="denied", detail__path="/nominals/groups/").count() == 1


def test_it_shows_an_anonymous_visitor_the_page_with_a_login_link(db, debug):
    response = Client().get("/no/such/page/")
    _assert_portal_404(response)
    assert 'href="/accounts/login/"' in response.content.decode()


def test_it_keeps_json_errors_for_the_api(client, analyst, governance, debug):
    client.force_login(analyst)
    response = client.get("/api/no-such-endpoint/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    client.force_login(governance)
    response = client.get("/api/rankings/")  # refused by the API's permission: DRF's own JSON
    assert response.status_code == 404 and response.json()["detail"]


def test_it_answers_a_form_without_its_token_with_the_portal_page(db, analyst, debug):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post("/uploads/new/", {})
    assert response.status_code == 403
    html = response.content.decode()
    assert "The form could not be sent" in html and "CSRF verification failed" not in html


def test_it_renders_the_500_page_without_a_request_context(rf):
    from pages.views.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content
