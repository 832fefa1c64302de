import pytest

from sectors.models import Area, Level
from sectors.selectors import areas_around

pytestmark = pytest.mark.django_db


def test_areas_around_are_the_areas_with_everything_above_and_below():
    force = Area.objects.create(level=Level.FORCE, code="F", name="Force")
    command = Area.objects.create(level=Level.COMMAND, code="C", name="Command", parent=force)
    other_command = Area.objects.create(level=Level.COMMAND, code="D", name="Other", parent=force)
    sector = Area.objects.create(level=Level.SECTOR, code="S", name="Sector", parent=command)
    neighbourhoods = [Area.objects.create(level=Level.NEIGHBOURHOOD, code=f"N{i}", name=f"N{i}", parent=sector)
                      for i in range(2)]
    Area.objects.create(level=Level.SECTOR, code="T", name="Elsewhere", parent=other_command)

    assert areas_around([neighbourhoods[0].pk]) == {neighbourhoods[0].pk, sector.pk, command.pk, force.pk}
    assert areas_around([sector.pk]) == {sector.pk, command.pk, force.pk, *(n.pk for n in neighbourhoods)}
    assert areas_around([]) == set()
