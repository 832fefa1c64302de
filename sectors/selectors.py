"""Reads of the geography that other layers share."""
from sectors.models import Area


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
