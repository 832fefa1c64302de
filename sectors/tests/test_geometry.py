import pytest

from sectors.geometry import neighbours, touching_areas
from sectors.models import Level
from tests.factories import AreaFactory, square

SIZE = 0.02


def _grid() -> dict[tuple[int, int], dict]:
    """A 3 x 3 grid of squares sharing their edges, keyed by (column, row)."""
    return {(i, j): square(-1.7 + i * SIZE, 55.0 + j * SIZE, SIZE) for i in range(3) for j in range(3)}


def test_it_finds_the_areas_sharing_an_edge_or_a_corner():
    cells = _grid()
    ids = {key: n for n, key in enumerate(cells)}
    boundaries = {ids[key]: geometry for key, geometry in cells.items()}
    assert neighbours(boundaries, {ids[(1, 1)]}) == {ids[k] for k in cells if k != (1, 1)}
    assert neighbours(boundaries, {ids[(0, 0)]}) == {ids[(1, 0)], ids[(0, 1)], ids[(1, 1)]}
    assert neighbours(boundaries, {ids[(0, 0)], ids[(1, 0)]}) == {ids[(2, 0)], ids[(0, 1)], ids[(1, 1)], ids[(2, 1)]}


def test_it_bridges_a_sliver_between_boundaries_but_not_a_real_gap():
    left = square(-1.7, 55.0, SIZE)
    sliver = square(-1.7 + SIZE + 0.00005, 55.0, SIZE)  # about 3 m east of it
    apart = square(-1.7 + SIZE + 0.01, 55.0, SIZE)  # about 640 m east
    assert neighbours({1: left, 2: sliver, 3: apart}, {1}) == {2}


@pytest.mark.django_db
def test_it_reads_the_stored_boundaries_of_one_level():
    a = AreaFactory(level=Level.SECTOR, boundary=square(-1.7, 55.0, SIZE))
    b = AreaFactory(level=Level.SECTOR, boundary=square(-1.7 + SIZE, 55.0, SIZE))
    AreaFactory(level=Level.NEIGHBOURHOOD, boundary=square(-1.7 + SIZE, 55.0, SIZE))
    AreaFactory(level=Level.SECTOR, boundary=square(-1.5, 55.0, SIZE))
    assert touching_areas(area_ids={a.pk}, level=Level.SECTOR) == {b.pk}
    assert touching_areas(area_ids=set(), level=Level.SECTOR) == set()
