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
