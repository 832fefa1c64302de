"""The nine SOC harm measures, plus all recorded crime (police.uk) for context.

Fixed weights are in CSS units (edition ons-css-2020) so that they add up with
crime harm; each carries its rationale. They are data: an administrator can
change them, and docs/scoring.md explains each one.
"""
from django.db import migrations

TRAFFICKING_92A = 512.9573593857484  # CSS: trafficking in controlled drugs
ASSAULT_WITH_INJURY_8N = 189.15388706397988  # CSS: assault with injury
DEATH_DRINK_DRUGS_4_6 = 1512.0027972027972  # CSS 4.6: causing death by careless driving under the influence of drink or drugs
FIREARMS_POSSESSION_10B = 412.2023946087773  # CSS 10B: possession of firearms offences

MEASURES = [
    dict(
        code="ocg-linked-crime", name="Crimes linked to OCG members", display_order=10,
        description="Force crimes with a linked nominal (any role but victim or witness) who was a member of an "
                    "organised crime group on the date of the crime. Each crime counts once.",
        source="crimes", linked_group_type="ocg", weighting="css", harm_type="victim",
    ),
    dict(
        code="pcg-linked-crime", name="Crimes linked to peer crime group members", display_order=20,
        description="Force crimes with a linked nominal (any role but victim or witness) who was a member of a "
                    "peer crime group on the date of the crime. Each crime counts once.",
        source="crimes", linked_group_type="pcg", weighting="css", harm_type="victim",
    ),
    dict(
        code="drug-supply", name="Drug supply offences", display_order=30,
        description="Force crimes flagged as drug supply.",
        source="crimes", flag="drug_supply", weighting="css", harm_type="police",
    ),
    dict(
        code="cannabis-farms", name="Cannabis farms", display_order=40,
        description="Force crimes flagged as a cannabis farm.",
        source="crimes", flag="cannabis_farm", weighting="css", harm_type="police",
    ),
    dict(
        code="firearms-discharges", name="SOC-related firearms discharges", display_order=50,
        description="Force crimes flagged as a firearms discharge.",
        source="crimes", flag="firearms_discharge", weighting="css", harm_type="victim",
    ),
    dict(
        code="ocg-priority-nominals", name="OCG members and priority individuals", display_order=60,
        description="Nominals whose home is in the area and who were an OCG member or a priority individual at "
                    "any time in the month. Each nominal counts once a month.",
        source="nominals", nominal_roles="ocg,priority", weighting="fixed",
        fixed_weight=round(TRAFFICKING_92A / 12, 2), harm_type="police",
        weight_rationale="One twelfth of the CSS weight of trafficking in controlled drugs (92A, 512.96) per "
                         "member-month: a year of membership weighs one typical OCG offence. The business of "
                         "most OCGs is drug supply, and the weight is per month because a member is counted "
                         "every month they hold the role.",
    ),
    dict(
        code="ucg-pcg-nominals", name="Urban and peer crime group members", display_order=70,
        description="Nominals whose home is in the area and who were a member of an urban or peer crime group "
                    "at any time in the month. Each nominal counts once a month.",
        source="nominals", nominal_roles="ucg,pcg", weighting="fixed",
        fixed_weight=round(ASSAULT_WITH_INJURY_8N / 12, 2), harm_type="police",
        weight_rationale="One twelfth of the CSS weight of assault with injury (8N, 189.15) per member-month: "
                         "a year of membership weighs one street-violence offence, the typical harm of these "
                         "groups, below an OCG member.",
    ),
    dict(
        code="drug-related-deaths", name="Drug-related deaths", display_order=80,
        description="Drug-related deaths reported by the Coroner, placed where the death occurred.",
        source="records", record_kind="drug_death", weighting="fixed",
        fixed_weight=round(DEATH_DRINK_DRUGS_4_6, 2), harm_type="victim",
        weight_rationale="The CSS weight of causing death by careless driving under the influence of drink or "
                         "drugs (4.6, 1,512.00): the CSS offence closest to a death brought about by drugs "
                         "without intent to kill. Homicide (7,973) would treat every death as a killing; "
                         "trafficking (512.96) would value a life below the supply that ended it.",
    ),
    dict(
        code="firearms-intel", name="Firearms intelligence reports", display_order=90,
        description="Firearms intelligence reports, placed where the report locates the firearm.",
        source="records", record_kind="firearms_intel", weighting="fixed",
        fixed_weight=round(FIREARMS_POSSESSION_10B, 2), harm_type="police",
        weight_rationale="The CSS weight of possession of firearms offences (10B, 412.20): each report is taken "
                         "to stand for one firearm in criminal hands. It overstates where reports are duplicates "
                         "or unfounded; review it against local grading of intelligence.",
    ),
    dict(
        code="all-crime-policeuk", name="All recorded crime (police.uk)", display_order=200,
        description="Every police.uk street-level crime, weighted by the approximate CSS weight of its crime type "
                    "(median of the CSS weights of the offences in the type). Not part of the SOC harm score: "
                    "shown beside it for context. Anti-social behaviour has no weight and is left out.",
        source="crimes", record_kind="policeuk", weighting="css", harm_type="victim", is_active=False,
    ),
]


def forwards(apps, schema_editor):
    Measure = apps.get_model("scoring", "Measure")
    for spec in MEASURES:
        spec = dict(spec)
        Measure.objects.update_or_create(code=spec.pop("code"), defaults=spec)


def backwards(apps, schema_editor):
    Measure = apps.get_model("scoring", "Measure")
    Measure.objects.filter(code__in=[m["code"] for m in MEASURES]).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_measure_choices_and_run_counts")]
    operations = [migrations.RunPython(forwards, backwards)]
