from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.audit import audit_record
from core.exports import csv_response
from core.models import AuditEvent
from ingestion.permissions import (
    access_upload,
    can_use_uploads,
    may_process_again,
    upload_kinds_for,
    uploading_organisation,
)
from ingestion.reports import (
    ERROR_REPORT_HEADER,
    error_report_rows,
    status_payload,
    template_csv,
)
from ingestion.selectors import uploads_visible
from ingestion.services import (
    ReprocessRefused,
    UploadForceRefused,
    UploadRefused,
    UploadTooLarge,
    upload_create,
    upload_reprocess,
)
from pages.forms import UploadForm
from pages.http import get_only, post_only


def _uploads(request, **_) -> None:
    if not can_use_uploads(request.user):
        raise Http404


def _upload(request, upload_id, **_):
    return access_upload(request.user, upload_id)


def _may_process_again(request, upload_id) -> None:
    if not may_process_again(request.user, _upload(request, upload_id)):
        raise Http404


def _template(request, kind) -> None:
    if kind not in upload_kinds_for(uploading_organisation(request.user)):
        raise Http404


@get_only(_uploads)
def upload_list(request):
    if not can_use_uploads(request.user):
        raise Http404
    uploads = uploads_visible(user=request.user).select_related("organisation", "uploaded_by")[:200]
    return render(request, "ingestion/list.html", {"uploads": uploads})


def upload_new(request):
    organisation = uploading_organisation(request.user)
    kinds = upload_kinds_for(organisation)
    if not kinds:
        raise Http404
    # A body declared over the limit never gets here: core.middleware.RequestBodyLimitMiddleware
    # answers 413 before anything reads it. A file found over the limit while stored is refused below.
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        started = timezone.now()
        try:
            upload = upload_create(organisation=organisation, kind=form.cleaned_data["kind"],
                                   fileobj=form.cleaned_data["file"], original_name=form.cleaned_data["file"].name,
                                   user=request.user, options=form.options(), force_id=form.force_id())
        except UploadTooLarge:
            return render(request, "ingestion/too_large.html", {"limit": settings.UPLOAD_MAX_BYTES}, status=413)
        except UploadForceRefused as exc:
            # A force added since the form was shown: it asks for the force next time.
            form.add_error(None, str(exc))
        except UploadRefused as exc:
            form.add_error("kind", str(exc))
        else:
            if upload.created_at < started:
                messages.info(request, "This file was uploaded before: here is that upload.")
            return redirect("ingestion:detail", upload_id=upload.pk)
    return render(request, "ingestion/new.html", {"form": form, "kinds": kinds, "organisation": organisation,
                                                   "limit": settings.UPLOAD_MAX_BYTES})


@get_only(_upload)
def upload_detail(request, upload_id):
    upload = access_upload(request.user, upload_id)
    # Its report quotes the file's rows: a view is recorded, so the trail answers "who viewed this upload".
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="upload", object_id=upload.pk,
                 detail={"status": upload.status}, request=request)
    return render(request, "ingestion/detail.html", {"upload": upload, "status": status_payload(upload),
                                                      "may_process_again": may_process_again(request.user, upload)})


@post_only(_may_process_again)
def upload_process_again(request, upload_id):
    upload = access_upload(request.user, upload_id)
    if not may_process_again(request.user, upload):
        raise Http404
    try:
        upload_reprocess(upload_id=upload.pk, user=request.user)
    except ReprocessRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, "The upload will be processed again.")
    return redirect("ingestion:detail", upload_id=upload.pk)


@get_only(_upload)
def upload_status(request, upload_id):
    return JsonResponse(status_payload(access_upload(request.user, upload_id)))


@get_only(_upload)
def upload_report(request, upload_id):
    upload = access_upload(request.user, upload_id)
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="upload", object_id=upload.pk,
                 detail={"what": "error report", "errors": len(upload.errors)}, request=request)
    return csv_response(f"upload-{upload.pk}-report.csv", ERROR_REPORT_HEADER, error_report_rows(upload))


@get_only(_upload)
def upload_original(request, upload_id):
    upload = access_upload(request.user, upload_id)
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="upload", object_id=upload.pk,
                 detail={"what": "original file", "name": upload.original_name}, request=request)
    return FileResponse(upload.file.open("rb"), as_attachment=True, filename=upload.original_name,
                        content_type="application/octet-stream")


@get_only(_template)
def upload_template(request, kind):
    if kind not in upload_kinds_for(uploading_organisation(request.user)):
        raise Http404
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response
