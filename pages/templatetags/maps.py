"""Maps without django-leaflet's inline script (the Content-Security-Policy allows none): the map's
options go into the page as JSON, and static/sectors/sectors.js creates the map from them."""
import json

from django import template
from django.utils.html import json_script
from leaflet.templatetags.leaflet_tags import leaflet_map

register = template.Library()


@register.simple_tag
def map_options(name):
    """The options {% leaflet_map name %} would give the map, as <script type="application/json"
    id="NAME-options">. The map's element names its callback in data-map-init."""
    return json_script(json.loads(leaflet_map(name)["djoptions"]), f"{name}-options")
