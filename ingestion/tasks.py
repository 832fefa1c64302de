"""Thin tasks: they take ids and call a service. Both are safe to run twice."""
from celery import shared_task

from ingestion.services import upload_process, uploads_dispatch_pending


@shared_task(name="ingestion.tasks.process_upload")
def process_upload(upload_id: int) -> str:
    return upload_process(upload_id=upload_id).status


@shared_task(name="ingestion.tasks.dispatch_pending")
def dispatch_pending() -> int:
    return uploads_dispatch_pending()
