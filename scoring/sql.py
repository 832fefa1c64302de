"""The SQL of the recompute: INSERT ... SELECT ... GROUP BY, portable to PostgreSQL and SQLite.

Every statement writes the cells of all four levels at once: the finest grain
(one group per neighbourhood, sector, command, month and record attributes) is
crossed with the four levels and grouped again by the area of each level.
Records are read once per recompute; the measures are joined to the grain,
which is thousands of rows, not to the records.

Table and column names come from the models; values are always parameters.
Only code constants (enum values) are written into the text.
"""
from datetime import date

from ingestion.models import Record, RecordKind
from nominals.models import Group, GroupType, LinkRole, Membership, Nominal, PriorityStatus, RecordNominal
from scoring.models import HarmScore, Measure, OffenceWeight
from sectors.models import Area, Level

RECORD = Record._meta.db_table
WEIGHT = OffenceWeight._meta.db_table
LINK = RecordNominal._meta.db_table
MEMBERSHIP = Membership._meta.db_table
GROUP = Group._meta.db_table
NOMINAL = Nominal._meta.db_table
PRIORITY = PriorityStatus._meta.db_table
MEASURE = Measure._meta.db_table
SCORE = HarmScore._meta.db_table
AREA = Area._meta.db_table

# Victims and witnesses are linked to a crime, but a crime does not become
# "linked to an OCG member" because the member was its victim or saw it.
EXCLUDED_LINK_ROLES = (LinkRole.VICTIM.value, LinkRole.WITNESS.value)
GROUP_TYPES = [t.value for t in GroupType]

LEVELS = (
    f"(SELECT {Level.FORCE.value} AS level UNION ALL SELECT {Level.COMMAND.value} "
    f"UNION ALL SELECT {Level.SECTOR.value} UNION ALL SELECT {Level.NEIGHBOURHOOD.value}) lv"
)

INSERT_INTO = (
    f"INSERT INTO {SCORE} (area_id, month, measure_id, edition_id, count, harm, harm_sq, max_item_harm, run_id) "
)


def _in(column: str, values: list) -> tuple[str, list]:
    if values is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _cell_area(prefix: str) -> str:
    """The area of a grain row at the level of ``lv``.

    The neighbourhood cell exists only when the smallest area really is a
    neighbourhood (a record outside every neighbourhood has its sector there).
    """
    return (
        f"CASE lv.level WHEN {Level.NEIGHBOURHOOD.value} THEN "
        f"(CASE WHEN a.level = {Level.NEIGHBOURHOOD.value} THEN {prefix}area_id END) "
        f"WHEN {Level.SECTOR.value} THEN {prefix}sector_id "
        f"WHEN {Level.COMMAND.value} THEN {prefix}command_id ELSE %s END"
    )


def records_insert(*, edition_id: int, run_id: int, force_id: int | None, months: list[date] | None,
                   cell_area_ids: list[int] | None) -> tuple[str, list]:
    """Cells of every measure counting records (sources "crimes" and "records")."""
    month_sql, month_params = _in("r.month", months)
    link_month_sql, link_month_params = _in("lr.month", months)
    cell_sql, cell_params = _in("c.cell_area_id", cell_area_ids)
    linked_cols = ", ".join(
        f"MAX(CASE WHEN g.group_type = '{t}' THEN 1 ELSE 0 END) AS {t}" for t in GROUP_TYPES
    )
    grain_linked = ", ".join(f"COALESCE(lk.{t}, 0) AS {t}" for t in GROUP_TYPES)
    grain_linked_group = ", ".join(f"COALESCE(lk.{t}, 0)" for t in GROUP_TYPES)
    flag_match = " OR ".join(f"(m.flag = '{f.value}' AND g.{f.value})" for f in Measure.Flag)
    link_match = " OR ".join(f"(m.linked_group_type = '{t}' AND g.{t} = 1)" for t in GROUP_TYPES)
    css, fixed = Measure.Weighting.CSS.value, Measure.Weighting.FIXED.value
    sql = INSERT_INTO + f"""
SELECT c.cell_area_id, c.month, c.measure_id, %s, SUM(c.n), SUM(c.harm), SUM(c.harm_sq), MAX(c.max_w), %s
FROM (
  SELECT {_cell_area("g.")} AS cell_area_id, g.month, m.id AS measure_id,
         CASE WHEN m.weighting = '{css}' THEN g.n_weighted ELSE g.n END AS n,
         CASE WHEN m.weighting = '{css}' THEN g.harm ELSE g.n * m.fixed_weight END AS harm,
         CASE WHEN m.weighting = '{css}' THEN g.harm_sq ELSE g.n * m.fixed_weight * m.fixed_weight END AS harm_sq,
         CASE WHEN m.weighting = '{css}' THEN g.max_w ELSE m.fixed_weight END AS max_w
  FROM (
    SELECT r.area_id, r.sector_id, r.command_id, r.month, r.kind,
           r.drug_supply, r.cannabis_farm, r.firearms_discharge, {grain_linked},
           COUNT(*) AS n, COUNT(w.weight) AS n_weighted,
           COALESCE(SUM(w.weight), 0) AS harm, COALESCE(SUM(w.weight * w.weight), 0) AS harm_sq,
           COALESCE(MAX(w.weight), 0) AS max_w
    FROM {RECORD} r
    LEFT JOIN {WEIGHT} w ON w.offence_type_id = r.offence_type_id AND w.edition_id = %s
    LEFT JOIN (
      SELECT rn.record_id, {linked_cols}
      FROM {LINK} rn
      JOIN {RECORD} lr ON lr.id = rn.record_id
      JOIN {MEMBERSHIP} ms ON ms.nominal_id = rn.nominal_id
      JOIN {GROUP} g ON g.id = ms.group_id
      WHERE rn.role NOT IN (%s, %s)
        AND ms.started_on <= lr.occurred_on AND (ms.ended_on IS NULL OR ms.ended_on >= lr.occurred_on)
        {link_month_sql}
      GROUP BY rn.record_id
    ) lk ON lk.record_id = r.id
    WHERE r.area_id IS NOT NULL {month_sql}
    GROUP BY r.area_id, r.sector_id, r.command_id, r.month, r.kind,
             r.drug_supply, r.cannabis_farm, r.firearms_discharge, {grain_linked_group}
  ) g
  JOIN {MEASURE} m ON m.source IN ('{Measure.Source.CRIMES.value}', '{Measure.Source.RECORDS.value}')
    AND g.kind = CASE WHEN m.record_kind = '' THEN '{RecordKind.CRIME.value}' ELSE m.record_kind END
    AND (m.flag = '' OR {flag_match})
    AND (m.linked_group_type = '' OR {link_match})
    AND (m.weighting = '{css}' OR m.weighting = '{fixed}')
  LEFT JOIN {AREA} a ON a.id = g.area_id
  CROSS JOIN {LEVELS}
) c
WHERE c.cell_area_id IS NOT NULL {cell_sql}
GROUP BY c.cell_area_id, c.month, c.measure_id
HAVING SUM(c.n) > 0
"""
    # In the order of the text: the outer SELECT list, the level CASE, then the inner query.
    params = [edition_id, run_id, force_id, edition_id, *EXCLUDED_LINK_ROLES, *link_month_params,
              *month_params, *cell_params]
    return sql, params


def unweighted_count(*, edition_id: int, months: list[date] | None, kinds: list[str]) -> tuple[str, list]:
    """Located records of the kinds CSS measures count that have no weight in the edition."""
    month_sql, month_params = _in("r.month", months)
    kind_sql, kind_params = _in("r.kind", kinds)
    sql = (
        f"SELECT COUNT(*) FROM {RECORD} r LEFT JOIN {WEIGHT} w "
        f"ON w.offence_type_id = r.offence_type_id AND w.edition_id = %s "
        f"WHERE r.area_id IS NOT NULL AND w.id IS NULL {kind_sql} {month_sql}"
    )
    return sql, [edition_id, *kind_params, *month_params]


def nominals_insert(*, measure: Measure, edition_id: int, run_id: int, force_id: int | None,
                    months: list[tuple[date, date]], cell_area_ids: list[int] | None) -> tuple[str, list]:
    """Cells of one nominals measure: nominals holding a role at any time in a month, by home area."""
    roles = measure.role_list
    group_types = [r for r in roles if r in GROUP_TYPES]
    held = []
    params: list = []
    if group_types:
        held.append(
            f"EXISTS (SELECT 1 FROM {MEMBERSHIP} ms JOIN {GROUP} g ON g.id = ms.group_id "
            f"WHERE ms.nominal_id = n.id AND g.group_type IN ({', '.join(['%s'] * len(group_types))}) "
            f"AND ms.started_on <= mo.month_end AND (ms.ended_on IS NULL OR ms.ended_on >= mo.month))"
        )
        params += group_types
    if "priority" in roles:
        held.append(
            f"EXISTS (SELECT 1 FROM {PRIORITY} p WHERE p.nominal_id = n.id "
            f"AND p.started_on <= mo.month_end AND (p.ended_on IS NULL OR p.ended_on >= mo.month))"
        )
    month_rows = " UNION ALL ".join(["SELECT %s AS month, %s AS month_end"] * len(months))
    month_params = [d for pair in months for d in pair]
    cell_sql, cell_params = _in("c.cell_area_id", cell_area_ids)
    weight = float(measure.fixed_weight)
    sql = INSERT_INTO + f"""
SELECT c.cell_area_id, c.month, %s, %s, COUNT(*), COUNT(*) * %s, COUNT(*) * %s, %s, %s
FROM (
  SELECT {_cell_area("it.home_")} AS cell_area_id, it.month
  FROM (
    SELECT n.home_area_id, n.home_sector_id, n.home_command_id, mo.month
    FROM {NOMINAL} n CROSS JOIN ({month_rows}) mo
    WHERE n.home_area_id IS NOT NULL AND ({" OR ".join(held)})
  ) it
  LEFT JOIN {AREA} a ON a.id = it.home_area_id
  CROSS JOIN {LEVELS}
) c
WHERE c.cell_area_id IS NOT NULL {cell_sql}
GROUP BY c.cell_area_id, c.month
"""
    return sql, [measure.id, edition_id, weight, weight * weight, weight, run_id, force_id, *month_params,
                 *params, *cell_params]


def cells_delete(*, months: list[date] | None, cell_area_ids: list[int] | None) -> tuple[str, list]:
    # Raw, so that it stays one statement whatever signals are ever connected to HarmScore.
    month_sql, month_params = _in("month", months)
    cell_sql, cell_params = _in("area_id", cell_area_ids)
    return f"DELETE FROM {SCORE} WHERE 1 = 1 {month_sql} {cell_sql}", [*month_params, *cell_params]
