"""Filling the force column of a table that gains it (used by the migrations that add it).

Raw SQL on the table names, so a migration's historical state is all it needs. Each row's force is
the force root above one of its areas; a row with no area (or with areas under no force root) gets
the deployment's only force root. A database holding rows but no force root at all (built before
the geography had one) gets one, so that every row can name its force.
"""

FORCE_LEVEL = 0
AREA = "sectors_area"


def roots(parents: dict[int, int | None]) -> dict[int, int]:
    """Each area's root, from each area's parent (None at a root)."""
    found = {}
    for pk in parents:
        top = pk
        while parents.get(top) is not None:
            top = parents[top]
        found[pk] = top
    return found


def _roots_and_trees(cursor) -> dict[int, list[int]]:
    """Each force root and the ids of the areas in its tree (itself included)."""
    cursor.execute(f"SELECT id, parent_id, level FROM {AREA}")
    rows = cursor.fetchall()
    trees = {pk: [] for pk, parent, level in rows if level == FORCE_LEVEL and parent is None}
    for pk, top in roots({pk: parent for pk, parent, _ in rows}).items():
        if top in trees:
            trees[top].append(pk)
    return trees


def primary_key_replace(tables: list[str], columns: str):
    """A RunPython function giving each table the primary key ``columns`` (PostgreSQL only: SQLite's
    tables keep their single-column key, as Django's state does)."""
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, "
                                      f"ADD CONSTRAINT {table}_pkey PRIMARY KEY ({columns})")
    return run


def _created_root(cursor) -> int:
    cursor.execute(f"INSERT INTO {AREA} (level, code, name, source) VALUES (%s, %s, %s, %s)",
                   [FORCE_LEVEL, "FORCE", "Force", "created when records gained their force"])
    cursor.execute(f"SELECT id FROM {AREA} WHERE code = %s", ["FORCE"])
    return cursor.fetchone()[0]


def force_backfill(schema_editor, *, table: str, area_columns: tuple[str, ...]) -> None:
    """Set ``force_id`` on every row of ``table`` that has none."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE force_id IS NULL LIMIT 1")
        if cursor.fetchone() is None:
            return  # an empty table (a new database): nothing to read
        trees = _roots_and_trees(cursor)
        if len(trees) == 1:
            cursor.execute(f"UPDATE {table} SET force_id = %s WHERE force_id IS NULL", [next(iter(trees))])
            return
        if not trees:
            cursor.execute(f"UPDATE {table} SET force_id = %s WHERE force_id IS NULL", [_created_root(cursor)])
            return
        for root, tree in trees.items() if area_columns else ():
            for start in range(0, len(tree), 5000):
                chunk = tree[start:start + 5000]
                marks = ", ".join(["%s"] * len(chunk))
                inside = " OR ".join(f"{column} IN ({marks})" for column in area_columns)
                cursor.execute(f"UPDATE {table} SET force_id = %s WHERE force_id IS NULL AND ({inside})",
                               [root, *chunk * len(area_columns)])
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE force_id IS NULL")
        left = cursor.fetchone()[0]
        if left:
            raise RuntimeError(f"{table}: {left} rows lie under no force root and there are several; "
                               "set their force_id before migrating")


def force_backfill_from_records(schema_editor, *, table: str) -> None:
    """Set ``force_id`` of rows that point at a record (``record_id``) to that record's force."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET force_id = (SELECT r.force_id FROM ingestion_record r "
                       f"WHERE r.id = {table}.record_id) WHERE force_id IS NULL")
    # A link whose record is gone (links have no database foreign key) takes the only force.
    force_backfill(schema_editor, table=table, area_columns=())
