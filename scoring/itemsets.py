"""Which measures count an item: one definition for the per-measure cells and the distinct totals.

The recompute packs what a measure can filter on into a small integer per item
(scoring.sql): for a record, its flags and the group types it is linked to on
its date; for a nominal-month, the roles held that month. Here every possible
(kind, bits) is mapped, in Python and without the database, to the measures
counting it and to the key of that set of measures. Unknown filter values
count nothing rather than everything.
"""
from collections.abc import Iterable

from records.models import RecordKind
from scoring import sql
from scoring.models import Measure


def _record_needs(measure: Measure) -> int | None:
    """The bits a record must have to be counted by ``measure``; None if nothing can match."""
    needed = 0
    if measure.flag:
        if measure.flag not in sql.FLAG_BITS:
            return None
        needed |= sql.FLAG_BITS[measure.flag]
    if measure.linked_group_type:
        if measure.linked_group_type not in sql.LINK_BITS:
            return None
        needed |= sql.LINK_BITS[measure.linked_group_type]
    return needed


def _role_mask(measure: Measure) -> int:
    return sum(sql.ROLE_BITS.get(role, 0) for role in set(measure.role_list))


def counts(measure: Measure, kind: str, bits: int) -> bool:
    """Does ``measure`` count an item of ``kind`` (a record kind, or "nominal") with these bits?"""
    if measure.source == Measure.Source.NOMINALS:
        mask = _role_mask(measure)
        return kind == sql.NOMINAL_KIND and measure.fixed_weight is not None and bool(bits & mask)
    if kind != (measure.record_kind or RecordKind.CRIME.value):
        return False
    if measure.weighting == Measure.Weighting.FIXED and measure.fixed_weight is None:
        return False
    needed = _record_needs(measure)
    return needed is not None and bits & needed == needed


def set_key(measure_ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(set(measure_ids)))


def bit_maps(measures: list[Measure]) -> tuple[list[tuple], list[tuple]]:
    """Rows (kind, bits, measure id) and (kind, bits, set key) for every (kind, bits) some measure counts."""
    kinds = sorted({m.record_kind or RecordKind.CRIME.value for m in measures
                    if m.source != Measure.Source.NOMINALS})
    space = [(kind, bits) for kind in kinds for bits in range(sql.RECORD_BITS)]
    space += [(sql.NOMINAL_KIND, bits) for bits in range(sql.NOMINAL_BITS)]
    measure_rows, set_rows = [], []
    for kind, bits in space:
        ids = [m.pk for m in measures if counts(m, kind, bits)]
        measure_rows += [(kind, bits, pk) for pk in ids]
        if ids:
            set_rows.append((kind, bits, set_key(ids)))
    return measure_rows, set_rows
