"""The OpenAPI schema as a page of the portal: every operation with its parameters and responses,
and every schema with its fields, rendered on the server from the same generator as /api/schema/
(no Swagger UI, nothing from a CDN, no script)."""
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response

METHODS = ("get", "post", "put", "patch", "delete")


def _type(schema: dict) -> str:
    """A field's type in words: "integer", "array of RankingRow", "string (date), or null"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema or "oneOf" in schema:
        return " or ".join(_type(s) for s in schema.get("allOf") or schema.get("oneOf"))
    kind = schema.get("type", "any")
    if kind == "array":
        kind = f"array of {_type(schema.get('items', {}))}"
    elif kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        kind = f"object of {_type(extra) if isinstance(extra, dict) else 'any'}"
    if schema.get("format"):
        kind += f" ({schema['format']})"
    if schema.get("enum"):
        kind += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if schema.get("nullable"):
        kind += ", or null"
    return kind


def schema_outline(schema: dict) -> dict:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [{"name": p["name"], "where": p["in"], "required": p.get("required", False),
                           "type": _type(p.get("schema", {})), "description": p.get("description", "")}
                          for p in operation.get("parameters", [])]
            responses = []
            for status, response in operation.get("responses", {}).items():
                bodies = [c.get("schema", {}) for c in response.get("content", {}).values()]
                refs = {b["$ref"].rsplit("/", 1)[-1] for b in bodies if "$ref" in b}
                responses.append({"status": status, "description": response.get("description", ""),
                                  "type": ", ".join(sorted({_type(b) for b in bodies})),
                                  "ref": refs.pop() if len(refs) == 1 else ""})
            operations.append({"id": operation.get("operationId", f"{method}-{path}"), "method": method.upper(),
                               "path": path, "description": operation.get("description", ""),
                               "parameters": parameters, "responses": responses})
    components = []
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        required = set(component.get("required", []))
        components.append({"name": name, "description": component.get("description", ""), "fields": [
            {"name": field, "type": _type(spec), "required": field in required,
             "description": spec.get("description", ""), "read_only": spec.get("readOnly", False)}
            for field, spec in component.get("properties", {}).items()]})
    info = schema.get("info", {})
    return {"title": info.get("title", ""), "version": info.get("version", ""),
            "description": info.get("description", ""), "operations": operations, "components": components}


@extend_schema(exclude=True)
@api_view(["GET"])
@renderer_classes([TemplateHTMLRenderer])
def api_docs(request):
    schema = SchemaGenerator().get_schema(request=request, public=True)
    return Response({"outline": schema_outline(schema)}, template_name="api/docs.html")
