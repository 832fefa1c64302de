import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list


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
