"""Batch look-ups of references to existing nominals and groups (one query per batch)."""


class RefLookup:
    def __init__(self, model):
        self.model = model
        self.ids: dict[str, int] = {}

    def load(self, refs) -> None:
        wanted = {r.strip() for r in refs if isinstance(r, str) and r.strip()} - self.ids.keys()
        if wanted:
            self.ids.update(self.model.objects.filter(ref__in=wanted).values_list("ref", "id"))

    def resolve(self, value, column, errors, what) -> int | None:
        found = self.ids.get(value)
        if found is None:
            errors.append((column, f"{what} {value!r} does not exist: upload the {what}s first"))
        return found


def column_values(rows, position):
    if position is None:
        return []
    return [values[position] for values in rows if position < len(values)]


class RefLookups:
    """For schemas whose rows name existing nominals or groups.

    ``ref_columns`` maps a column to the model label it refers to; each batch
    loads all its references in one query per column, and ``resolve`` reports
    an unknown reference against that column.
    """

    ref_columns: dict[str, tuple[str, str]] = {}  # column -> (model label, what to call it)

    def __init__(self, **kwargs):
        from django.apps import apps

        super().__init__(**kwargs)
        self.lookups = {column: RefLookup(apps.get_model(label)) for column, (label, _) in self.ref_columns.items()}

    def prepare_batch(self, rows):
        for column, lookup in self.lookups.items():
            lookup.load(column_values(rows, self.index.get(column)))

    def resolve(self, clean, column, errors) -> int | None:
        return self.lookups[column].resolve(clean[column], column, errors, self.ref_columns[column][1])


def check_period(clean: dict, errors: list) -> None:
    """A period may be open-ended, but never end before it starts."""
    if clean.get("ended_on") and clean["ended_on"] < clean["started_on"]:
        errors.append(("ended_on", "ends before it starts"))
