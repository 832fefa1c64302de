"""The schema's error answers. Every operation of the API may answer 403 (no credentials, or a key that
is wrong or revoked) and 404 (missing, or not this user's to use: the same answer, never a 403 that
confirms it exists); one that reads input may answer 400 with the fields it refused; a throttled one
429. drf-spectacular documents only the successes it is told of, so they are added here, for every
operation, from the view itself (its parameters, its body, its throttles), and a new endpoint gets
them without saying so."""
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

PAGING = {"limit", "offset"}  # a bad limit or offset falls back to the default: never a 400


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# What DRF (a serializer) and a Django form both answer: each field refused, with its messages.
FIELD_ERRORS = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Each parameter or field refused, with why"}


class PortalAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:  # excluded from the schema
            return None
        errors = {
            "403": OpenApiResponse(ErrorSerializer, "No credentials, or a token that is wrong or revoked"),
            "404": OpenApiResponse(ErrorSerializer, "Missing, or not this user's to use: the same answer"),
        }
        inputs = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"} - PAGING
        if inputs or "requestBody" in operation:
            errors["400"] = OpenApiResponse(FIELD_ERRORS, "A parameter or field refused")
        if any(getattr(t, "methods", None) is None or self.method in t.methods for t in self.view.get_throttles()):
            errors["429"] = OpenApiResponse(ErrorSerializer, "Too many requests in a while: retry later")
        for code, response in errors.items():
            operation["responses"].setdefault(code, self._get_response_for_code(response, code))
        return operation
