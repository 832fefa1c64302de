"""Maps without django-leaflet's inline script (the Content-Security-Policy allows none): the map's
options go into the page as JSON, and static/sectors/sectors.js creates the map from them."""
import json

from django import template
from django.templatetags.static import static
from django.utils.html import json_script
from leaflet.templatetags.leaflet_tags import leaflet_map

register = template.Library()

# Local authority outlines and main place names (data/context/build.py): every map draws them, so
# a map still shows where it is without internet tiles.
CONTEXT_LAYER = "sectors/context.json"


@register.simple_tag
def map_options(name):
    """The options {% leaflet_map name %} would give the map, and the URL of the context layer, as
    <script type="application/json" id="NAME-options">. The map's element names its callback in data-map-init."""
    options = json.loads(leaflet_map(name)["djoptions"])
    options["context"] = static(CONTEXT_LAYER)
    return json_script(options, f"{name}-options")
