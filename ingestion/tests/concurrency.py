"""Two uploads applied at once, each on its own connection, both entering their apply together."""
import threading

from django.db import connection

from ingestion.models import Upload
from ingestion.services import upload_process
from ingestion.services.processing import Run


def apply_together(uploads, monkeypatch) -> None:
    """Apply ``uploads`` in threads that meet before taking their apply lock; fails unless all applied."""
    together, lock = threading.Barrier(len(uploads)), Run.lock

    def lock_together(run, **kwargs):
        together.wait(timeout=30)
        lock(run, **kwargs)

    monkeypatch.setattr(Run, "lock", lock_together)
    statuses = {}

    def apply(upload):
        try:
            statuses[upload.pk] = upload_process(upload_id=upload.pk).status
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(upload,)) for upload in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == {upload.pk: Upload.Status.APPLIED for upload in uploads}, [
        Upload.objects.get(pk=u.pk).failure[-300:] for u in uploads]
