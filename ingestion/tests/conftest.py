import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ingestion.services import upload_create, upload_process
from core.models import Organisation


@pytest.fixture(autouse=True)
def fast_test_settings(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The cast's passwords are hashed on every test: a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def force():
    return Organisation.objects.get(code="force")


@pytest.fixture
def coroner():
    return Organisation.objects.get(code="coroner")


@pytest.fixture
def crimestoppers():
    return Organisation.objects.get(code="crimestoppers")


@pytest.fixture
def ingest(force, analyst):
    """Upload bytes as the force (or another organisation) and process them synchronously."""

    def run(kind, data: bytes, *, name="file.csv", organisation=None, user=None, options=None):
        upload = upload_create(
            organisation=organisation or force, kind=kind, fileobj=io.BytesIO(data), original_name=name,
            user=user or analyst, options=options, dispatch=False,
        )
        return upload_process(upload_id=upload.pk)

    return run


def uploaded(data: bytes, name="file.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")
