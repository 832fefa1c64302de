"""A Content-Security-Policy on every page: nothing but the portal's own files, no inline script."""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def _policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_it_sends_the_policy_with_every_page(client, analyst):
    policy = _policy(client.get("/accounts/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    client.force_login(analyst)
    assert _policy(client.get("/"))["default-src"] == ["'self'"]


def test_it_allows_the_map_tiles_origin_in_images(client, analyst, settings):
    from portal.settings import content_security_policy

    settings.CONTENT_SECURITY_POLICY = content_security_policy("https://tiles.example.org:8443/{z}/{x}/{y}.png")
    client.force_login(analyst)
    assert _policy(client.get("/"))["img-src"] == ["'self'", "data:", "https://tiles.example.org:8443"]
    assert content_security_policy("")["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


def test_it_has_no_executable_inline_script_in_any_template():
    offending = []
    for path in TEMPLATES.rglob("*.html"):
        for tag in SCRIPT_TAG.findall(path.read_text()):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offending.append(f"{path.relative_to(TEMPLATES)}: {tag}")
    assert offending == []


@pytest.mark.parametrize("tag", ["leaflet_map"])
def test_it_draws_maps_without_django_leaflets_inline_script(tag):
    used = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if "{% " + tag in p.read_text()]
    assert used == []


def test_it_has_no_inline_style_attribute_in_any_template():
    offending = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if re.search(r"\sstyle=", p.read_text())]
    assert offending == []
