"""Crime Severity Score editions: loading the weights and choosing the active edition."""
import csv
import statistics
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from records.models import OffenceType
from scoring.models import CssEdition, OffenceWeight

DEFAULT_PATH = Path(settings.BASE_DIR) / "data" / "crime_severity" / "crime_severity_weights.csv"
DEFAULT_CODE = "ons-css-2020"
DEFAULT_LABEL = "ONS Crime Severity Score, 'current' edition downloaded late 2020 (release unverified)"
DEFAULT_SOURCE = (
    "ONS Crime Severity Score (experimental statistics) data tool cssdatatool.xls, sheet 'List of weights', "
    "'current' edition as downloaded in late 2020; the exact ONS release could not be verified. 134 of about "
    "250 codes: those matched to Home Office police recorded crime tables (see data/PROVENANCE.md section 1). "
    "Homicide = 7,973.39 in this edition (the 2016 edition has 7,979)."
)

# police.uk publishes anti-social behaviour beside crimes, but it is not a
# notifiable offence and has no CSS weight. It gets an offence type (so that
# ingestion can classify every police.uk row) and deliberately NO weight:
# CSS-weighted measures leave unweighted records out and the run counts them.
ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"

REQUIRED_COLUMNS = {
    "ho_offence_code", "offence_description", "css_weight", "ons_offence_group", "policeuk_crime_type",
}


class CssFileError(ValueError):
    pass


def policeuk_code(crime_type: str) -> str:
    return f"policeuk:{slugify(crime_type)}"


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise CssFileError(f"{path}: missing columns {', '.join(sorted(missing))}")
        rows = []
        for number, row in enumerate(reader, start=2):
            try:
                weight = float(row["css_weight"])
            except ValueError:
                raise CssFileError(f"{path} line {number}: css_weight {row['css_weight']!r} is not a number") from None
            if weight < 0 or not row["ho_offence_code"].strip():
                raise CssFileError(f"{path} line {number}: empty code or negative weight")
            rows.append({k: (v or "").strip() for k, v in row.items()} | {"css_weight": weight})
    return rows


@transaction.atomic
def css_edition_load(*, path: Path | str = DEFAULT_PATH, code: str = DEFAULT_CODE, label: str = DEFAULT_LABEL,
                     source: str = DEFAULT_SOURCE, activate: bool = False) -> CssEdition:
    """Load one edition's weights, and the police.uk approximations derived from them.

    Idempotent: loading the same file again updates rows in place. Offence
    types are shared by every edition; weights belong to this one.
    """
    rows = _read(Path(path))
    edition, _ = CssEdition.objects.update_or_create(code=code, defaults={"label": label, "source": source})
    by_type: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        offence, _ = OffenceType.objects.update_or_create(
            code=row["ho_offence_code"],
            defaults={
                "description": row["offence_description"][:300],
                "offence_group": row["ons_offence_group"][:200],
                "policeuk_crime_type": row["policeuk_crime_type"][:100],
                "is_approximation": False,
            },
        )
        OffenceWeight.objects.update_or_create(
            edition=edition, offence_type=offence, defaults={"weight": row["css_weight"], "method": ""}
        )
        if row["policeuk_crime_type"]:
            by_type[row["policeuk_crime_type"]].append(row["css_weight"])

    for crime_type, weights in sorted(by_type.items()):
        offence = _approximation(crime_type, f"{crime_type} (police.uk crime type, approximate weight)")
        OffenceWeight.objects.update_or_create(
            edition=edition, offence_type=offence,
            defaults={
                "weight": statistics.median(weights),
                "method": f"Median of the CSS weights of the {len(weights)} Home Office offence codes mapped to "
                          f"'{crime_type}' in this edition (unweighted by volume): an approximation.",
            },
        )
    _approximation(ANTI_SOCIAL_BEHAVIOUR, "Anti-social behaviour (not a notifiable offence: no CSS weight)")
    if activate:
        css_edition_activate(edition=edition)
    return edition


def _approximation(crime_type: str, description: str) -> OffenceType:
    offence, _ = OffenceType.objects.update_or_create(
        code=policeuk_code(crime_type),
        defaults={"description": description, "offence_group": "police.uk crime type",
                  "policeuk_crime_type": crime_type, "is_approximation": True},
    )
    return offence


@transaction.atomic
def css_edition_activate(*, edition: CssEdition) -> CssEdition:
    """Make ``edition`` the one active edition. Callers recompute the scores afterwards."""
    # Deactivate first: the partial unique constraint allows one active row at any moment.
    CssEdition.objects.filter(is_active=True).exclude(pk=edition.pk).update(is_active=False)
    CssEdition.objects.filter(pk=edition.pk).update(is_active=True)
    edition.is_active = True
    return edition


def policeuk_offence_type(crime_type: str) -> OffenceType | None:
    """The approximate offence type of a police.uk crime type, or None if unknown."""
    return OffenceType.objects.filter(policeuk_crime_type=crime_type.strip(), is_approximation=True).first()
