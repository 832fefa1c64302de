"""JSON API of partner uploads: send a file (queued for processing as the upload page does), list the
uploads one may see, and poll one's status and row report (ingestion.selectors and ingestion.permissions)."""
from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes, throttle_classes, throttle_scope
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.pagination import Pagination
from api.permissions import MayReadUpload, MayUseUploads
from api.schema import FIELD_ERRORS
from api.throttles import UploadThrottle
from core.audit import audit_record
from core.models import AuditEvent
from ingestion.models import Upload, UploadKind
from ingestion.permissions import upload_kinds_for, uploading_organisation
from ingestion.reports import status_payload
from ingestion.selectors import uploads_visible
from ingestion.services import UploadForceRefused, UploadRefused, UploadTooLarge, upload_create
from pages.forms import UploadForm

STATUS_FIELDS = {
    "id": serializers.IntegerField(), "status": serializers.ChoiceField(choices=Upload.Status.choices),
    "running": serializers.BooleanField(), "rows_total": serializers.IntegerField(),
    "rows_validated": serializers.IntegerField(), "rows_applied": serializers.IntegerField(),
    "rows_unchanged": serializers.IntegerField(), "rows_unlocated": serializers.IntegerField(),
    "rows_skipped": serializers.IntegerField(), "error_count": serializers.IntegerField(),
}
SUMMARY_FIELDS = {
    **STATUS_FIELDS, "url": serializers.URLField(), "kind": serializers.CharField(),
    "organisation": serializers.CharField(),
    "force": serializers.CharField(allow_null=True, help_text="The code of the force the file is for"),
    "original_name": serializers.CharField(),
    "uploaded_by": serializers.CharField(allow_null=True), "created_at": serializers.DateTimeField(),
    "finished_at": serializers.DateTimeField(allow_null=True),
}
PAGE = [OpenApiParameter("limit", int, description=f"Uploads per response (default {Pagination.default_limit}, "
                                                   f"at most {Pagination.max_limit})"),
        OpenApiParameter("offset", int, description="The first upload to return (0-based)")]
UploadSummary = inline_serializer("UploadSummary", fields=SUMMARY_FIELDS)
UploadDetail = inline_serializer("UploadDetail", fields={
    **SUMMARY_FIELDS,
    "errors": inline_serializer("UploadError", many=True, fields={
        "row": serializers.IntegerField(allow_null=True), "column": serializers.CharField(allow_null=True),
        "message": serializers.CharField()}),
    "errors_kept": serializers.IntegerField(help_text="The errors listed: at most the first ones of error_count"),
    "failure": serializers.CharField(help_text="An unexpected failure (not a validation error), or empty"),
})


def _summary(request, upload: Upload) -> dict:
    return {**status_payload(upload), "url": reverse("api-upload", args=[upload.pk], request=request),
            "kind": upload.kind, "organisation": upload.organisation.code,
            "force": upload.force.code if upload.force_id else None, "original_name": upload.original_name,
            "uploaded_by": upload.uploaded_by.get_username() if upload.uploaded_by else None,
            "created_at": upload.created_at, "finished_at": upload.finished_at}


def _create(request) -> Response:
    organisation = uploading_organisation(request.user)
    kinds = upload_kinds_for(organisation)
    if not kinds:
        raise NotFound()
    form = UploadForm(request.data, request.FILES, kinds=kinds)
    if not form.is_valid():
        return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
    file = form.cleaned_data["file"]
    started = timezone.now()
    try:
        upload = upload_create(organisation=organisation, kind=form.cleaned_data["kind"], fileobj=file,
                               original_name=file.name, user=request.user, options=form.options(),
                               force_id=form.force_id())
    except UploadTooLarge:
        return Response({"file": [f"Larger than {settings.UPLOAD_MAX_BYTES:,} bytes"]},
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    except UploadForceRefused as exc:
        return Response({"force": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    except UploadRefused as exc:
        return Response({"kind": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    # The same file sent again is the earlier upload (as on the page): 200 with it, not a new one.
    earlier = upload.created_at < started
    return Response(_summary(request, upload), status=status.HTTP_200_OK if earlier else status.HTTP_201_CREATED)


@extend_schema(methods=["GET"], operation_id="uploads_list", parameters=PAGE, responses=inline_serializer("UploadList", fields={
    "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
    "previous": serializers.URLField(allow_null=True),
    "results": inline_serializer("UploadListItem", fields=SUMMARY_FIELDS, many=True)}),
               description="The uploads one may see, newest first: analysts every upload, partners their "
                           "organisation's.")
@extend_schema(methods=["POST"], operation_id="uploads_create", request={"multipart/form-data": inline_serializer("UploadCreate", fields={
    "kind": serializers.ChoiceField(choices=UploadKind.choices,
                                    help_text="What the file holds (the kinds one's organisation may send)"),
    "file": serializers.FileField(help_text="CSV (UTF-8) or XLSX; GeoJSON for boundaries"),
    "force": serializers.CharField(required=False, max_length=32, help_text=(
        "The code of the force (a level-0 area) whose data the file holds: required when the deployment "
        "holds several forces (400 without it or with a code that is not a force); ignored with one")),
    "level": serializers.ChoiceField(choices=[1, 2, 3], required=False, help_text="Boundaries only"),
    "code_property": serializers.CharField(required=False, max_length=60, help_text="Boundaries only"),
    "name_property": serializers.CharField(required=False, max_length=60, help_text="Boundaries only")})},
    responses={201: UploadSummary, 200: UploadSummary,
               413: OpenApiResponse(FIELD_ERRORS, "A file larger than the limit (UPLOAD_MAX_BYTES)")},
    description="Send a file: it is stored, queued and processed in the background; poll its `url`. The same "
                "file sent again answers 200 with the earlier upload. Throttled (scope `uploads`): 429.")
@api_view(["GET", "POST"])
@permission_classes([MayUseUploads])
@throttle_classes([UploadThrottle])
@throttle_scope("uploads")
@parser_classes([MultiPartParser])
def uploads(request):
    if request.method == "POST":
        return _create(request)
    rows = uploads_visible(user=request.user).select_related("organisation", "uploaded_by", "force") \
        .order_by("-created_at", "-id")
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response([_summary(request, u) for u in page])


@extend_schema(responses=UploadDetail, parameters=[OpenApiParameter("upload_id", int, OpenApiParameter.PATH)],
               description="One upload's status and row report (the first errors, row by row). Audited as a view "
                           "of the upload: its report quotes the file's rows.")
@api_view(["GET"])
@permission_classes([MayReadUpload])
def upload(request, upload_id: int):
    found = request.accessed
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="upload", object_id=found.pk,
                 detail={"api": True, "status": found.status}, request=request._request)
    return Response({**_summary(request, found), "errors": found.errors, "errors_kept": len(found.errors),
                     "failure": found.failure})
