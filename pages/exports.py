"""Record exports of the pages: CSV and GeoJSON, streamed."""
import itertools
import json
from collections.abc import Iterable

from django.http import StreamingHttpResponse

from core.exports import csv_response

RECORD_COLUMNS = [
    ("id", "id"), ("kind", "kind"), ("source", "source"), ("external_ref", "external_ref"),
    ("occurred_on", "occurred_on"), ("month", "month"), ("lat", "lat"), ("lon", "lon"),
    ("command", "command__code"), ("sector", "sector__code"), ("area", "area__code"),
    ("offence_code", "offence_type__code"), ("offence", "offence_type__description"),
    ("weight_is_approximation", "offence_type__is_approximation"), ("css_weight", "weight"), ("harm", "harm"),
    ("drug_supply", "drug_supply"), ("cannabis_farm", "cannabis_farm"),
    ("firearms_discharge", "firearms_discharge"), ("upload", "upload_id"), ("synthetic", "is_synthetic"),
]


def record_rows(qs) -> Iterable[tuple]:
    """Rows of RECORD_COLUMNS from a queryset annotated with ``weight`` (one query, streamed)."""
    return qs.order_by("occurred_on", "id").values_list(*[c for _, c in RECORD_COLUMNS]).iterator(chunk_size=2000)


def nominal_month_rows(nominal_months) -> Iterable[tuple]:
    """Nominal-months as rows of RECORD_COLUMNS: kind ``nominal_month``, the reference (or "withheld"), the
    month and the harm; no place (a home is not an event's location)."""
    names = [h for h, _ in RECORD_COLUMNS]
    for m in nominal_months:
        row = dict.fromkeys(names, "")
        row.update(kind="nominal_month", source="nominals", external_ref=m.ref, month=m.month, harm=m.harm,
                   id="")
        yield tuple(row[n] for n in names)


def records_csv(filename: str, qs, nominal_months=()) -> StreamingHttpResponse:
    """The records (and the nominal-months the same filters list) as CSV: ``harm`` adds up to the figure."""
    return csv_response(filename, [h for h, _ in RECORD_COLUMNS],
                        itertools.chain(record_rows(qs), nominal_month_rows(nominal_months)))


def records_geojson(filename: str, qs) -> StreamingHttpResponse:
    """A FeatureCollection of the located records, streamed feature by feature."""
    names = [h for h, _ in RECORD_COLUMNS]

    def chunks():
        yield '{"type": "FeatureCollection", "features": ['
        first = True
        for row in record_rows(qs.filter(lat__isnull=False)):
            props = dict(zip(names, row))
            geometry = {"type": "Point", "coordinates": [props.pop("lon"), props.pop("lat")]}
            feature = {"type": "Feature", "geometry": geometry, "properties": props}
            yield ("" if first else ",") + json.dumps(feature, default=str)
            first = False
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

