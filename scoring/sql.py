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

from django.db import connection

from nominals.models import (
    Group,
    GroupType,
    LinkRole,
    Membership,
    Nominal,
    PriorityStatus,
    RecordNominal,
)
from records.models import Record
from scoring.models import HarmScore, Measure, OffenceWeight, TotalScore
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
TOTAL = TotalScore._meta.db_table
AREA = Area._meta.db_table

# Victims and witnesses are linked to a crime, but a crime does not become
# "linked to an OCG member" because the member was its victim or saw it.
EXCLUDED_LINK_ROLES = (LinkRole.VICTIM.value, LinkRole.WITNESS.value)
GROUP_TYPES = [t.value for t in GroupType]

LEVELS = (
    f"(SELECT {Level.FORCE.value} AS level UNION ALL SELECT {Level.COMMAND.value} "
    f"UNION ALL SELECT {Level.SECTOR.value} UNION ALL SELECT {Level.NEIGHBOURHOOD.value}) lv"
)

NEW_CELLS = "scoring_new_cells"
INSERT_INTO = f"INSERT INTO {NEW_CELLS} (force_id, area_id, month, measure_id, count, harm, harm_sq, max_item_harm) "
CELL_COLUMNS = ("count", "harm", "harm_sq", "max_item_harm")


def _in(column: str, values: list | None) -> tuple[str, list]:
    """`` AND column IN (...)``; nothing for None (no filter), a false condition for an empty list."""
    if values is None:
        return "", []
    if not values:
        return " AND 1 = 0", []
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
        f"WHEN {Level.COMMAND.value} THEN {prefix}command_id ELSE {prefix}force_id END"
    )


# Each record's filter attributes packed in one integer, so the grain groups by
# one small key instead of six: flags first, then the group types it is linked to.
# A nominal-month packs the roles held in that month the same way.
FLAG_BITS = {Measure.Flag.DRUG_SUPPLY.value: 1, Measure.Flag.CANNABIS_FARM.value: 2,
             Measure.Flag.FIREARMS_DISCHARGE.value: 4}
LINK_BITS = {t: 8 << i for i, t in enumerate(GROUP_TYPES)}
RECORD_BITS = 8 << len(GROUP_TYPES)  # every record bit pattern is below this
ROLE_BITS = {**{t: 1 << i for i, t in enumerate(GROUP_TYPES)}, "priority": 1 << len(GROUP_TYPES)}
NOMINAL_BITS = 2 << len(GROUP_TYPES)
NOMINAL_KIND = "nominal"  # the grain's kind for nominal-months
GRAIN = "scoring_grain"
BIT_MEASURE = "scoring_bit_measure"
BIT_SET = "scoring_bit_set"


def record_grain_create(*, edition_id: int, months: list[date] | None, kinds: list[str],
                        force_id: int | None = None) -> tuple[str, list]:
    """A temporary table of the records in scope grouped to the finest grain the measures need.

    One row per neighbourhood, sector, command, month, kind and attribute bits,
    with the count, the count of weighted records and the sum, sum of squares
    and max of the active edition's weights. Two disjoint parts, each reading the
    records once: the plain records (no flag, no link in a role that counts: almost all of
    them), grouped by their five place and time columns, which the planner estimates from the
    records' extended statistics (records migration 0003) and so aggregates in parallel
    workers (a CREATE TABLE ... AS may run in parallel on PostgreSQL; an INSERT cannot); and the
    few flagged or linked ones, with their flags and the group types they are linked to on
    their date packed into the bits. ``force_id``: that force's records only.
    """
    month_sql, month_params = _in("r.month", months)
    kind_sql, kind_params = _in("r.kind", kinds)
    force_sql, force_params = _in("r.force_id", None if force_id is None else [force_id])
    flag_bits = " + ".join(f"CASE WHEN r.{flag} THEN {bit} ELSE 0 END" for flag, bit in FLAG_BITS.items())
    link_bits = " + ".join(f"MAX(CASE WHEN g.group_type = '{t}' THEN {bit} ELSE 0 END)"
                           for t, bit in LINK_BITS.items())
    flagged = " OR ".join(f"r.{flag}" for flag in FLAG_BITS)
    linked = (f"EXISTS (SELECT 1 FROM {LINK} rn WHERE rn.record_id = r.id AND rn.force_id = r.force_id "
              "AND rn.role NOT IN (%s, %s))")
    scope = ("(r.area_id IS NOT NULL OR r.sector_id IS NOT NULL OR r.command_id IS NOT NULL)"
             f"{force_sql}{kind_sql}{month_sql}")
    sums = ("CAST(COUNT(*) AS integer) AS n, CAST(COUNT(w.weight) AS integer) AS n_weighted, "
            "COALESCE(SUM(w.weight), 0) AS harm, COALESCE(SUM(w.weight * w.weight), 0) AS harm_sq, "
            "COALESCE(MAX(w.weight), 0) AS max_w")
    weight = f"LEFT JOIN {WEIGHT} w ON w.offence_type_id = r.offence_type_id AND w.edition_id = %s"
    columns = "r.force_id, r.area_id, r.sector_id, r.command_id, r.month, r.kind"
    sql = f"""
CREATE TEMPORARY TABLE {GRAIN} AS
SELECT {columns}, 0 AS bits, {sums}
FROM {RECORD} r {weight}
WHERE {scope} AND NOT ({flagged}) AND NOT {linked}
GROUP BY {columns}
UNION ALL
SELECT {columns}, r.bits, {sums}
FROM (
  SELECT {columns}, r.offence_type_id, {flag_bits} + COALESCE((
    SELECT {link_bits}
    FROM {LINK} rn
    JOIN {MEMBERSHIP} ms ON ms.nominal_id = rn.nominal_id
         AND ms.started_on <= r.occurred_on AND (ms.ended_on IS NULL OR ms.ended_on >= r.occurred_on)
    JOIN {GROUP} g ON g.id = ms.group_id
    WHERE rn.record_id = r.id AND rn.force_id = r.force_id AND rn.role NOT IN (%s, %s)), 0) AS bits
  FROM {RECORD} r
  WHERE {scope} AND ({flagged} OR {linked}) {_fence()}
) r {weight}
GROUP BY {columns}, r.bits
"""
    scope_params = [*force_params, *kind_params, *month_params]
    return sql, [edition_id, *scope_params, *EXCLUDED_LINK_ROLES,
                 *EXCLUDED_LINK_ROLES, *scope_params, *EXCLUDED_LINK_ROLES, edition_id]


def _fence() -> str:
    """Ends a subquery so that PostgreSQL plans it on its own ("OFFSET 0"): the flagged or linked records
    are a few %, but the planner cannot estimate an OR with a subquery, expects half the table and
    then reads every record through an index for its order. SQLite has no OFFSET without LIMIT."""
    return "OFFSET 0" if connection.vendor == "postgresql" else ""


def nominal_grain_create(*, months: list[tuple[date, date]], default_force_id: int | None,
                         force_id: int | None = None) -> tuple[str, list]:
    """The same grain for nominal-months: nominals by home and month, with the roles held that month.

    A nominal holds a role in a month when a membership of that group type (or a
    priority period) overlaps any day of it; every role held that month is one
    bit, so a nominal is one item per month however many periods they hold. A nominal's force is
    the force root above their home (nominals are not distributed: docs/scale.md, section 4); a
    home under no force root counts in ``default_force_id``, the deployment's only force (with
    several, such a nominal has no force and is left out). ``force_id``: that force's nominals only.
    """
    force_sql, force_params = ("", []) if force_id is None else (" AND COALESCE(t.force_id, %s) = %s",
                                                                 [default_force_id, force_id])
    role_bits = " + ".join(f"MAX(CASE WHEN pr.role = '{role}' THEN {bit} ELSE 0 END)"
                           for role, bit in ROLE_BITS.items())
    month_rows = " UNION ALL ".join(["SELECT %s AS month, %s AS month_end"] * len(months))
    month_params = [d for pair in months for d in pair]
    sql = f"""
CREATE TEMPORARY TABLE {GRAIN} AS
WITH RECURSIVE tree (id, force_id) AS (
  SELECT id, id FROM {AREA} WHERE parent_id IS NULL AND level = {Level.FORCE.value}
  UNION ALL
  SELECT a.id, t.force_id FROM {AREA} a JOIN tree t ON a.parent_id = t.id
)
SELECT COALESCE(t.force_id, %s) AS force_id, n.home_area_id AS area_id, n.home_sector_id AS sector_id,
       n.home_command_id AS command_id,
       held.month AS month, '{NOMINAL_KIND}' AS kind, held.bits AS bits,
       CAST(COUNT(*) AS integer) AS n, CAST(0 AS integer) AS n_weighted, CAST(0 AS double precision) AS harm,
       CAST(0 AS double precision) AS harm_sq, CAST(0 AS double precision) AS max_w
FROM (
  SELECT pr.nominal_id, mo.month, {role_bits} AS bits
  FROM (
    SELECT ms.nominal_id, g.group_type AS role, ms.started_on, ms.ended_on
    FROM {MEMBERSHIP} ms JOIN {GROUP} g ON g.id = ms.group_id
    UNION ALL
    SELECT p.nominal_id, 'priority' AS role, p.started_on, p.ended_on FROM {PRIORITY} p
  ) pr
  JOIN ({month_rows}) mo ON pr.started_on <= mo.month_end AND (pr.ended_on IS NULL OR pr.ended_on >= mo.month)
  GROUP BY pr.nominal_id, mo.month
) held
JOIN {NOMINAL} n ON n.id = held.nominal_id
LEFT JOIN tree t ON t.id = COALESCE(n.home_command_id, n.home_sector_id, n.home_area_id)
WHERE (n.home_area_id IS NOT NULL OR n.home_sector_id IS NOT NULL OR n.home_command_id IS NOT NULL)
  AND COALESCE(t.force_id, %s) IS NOT NULL{force_sql}
GROUP BY COALESCE(t.force_id, %s), n.home_area_id, n.home_sector_id, n.home_command_id, held.month, held.bits
"""
    return sql, [default_force_id, *month_params, default_force_id, *force_params, default_force_id]


def located_span(*, kinds: list[str], force_id: int | None = None) -> tuple[str, list]:
    """The first and last month of a located record (of ``force_id``'s records: every force's for None):
    one MIN and one MAX per kind, each of which the (kind, month) index answers by reading from one
    end until a located record."""
    located = "(area_id IS NOT NULL OR sector_id IS NOT NULL OR command_id IS NOT NULL)"
    force_sql, force_params = ("", []) if force_id is None else (" AND force_id = %s", [force_id])
    ends = " UNION ALL ".join(
        f"SELECT (SELECT MIN(month) FROM {RECORD} WHERE kind = %s AND {located}{force_sql}) AS first, "
        f"(SELECT MAX(month) FROM {RECORD} WHERE kind = %s AND {located}{force_sql}) AS last" for _ in kinds)
    return (f"SELECT MIN(first), MAX(last) FROM ({ends}) ends",
            [p for kind in kinds for p in (kind, *force_params, kind, *force_params)])


def grain_drop() -> tuple[str, list]:
    return f"DROP TABLE IF EXISTS {GRAIN}", []


def maps_create(*, measure_rows: list[tuple], set_rows: list[tuple]) -> list[tuple[str, list]]:
    """Statements filling the two small maps from a grain's (kind, bits) to what counts it.

    The maps are computed in Python (scoring.itemsets) from the measures, so one
    definition says which measures count an item, for the cells and the totals.
    """
    statements = [
        (f"DROP TABLE IF EXISTS {BIT_MEASURE}", []), (f"DROP TABLE IF EXISTS {BIT_SET}", []),
        (f"CREATE TEMPORARY TABLE {BIT_MEASURE} (kind varchar(30) NOT NULL, bits integer NOT NULL, "
         "measure_id bigint NOT NULL)", []),
        (f"CREATE TEMPORARY TABLE {BIT_SET} (kind varchar(30) NOT NULL, bits integer NOT NULL, "
         "measures varchar(400) NOT NULL)", []),
    ]
    for table, rows in ((BIT_MEASURE, measure_rows), (BIT_SET, set_rows)):
        for start in range(0, len(rows), 1000):
            chunk = rows[start:start + 1000]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            statements.append((f"INSERT INTO {table} VALUES {values}", [v for row in chunk for v in row]))
    return statements


def maps_drop() -> list[tuple[str, list]]:
    return [(f"DROP TABLE IF EXISTS {BIT_MEASURE}", []), (f"DROP TABLE IF EXISTS {BIT_SET}", [])]


def cells_insert(*, cell_area_ids: list[int] | None) -> tuple[str, list]:
    """Cells of every measure counting the grain's items (records or nominal-months)."""
    cell_sql, cell_params = _in("c.cell_area_id", cell_area_ids)
    css = Measure.Weighting.CSS.value
    sql = INSERT_INTO + f"""
SELECT c.force_id, c.cell_area_id, c.month, c.measure_id, SUM(c.n), SUM(c.harm), SUM(c.harm_sq), MAX(c.max_w)
FROM (
  SELECT g.force_id, {_cell_area("g.")} AS cell_area_id, g.month, m.id AS measure_id,
         CASE WHEN m.weighting = '{css}' THEN g.n_weighted ELSE g.n END AS n,
         CASE WHEN m.weighting = '{css}' THEN g.harm ELSE g.n * m.fixed_weight END AS harm,
         CASE WHEN m.weighting = '{css}' THEN g.harm_sq ELSE g.n * m.fixed_weight * m.fixed_weight END AS harm_sq,
         CASE WHEN m.weighting = '{css}' THEN g.max_w ELSE m.fixed_weight END AS max_w
  FROM {GRAIN} g
  JOIN {BIT_MEASURE} bm ON bm.kind = g.kind AND bm.bits = g.bits
  JOIN {MEASURE} m ON m.id = bm.measure_id
  LEFT JOIN {AREA} a ON a.id = g.area_id
  CROSS JOIN {LEVELS}
) c
WHERE c.cell_area_id IS NOT NULL {cell_sql}
GROUP BY c.force_id, c.cell_area_id, c.month, c.measure_id
HAVING SUM(c.n) > 0
"""
    return sql, cell_params


def totals_insert(*, item_type: str, cell_area_ids: list[int] | None) -> tuple[str, list]:
    """Rows of distinct items: the grain's items by area, month and the set of measures counting them."""
    cell_sql, cell_params = _in("c.cell_area_id", cell_area_ids)
    sql = f"""
INSERT INTO {NEW_TOTALS} (force_id, area_id, month, measures, item_type, count, css_count, css_harm, css_harm_sq,
                          css_max)
SELECT c.force_id, c.cell_area_id, c.month, c.measures, %s, SUM(c.n), SUM(c.n_weighted), SUM(c.harm),
       SUM(c.harm_sq), MAX(c.max_w)
FROM (
  SELECT g.force_id, {_cell_area("g.")} AS cell_area_id, g.month, bs.measures, g.n, g.n_weighted, g.harm,
         g.harm_sq, g.max_w
  FROM {GRAIN} g
  JOIN {BIT_SET} bs ON bs.kind = g.kind AND bs.bits = g.bits
  LEFT JOIN {AREA} a ON a.id = g.area_id
  CROSS JOIN {LEVELS}
) c
WHERE c.cell_area_id IS NOT NULL {cell_sql}
GROUP BY c.force_id, c.cell_area_id, c.month, c.measures
"""
    return sql, [item_type, *cell_params]


def unweighted_count(*, kinds: list[str]) -> tuple[str, list]:
    """Records in the grain of the kinds CSS measures count that have no weight in the edition."""
    kind_sql, kind_params = _in("kind", kinds)
    return f"SELECT COALESCE(SUM(n - n_weighted), 0) FROM {GRAIN} WHERE 1 = 1 {kind_sql}", kind_params


NEW_TOTALS = "scoring_new_totals"


def new_cells_create() -> list[tuple[str, list]]:
    return [*new_cells_drop(), (
        f"CREATE TEMPORARY TABLE {NEW_CELLS} (force_id bigint NOT NULL, area_id bigint NOT NULL, month date NOT NULL, "
        f"measure_id bigint NOT NULL, count integer NOT NULL, harm double precision NOT NULL, "
        f"harm_sq double precision NOT NULL, max_item_harm double precision NOT NULL)", []), (
        f"CREATE TEMPORARY TABLE {NEW_TOTALS} (force_id bigint NOT NULL, area_id bigint NOT NULL, month date NOT NULL, "
        f"measures varchar(400) NOT NULL, item_type varchar(10) NOT NULL, count integer NOT NULL, "
        f"css_count integer NOT NULL, css_harm double precision NOT NULL, css_harm_sq double precision NOT NULL, "
        f"css_max double precision NOT NULL)", [])]


def new_cells_drop() -> list[tuple[str, list]]:
    return [(f"DROP TABLE IF EXISTS {NEW_CELLS}", []), (f"DROP TABLE IF EXISTS {NEW_TOTALS}", [])]


def stale_cells_delete(*, months: list[date] | None, cell_area_ids: list[int] | None,
                       measure_ids: list[int], nominal: bool, force_id: int | None = None) -> tuple[str, list]:
    """Delete the stored cells in scope that the new computation no longer has.

    ``nominal`` says which part this is: the cells of the nominals measures
    (``measure_ids``), or of every other measure (not in ``measure_ids``), so
    the two parts of a run never delete each other's cells. ``force_id``: that force's cells only.
    """
    force_sql, force_params = _in(f"{SCORE}.force_id", None if force_id is None else [force_id])
    month_sql, month_params = _in(f"{SCORE}.month", months)
    cell_sql, cell_params = _in(f"{SCORE}.area_id", cell_area_ids)
    if nominal:
        measure_sql, measure_params = _in(f"{SCORE}.measure_id", measure_ids)
    elif measure_ids:
        measure_sql = f" AND {SCORE}.measure_id NOT IN ({', '.join(['%s'] * len(measure_ids))})"
        measure_params = list(measure_ids)
    else:
        measure_sql, measure_params = "", []
    return (
        f"DELETE FROM {SCORE} WHERE 1 = 1 {month_sql} {cell_sql} {measure_sql}{force_sql} AND NOT EXISTS ("
        f"SELECT 1 FROM {NEW_CELLS} n WHERE n.force_id = {SCORE}.force_id AND n.area_id = {SCORE}.area_id "
        f"AND n.month = {SCORE}.month "
        f"AND n.measure_id = {SCORE}.measure_id)",
        [*month_params, *cell_params, *measure_params, *force_params],
    )


def stale_totals_delete(*, months: list[date] | None, cell_area_ids: list[int] | None,
                        item_type: str, force_id: int | None = None) -> tuple[str, list]:
    """Delete the stored totals of one item type in scope (of one force) that the new computation no longer has."""
    force_sql, force_params = _in(f"{TOTAL}.force_id", None if force_id is None else [force_id])
    month_sql, month_params = _in(f"{TOTAL}.month", months)
    cell_sql, cell_params = _in(f"{TOTAL}.area_id", cell_area_ids)
    return (
        f"DELETE FROM {TOTAL} WHERE {TOTAL}.item_type = %s {month_sql} {cell_sql}{force_sql} AND NOT EXISTS ("
        f"SELECT 1 FROM {NEW_TOTALS} n WHERE n.force_id = {TOTAL}.force_id AND n.area_id = {TOTAL}.area_id "
        f"AND n.month = {TOTAL}.month "
        f"AND n.measures = {TOTAL}.measures)",
        [item_type, *month_params, *cell_params, *force_params],
    )


def _changed(table: str, columns) -> str:
    """A row differs: sums compared with a relative tolerance (their last bits depend on the order of aggregation)."""
    return " OR ".join(
        [f"{table}.edition_id <> excluded.edition_id"]
        + [f"{table}.{c} <> excluded.{c}" for c in columns if c in INTEGER_COLUMNS]
        + [f"ABS({table}.{c} - excluded.{c}) > 1e-9 * (1 + ABS(excluded.{c}))"
           for c in columns if c not in INTEGER_COLUMNS]
    )


def _unchanged(stored: str, new: str, keys, columns) -> str:
    """``NOT EXISTS`` a stored row with the same key and the same numbers (the negation of _changed).

    Filtering the new rows with it first turns a run that changes little into one anti-join of
    two tables, instead of an index probe and a conflict check for every new row.
    """
    same = " AND ".join(
        [f"s.{k} = {new}.{k}" for k in keys] + ["s.edition_id = %s"]
        + [f"s.{c} = {new}.{c}" for c in columns if c in INTEGER_COLUMNS]
        + [f"ABS(s.{c} - {new}.{c}) <= 1e-9 * (1 + ABS({new}.{c}))" for c in columns if c not in INTEGER_COLUMNS]
    )
    return f"NOT EXISTS (SELECT 1 FROM {stored} s WHERE {same})"


INTEGER_COLUMNS = {"count", "css_count"}
# The unique keys of the stored cells and totals (scoring.models): the force is in each, last, as in
# the index, so a cell of one force never meets another force's.
CELL_KEY = ("area_id", "month", "measure_id", "force_id")
TOTAL_KEY = ("area_id", "month", "measures", "force_id")
TOTAL_COLUMNS = ("count", "css_count", "css_harm", "css_harm_sq", "css_max")


def cells_upsert(*, edition_id: int, run_id: int) -> tuple[str, list]:
    """Write the new cells: insert the missing ones, update only those whose numbers changed.

    Rewriting an unchanged row would leave a dead tuple behind for every cell
    in scope; on PostgreSQL the unique index then has to step over them on the
    next run (measured: 120,000 cells took 1.5 s to re-insert after a few full
    recomputes, against 0.05 s into an empty table). ``run_id`` therefore names
    the run that last changed a cell.
    """
    assign = ", ".join(f"{c} = excluded.{c}" for c in ("edition_id", *CELL_COLUMNS, "run_id"))
    return (
        f"INSERT INTO {SCORE} (force_id, area_id, month, measure_id, edition_id, count, harm, harm_sq, max_item_harm, "
        f"run_id) SELECT force_id, area_id, month, measure_id, %s, count, harm, harm_sq, max_item_harm, %s "
        f"FROM {NEW_CELLS} n WHERE {_unchanged(SCORE, 'n', CELL_KEY, CELL_COLUMNS)} "
        f"ON CONFLICT ({', '.join(CELL_KEY)}) DO UPDATE SET {assign} "
        f"WHERE {_changed(SCORE, CELL_COLUMNS)}",
        [edition_id, run_id, edition_id],
    )


def totals_upsert(*, edition_id: int, run_id: int) -> tuple[str, list]:
    """Write the new totals, the same way as the cells."""
    assign = ", ".join(f"{c} = excluded.{c}" for c in ("edition_id", "item_type", *TOTAL_COLUMNS, "run_id"))
    return (
        f"INSERT INTO {TOTAL} (force_id, area_id, month, measures, item_type, edition_id, "
        f"{', '.join(TOTAL_COLUMNS)}, run_id) "
        f"SELECT force_id, area_id, month, measures, item_type, %s, {', '.join(TOTAL_COLUMNS)}, %s FROM {NEW_TOTALS} n "
        f"WHERE {_unchanged(TOTAL, 'n', (*TOTAL_KEY, 'item_type'), TOTAL_COLUMNS)} "
        f"ON CONFLICT ({', '.join(TOTAL_KEY)}) DO UPDATE SET {assign} "
        f"WHERE {TOTAL}.item_type <> excluded.item_type OR {_changed(TOTAL, TOTAL_COLUMNS)}",
        [edition_id, run_id, edition_id],
    )
