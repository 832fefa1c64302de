"""Reads of the geography that other layers share."""
from sectors.backfill import roots
from sectors.models import Area, Level


class ForceNotGiven(LookupError):
    """The deployment holds no force root, or several and the caller named none."""


def force_root(*, force_id: int | None = None) -> int:
    """The id of the force root (level 0) that rows without a stated force belong to.

    With ``force_id`` it is checked to be a force root. Without it, the deployment must hold
    exactly one: a regional deployment has several, and a writer must then say which.
    """
    roots = Area.objects.filter(level=Level.FORCE)
    if force_id is not None:
        roots = roots.filter(pk=force_id)
    ids = list(roots.order_by("pk").values_list("pk", flat=True)[:2])
    if len(ids) == 1:
        return ids[0]
    if force_id is not None or not ids:
        raise ForceNotGiven(f"No force root area{f' with id {force_id}' if force_id is not None else ''}: "
                            "the records of a force need its geography first")
    raise ForceNotGiven("Several force root areas: say which force the rows belong to")


def area_forces() -> dict[int, int]:
    """Each area's force root (one query for the whole tree)."""
    return roots(dict(Area.objects.values_list("id", "parent_id")))


def areas_around(area_ids) -> set[int]:
    """The areas, every area above them and every area below them (one query for the whole tree).

    A change to a neighbourhood changes its sector, command and force; a change given for a
    sector changes its neighbourhoods too.
    """
    parents = dict(Area.objects.values_list("id", "parent_id"))
    below, frontier = set(area_ids), set(area_ids)
    while frontier:
        frontier = {pk for pk, parent in parents.items() if parent in frontier} - below
        below |= frontier
    above = set()
    for pk in area_ids:
        while parents.get(pk) is not None:
            pk = parents[pk]
            above.add(pk)
    return below | above
