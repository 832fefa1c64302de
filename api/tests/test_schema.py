"""The schema's error answers (api.schema): documented for every operation, from the view itself."""
from drf_spectacular.generators import SchemaGenerator

from sectors.models import Level


def _operations() -> dict[str, dict]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {f"{method.upper()} {path}": operation for path, item in schema["paths"].items()
            for method, operation in item.items()}


def test_every_operation_documents_the_refusals():
    for name, operation in _operations().items():
        for code in ("403", "404"):
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Error"}, name


def test_a_400_is_documented_where_input_is_read_and_a_429_where_it_is_throttled():
    operations = _operations()
    with_400 = {name for name, operation in operations.items() if "400" in operation["responses"]}
    with_429 = {name for name, operation in operations.items() if "429" in operation["responses"]}
    assert "GET /api/rankings/" in with_400 and "POST /api/uploads/" in with_400
    assert not {"GET /api/editions/", "GET /api/packs/", "GET /api/packs/{pack_id}/"} & with_400  # paging only
    # The searches and the uploads are throttled; reading uploads is not.
    assert with_429 == {"GET /api/records/", "GET /api/nominals/", "POST /api/uploads/"}


def test_the_upload_is_a_binary_file_of_a_known_kind():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["components"]["schemas"]["UploadCreateRequest"]["properties"]
    assert body["file"] == {"type": "string", "format": "binary", "description": body["file"]["description"]}
    assert "drug_deaths" in schema["components"]["schemas"]["UploadCreateKindEnum"]["enum"]


def test_a_bad_level_of_areas_is_refused_in_the_documented_shape(client, analyst):
    client.force_login(analyst)
    response = client.get("/api/areas/", {"level": 9})
    assert response.status_code == 400
    assert response.json() == {"level": [f"one of {Level.values}"]}
