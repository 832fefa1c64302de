import pytest
from django.core.management import CommandError, call_command

from records.models import Record
from tests.factories import policeuk_file, policeuk_row

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("force_area")
def test_it_ingests_a_file_and_prints_the_report(tmp_path, capsys):
    path = tmp_path / "street.csv"
    path.write_bytes(policeuk_file([policeuk_row("a1"), policeuk_row("", crime_type="Anti-social behaviour")]))
    call_command("ingest", str(path), kind="policeuk", org="force")
    out = capsys.readouterr().out
    assert "policeuk applied" in out and "applied 1" in out and "skipped 1" in out
    assert Record.objects.count() == 1
    call_command("ingest", str(path), kind="policeuk", org="force")
    assert "uploaded before" in capsys.readouterr().out


def test_it_exits_non_zero_on_a_rejected_file(tmp_path, capsys):
    path = tmp_path / "street.csv"
    path.write_bytes(policeuk_file([policeuk_row("a1", month="never")]))
    with pytest.raises(CommandError) as error:
        call_command("ingest", str(path), kind="policeuk", org="force")
    assert error.value.returncode == 1
    assert "row 2 Month: 'never' is not a month" in capsys.readouterr().out
    assert not Record.objects.exists()


def test_it_refuses_a_kind_the_organisation_may_not_send(tmp_path):
    path = tmp_path / "street.csv"
    path.write_bytes(policeuk_file([policeuk_row("a1")]))
    with pytest.raises(CommandError, match="may not upload"):
        call_command("ingest", str(path), kind="policeuk", org="coroner")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("ingest", str(path), kind="policeuk", org="nobody")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the child process commits
def test_it_exits_non_zero_from_the_shell(tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings

    path = tmp_path / "bad.csv"
    path.write_bytes(b"not,a,police,file\n1,2,3,4\n")
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):  # the test database is a file (see conftest.py)
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + db["NAME"]
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(tmp_path)}
    result = subprocess.run([sys.executable, "manage.py", "ingest", "--kind", "policeuk", str(path)],
                            capture_output=True, text=True, env=env, cwd=settings.BASE_DIR)
    assert result.returncode == 1, result.stderr
    assert "Wrong header" in result.stdout
