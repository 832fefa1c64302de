"""The method page: every measure, the CSS edition in force and the tests, as they are in the database."""
from django.db.models import Count, Max, Min, Q
from django.http import Http404

from nominals.models import GroupType
from records.models import RecordKind
from scoring import formulas
from scoring.models import CssEdition, Measure
from scoring.permissions import can_see_rankings

ROLE_WORDS = {"ocg": "member of an organised crime group", "ucg": "member of an urban crime group",
              "pcg": "member of a peer crime group", "priority": "priority individual"}


def measure_definition(measure: Measure) -> str:
    """What a measure counts, in words, from its source and filters (the fields the recompute uses)."""
    if measure.source == Measure.Source.NOMINALS:
        roles = " or ".join(ROLE_WORDS.get(r, r) for r in measure.role_list) or "no role"
        return (f"Each nominal who is a {roles}, once for every month they hold the role, "
                f"counted in the area they live in.")
    kind = RecordKind(measure.record_kind).label if measure.record_kind else RecordKind.CRIME.label
    words = f"Each {kind} record" if measure.source == Measure.Source.RECORDS else f"Each {kind}"
    if measure.flag:
        words += f" flagged {Measure.Flag(measure.flag).label}"
    if measure.linked_group_type:
        words += (f" linked (as suspect, offender or associate: not as victim or witness) to someone who was a "
                  f"member of an {GroupType(measure.linked_group_type).label} on the date of the crime")
    return words + ", counted in the area where it happened."


def measure_weight(measure: Measure) -> str:
    if measure.weighting == Measure.Weighting.CSS:
        return "the Crime Severity Score of the offence, in the edition in force"
    return f"{measure.fixed_weight:,.2f} per item"


def method_page(*, user) -> dict:
    """The measures (active first), the edition in force with its provenance, other editions, the tests.

    Three queries: measures, editions with their weight counts, the range of the weights in force.
    """
    if not can_see_rankings(user):
        raise Http404("No such page")
    measures = [{"measure": m, "definition": measure_definition(m), "weight": measure_weight(m),
                 "harm_type": Measure.HarmType(m.harm_type).label}
                for m in Measure.objects.order_by("-is_active", "display_order", "code")]
    editions = list(CssEdition.objects.annotate(
        weights_count=Count("weights"),
        approximations=Count("weights", filter=Q(weights__offence_type__is_approximation=True)),
    ).order_by("-is_active", "-loaded_at"))
    active = next((e for e in editions if e.is_active), None)
    weights = active.weights.aggregate(low=Min("weight"), high=Max("weight")) if active else {}
    return {
        "measures": measures,
        "active_measures": [m for m in measures if m["measure"].is_active],
        "edition": active, "weights": weights,
        "other_editions": [e for e in editions if not e.is_active],
        "harm_types": [{"value": value, "label": label,
                        "measures": [m["measure"] for m in measures
                                     if m["measure"].harm_type == value and m["measure"].is_active]}
                       for value, label in Measure.HarmType.choices],
        "significant_z": formulas.SIGNIFICANT_Z, "significant_p": formulas.SIGNIFICANT_P,
    }
