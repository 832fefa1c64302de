"""Behind a TLS proxy: HSTS, the HTTPS redirect and the proxy's scheme header come from the
environment, and a production-like configuration passes Django's deployment checks."""
import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
OURS = ("DEBUG", "DEMO_MODE", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SECURE_COOKIES",
        "CSRF_TRUSTED_ORIGINS")


def _production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in OURS and not k.startswith("SECURE_")}
    env.update(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="soc-harm.force.example",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **extra)
    return env


def _check(tmp_path, *tags):
    env = _production_env(tmp_path, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https")
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    for tag in tags:
        command += ["--tag", tag]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path):
    code, output = _check(tmp_path)
    assert "security." not in output, output
    # Every security check passes, at warning level (other apps' warnings aside).
    code, output = _check(tmp_path, "security")
    assert code == 0, output


def _settings(monkeypatch, **env):
    import portal.settings

    for name in ("DEBUG", "DEMO_MODE", *[k for k in os.environ if k.startswith("SECURE_")]):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(portal.settings)


@pytest.fixture
def reloaded(monkeypatch):
    yield lambda **env: _settings(monkeypatch, **env)
    monkeypatch.undo()
    importlib.reload(importlib.import_module("portal.settings"))


def test_it_turns_hsts_and_the_https_redirect_on_unless_debug(reloaded):
    production = reloaded()
    assert (production.SECURE_HSTS_SECONDS, production.SECURE_SSL_REDIRECT) == (31536000, True)
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS and production.SECURE_HSTS_PRELOAD
    assert production.SECURE_PROXY_SSL_HEADER is None
    development = reloaded(DEBUG="1")
    assert (development.SECURE_HSTS_SECONDS, development.SECURE_SSL_REDIRECT) == (0, False)


def test_it_reads_each_setting_from_the_variable_of_its_name(reloaded):
    custom = reloaded(SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="no",
                      SECURE_SSL_REDIRECT="off", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO, https")
    assert (custom.SECURE_HSTS_SECONDS, custom.SECURE_HSTS_INCLUDE_SUBDOMAINS, custom.SECURE_HSTS_PRELOAD,
            custom.SECURE_SSL_REDIRECT) == (600, False, False, False)
    assert custom.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER"):
        reloaded(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")


def test_it_redirects_to_https_but_lets_the_health_check_through(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/healthz").status_code != 301
