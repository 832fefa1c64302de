import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_rate


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False)])
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_it_fails_loudly_on_a_bad_boolean(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_it_fails_loudly_on_a_bad_integer(monkeypatch):
    monkeypatch.setenv("X_INT", "12MB")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)


def test_it_uses_defaults_and_splits_lists(monkeypatch):
    monkeypatch.delenv("X_INT", raising=False)
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert env_int("X_INT", 7) == 7
    assert env_list("X_LIST", []) == ["a.example", "b.example"]


@pytest.mark.parametrize("raw, expected", [("60/hour", "60/hour"), (" 5/Minute ", "5/minute"), ("1/s", "1/s")])
def test_it_reads_rates(monkeypatch, raw, expected):
    monkeypatch.setenv("X_RATE", raw)
    assert env_rate("X_RATE", "1/day") == expected


@pytest.mark.parametrize("raw", ["60", "0/hour", "60/fortnight", "many/hour"])
def test_it_fails_loudly_on_a_bad_rate(monkeypatch, raw):
    monkeypatch.setenv("X_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="X_RATE"):
        env_rate("X_RATE", "1/day")
