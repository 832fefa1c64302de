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


def force_roots() -> list[int]:
    """The ids of the deployment's force roots (level 0), in id order: one for a force's own deployment."""
    return list(Area.objects.filter(level=Level.FORCE).order_by("pk").values_list("pk", flat=True))


def upload_force(*, force_id: int | None) -> int | None:
    """The force an upload is for: ``force_id`` checked to be a force root, else the only one.

    None when the deployment holds no force root yet (a register or a rejected file needs none; a
    records file then fails at its apply). Several and none named: ForceNotGiven.
    """
    if force_id is not None:
        return force_root(force_id=force_id)
    ids = force_roots()[:2]
    if len(ids) > 1:
        raise ForceNotGiven("Several forces: say which force the file is for")
    return ids[0] if ids else None


def area_forces() -> dict[int, int]:
    """Each area's force root (one query for the whole tree)."""
    return roots(dict(Area.objects.values_list("id", "parent_id")))


def other_forces_areas(*, force_id: int) -> frozenset[int]:
    """The areas in the tree of a force root other than ``force_id`` (none in a one-force deployment)."""
    rows = list(Area.objects.values_list("id", "parent_id", "level"))
    parents = {pk: parent for pk, parent, _ in rows}
    forces = {pk for pk, parent, level in rows if parent is None and level == Level.FORCE}
    if forces <= {force_id}:
        return frozenset()
    return frozenset(pk for pk, top in roots(parents).items() if top in forces and top != force_id)


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
