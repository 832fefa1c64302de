/* Maps and sortable tables of the sector pages. Plain Leaflet (shipped by django-leaflet), no other library. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fmt(n, digits) {
    if (n === null || n === undefined) return "none";
    return Number(n).toLocaleString("en-GB", {maximumFractionDigits: digits === undefined ? 1 : digits});
  }

  function change(c) {
    if (c === null || c === undefined) return "new";
    if (c > 0) return "up " + c;
    if (c < 0) return "down " + (-c);
    return "no change";
  }

  /* A tooltip built from text nodes only: area names never become markup. */
  function tooltip(lines) {
    var box = document.createElement("div");
    lines.forEach(function (line, i) {
      var el = document.createElement(i === 0 ? "strong" : "div");
      el.textContent = line;
      box.appendChild(el);
    });
    return box;
  }

  /* ---- Maps ---------------------------------------------------------------------------------- */

  function pane(map, name, zIndex, className) {
    var p = map.getPane(name) || map.createPane(name);
    p.style.zIndex = zIndex;
    if (className) L.DomUtil.addClass(p, className);
    return p;
  }

  /* A text label on the map: a marker whose icon is a span holding text (never markup). */
  function textLabel(latlng, text, className, paneName) {
    var span = document.createElement("span");
    span.textContent = text;
    return L.marker(latlng, {pane: paneName, interactive: false, keyboard: false,
                             icon: L.divIcon({className: className, html: span, iconSize: null})});
  }

  /* The context layer: local authority outlines and main place names, from one static file fetched
     once per page. It is what a map shows around the data when no tile server is configured; with
     tiles (MAP_TILES_URL) the outlines stay and the tiles carry the place names. */
  var contextRequest = null;
  function contextData(url) {
    if (!contextRequest) {
      contextRequest = fetch(url, {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    }
    return contextRequest;
  }

  function placeMinZoom(population) {
    if (population >= 100000) return 8;
    if (population >= 30000) return 10;
    if (population >= 10000) return 11;
    return 12;
  }

  function drawContext(map, djoptions) {
    var box = map.getContainer();
    if (!djoptions.context) return;
    pane(map, "context", 350);
    pane(map, "placeLabels", 620, "map-labels").setAttribute("aria-hidden", "true");
    contextData(djoptions.context).then(function (data) {
      if (!data) return;
      L.geoJSON(data.outlines, {pane: "context", interactive: false,
                                style: {color: "#56606b", weight: 1.2, dashArray: "5 4", fill: false}}).addTo(map);
      if (map.attributionControl) map.attributionControl.addAttribution(data.attribution);
      box.dataset.context = "outlines";
      if (djoptions.layers && djoptions.layers.length) return;
      var places = data.places.map(function (p) {
        return {min: placeMinZoom(p.population), label: textLabel([p.lat, p.lon], p.name, "place-label", "placeLabels")};
      });
      function show() {
        var zoom = map.getZoom();
        places.forEach(function (p) {
          if (zoom >= p.min) p.label.addTo(map); else p.label.remove();
        });
      }
      map.on("zoomend", show);
      show();
      box.dataset.context = "outlines places";
    });
  }

  /* Area names, drawn when an area is large enough on screen to hold its name. */
  function areaLabels(map, layer) {
    pane(map, "areaLabels", 630, "map-labels").setAttribute("aria-hidden", "true");
    var labels = [];
    layer.eachLayer(function (shape) {
      var p = shape.feature.properties, at = p.label || null;
      if (!at) { var c = shape.getBounds().getCenter(); at = [c.lat, c.lng]; }
      labels.push({shape: shape, label: textLabel(at, p.name, "area-label", "areaLabels"), width: 6.5 * p.name.length + 8});
    });
    function show() {
      var view = map.getBounds();
      labels.forEach(function (l) {
        var b = l.shape.getBounds(), fits = false;
        if (view.intersects(b)) {
          var sw = map.latLngToLayerPoint(b.getSouthWest()), ne = map.latLngToLayerPoint(b.getNorthEast());
          fits = (ne.x - sw.x) >= l.width && (sw.y - ne.y) >= 28;
        }
        if (fits) l.label.addTo(map); else l.label.remove();
      });
    }
    map.on("zoomend moveend", show);
    show();
  }

  /* A small control of buttons on the map (views: the top areas, the whole force). */
  function viewButtons(map, buttons) {
    var Control = L.Control.extend({
      options: {position: "topright"},
      onAdd: function () {
        var bar = L.DomUtil.create("div", "leaflet-bar map-views");
        buttons.forEach(function (b) {
          var button = L.DomUtil.create("button", "", bar);
          button.type = "button";
          button.textContent = b.text;
          L.DomEvent.on(button, "click", function (e) { L.DomEvent.stop(e); b.action(); });
        });
        L.DomEvent.disableClickPropagation(bar);
        return bar;
      }
    });
    new Control().addTo(map);
  }

  var HIGHLIGHT = {weight: 3, color: "#0b2e4f", fillOpacity: 0.9};

  function words(n, one, many) { return fmt(n, 0) + " " + (n === 1 ? one : many); }

  /* Records as small circles with a tooltip in words (the area map's points layer, and a group's). */
  function pointMarkers(points) {
    return L.featureGroup(points.map(function (p) {
      return L.circleMarker([p.lat, p.lon], {radius: 4, color: "#08306b", weight: 1, fillColor: "#2171b5",
                                             fillOpacity: 0.8, className: "record-point"})
        .bindTooltip(tooltip([p.kind + " " + p.ref, p.date + (p.offence ? " · " + p.offence : ""),
                              "Harm " + fmt(p.harm)]));
    }));
  }

  /* A group's linked records, drawn over its sectors and shown by default; a control switches them off. */
  function recordPoints(map, points) {
    if (!points || !points.length) return null;
    var group = pointMarkers(points).addTo(map);
    var overlays = {};
    overlays["Linked records as points (" + points.length + ")"] = group;
    L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
    return group;
  }

  /* Choropleth of areas: the map container names the json_script holding the features; with
     data-open="top" it opens on the areas with the most harm; with data-table it is linked to
     the table's rows (tr[data-area]): selecting one highlights the other. */
  window.sectorsChoropleth = function (map) {
    var box = map.getContainer();
    var data = readJSON(box.dataset.features);
    var label = box.dataset.valueLabel || "Harm";
    var table = box.dataset.table ? document.getElementById(box.dataset.table) : null;
    var shapes = {}, selected = null;

    function rowsOf(id) {
      return table ? table.querySelectorAll('tr[data-area="' + id + '"]') : [];
    }
    function mark(id, on) {
      var shape = shapes[id];
      if (shape) {
        if (on || id === selected) {
          shape.setStyle(HIGHLIGHT);
          shape.bringToFront();
          /* The highlighted area comes to the front, but never over the points drawn on it. */
          if (points && map.hasLayer(points)) points.bringToFront();
          L.DomUtil.addClass(shape.getElement(), "is-highlighted");
        } else {
          layer.resetStyle(shape);
          L.DomUtil.removeClass(shape.getElement(), "is-highlighted");
        }
      }
      Array.prototype.forEach.call(rowsOf(id), function (row) {
        row.classList.toggle("is-highlighted", Boolean(on || id === selected));
      });
    }

    var layer = L.geoJSON(data, {
      style: function (f) {
        var p = f.properties;
        /* A group's members' home sectors (properties.home: how many live there) are outlined. */
        if (p.home) return {color: "#5b2a86", weight: 3, dashArray: "6 4", fillColor: p.colour,
                            fillOpacity: p.state === "harm" ? 0.75 : 0, className: "home-sector"};
        return {color: "#1b1f24", weight: p.state === "nodata" ? 0.8 : 1, dashArray: p.state === "nodata" ? "3 3" : null,
                fillColor: p.colour, fillOpacity: 0.75};
      },
      onEachFeature: function (f, shape) {
        var p = f.properties, value = p.value !== undefined ? p.value : p.harm;
        var lines = [p.name, p.state === "nodata" ? "No data in the period" : label + ": " + fmt(value)];
        if (p.rank !== undefined) lines.push("Rank " + p.rank + " (" + change(p.change) + ")");
        if (p.home) lines.push("Home of " + words(p.home, "member", "members"));
        shapes[p.id] = shape;
        shape.bindTooltip(tooltip(lines), {sticky: true});
        shape.on("click", function () { window.location.href = p.url + window.location.search; });
        shape.on("mouseover", function () { mark(p.id, true); });
        shape.on("mouseout", function () { mark(p.id, false); });
      }
    }).addTo(map);
    layer.eachLayer(function (shape) {
      var id = shape.feature.properties.id;
      if (shape.getElement()) shape.getElement().setAttribute("data-area", id);
    });
    var points = box.dataset.points ? recordPoints(map, readJSON(box.dataset.points)) : null;
    if (!layer.getLayers().length) {
      if (points) map.fitBounds(points.getBounds(), {padding: [8, 8]});
      return;
    }

    var all = layer.getBounds(), top = null;
    if (box.dataset.open === "top") {
      var ranked = layer.getLayers().filter(function (s) {
        var p = s.feature.properties;
        return p.rank !== undefined && p.state === "harm";
      }).sort(function (a, b) { return a.feature.properties.rank - b.feature.properties.rank; }).slice(0, 10);
      if (ranked.length) {
        top = L.latLngBounds([]);
        ranked.forEach(function (s) { top.extend(s.getBounds()); });
        viewButtons(map, [
          {text: "Top " + ranked.length, action: function () { map.fitBounds(top, {padding: [8, 8]}); }},
          {text: "Whole force", action: function () { map.fitBounds(all, {padding: [8, 8]}); }}
        ]);
      }
    }
    map.fitBounds(top || all, {padding: [8, 8]});
    areaLabels(map, layer);

    if (!table) return;
    function areaOf(event) {
      var row = event.target.closest ? event.target.closest("tr[data-area]") : null;
      return row ? Number(row.dataset.area) : null;
    }
    function over(event) { var id = areaOf(event); if (id !== null) mark(id, true); }
    function out(event) {
      var id = areaOf(event);
      if (id === null) return;
      var next = event.relatedTarget && event.relatedTarget.closest ? event.relatedTarget.closest("tr[data-area]") : null;
      if (!next || Number(next.dataset.area) !== id) mark(id, false);
    }
    table.addEventListener("mouseover", over);
    table.addEventListener("mouseout", out);
    table.addEventListener("focusin", over);
    table.addEventListener("focusout", out);
    /* A click on a row (not on its link) selects the area: it stays highlighted and comes into view. */
    table.addEventListener("click", function (event) {
      var id = areaOf(event);
      if (id === null || event.target.closest("a, button")) return;
      var previous = selected;
      selected = previous === id ? null : id;
      if (previous !== null) mark(previous, false);
      if (selected !== null) {
        mark(selected, true);
        var b = shapes[selected] && shapes[selected].getBounds();
        if (b && !map.getBounds().contains(b)) map.fitBounds(b.pad(1.5), {maxZoom: map.getZoom()});
      }
    });
  };


  /* An area's outline, and the SOC harm of its items in H3 hexagons clipped to the outline, with
     the listed records as a points layer to switch on where there are few of them. */
  window.sectorsAreaMap = function (map) {
    var outline = readJSON("area-outline"), layer = readJSON("records-layer"), bounds = null;
    if (outline) {
      var o = L.geoJSON(outline, {interactive: false, style: {color: "#0b2e4f", weight: 2, fillOpacity: 0.05}}).addTo(map);
      bounds = o.getBounds();
    }
    if (layer && layer.hexagons) {
      var hexes = L.featureGroup(layer.hexagons.map(function (h) {
        var lines = ["SOC harm " + fmt(h.harm)];
        var parts = [];
        if (h.records) parts.push(words(h.records, "record", "records"));
        if (h.nominal_months) parts.push(words(h.nominal_months, "nominal-month", "nominal-months"));
        lines.push(parts.join(" and "));
        if (h.top_offence) lines.push("Top offence: " + h.top_offence);
        return L.polygon(h.rings, {color: "#67000d", weight: 0.6, fillColor: h.colour, fillOpacity: 0.8,
                                   className: "hexagon"}).bindTooltip(tooltip(lines), {sticky: true});
      })).addTo(map);
      var overlays = {"Hexagons of SOC harm": hexes};
      if (layer.points && layer.points.length) {
        var points = pointMarkers(layer.points);
        overlays["Records as points (" + layer.points.length + ")"] = points;
      }
      L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
      if (!bounds && hexes.getLayers().length) bounds = hexes.getBounds();
    }
    var activities = readJSON("activity-markers");
    if (activities && activities.length) {
      L.geoJSON(activities, {
        style: {color: "#5b2a86", weight: 2, dashArray: "4 3", fill: false},
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {radius: 6, color: "#5b2a86", weight: 2, fillColor: "#fff", fillOpacity: 1,
                                         className: "activity-marker"});
        },
        onEachFeature: function (f, l) { l.bindTooltip(tooltip(["Activity: " + f.properties.name])); }
      }).addTo(map);
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds, {padding: [8, 8]});
  };

  /* Maps: an element with data-map-init names its callback above; its options (those django-leaflet
     would have written into an inline script, and the URL of the context layer) are the JSON in
     #<id>-options. The context layer is drawn under whatever the callback draws. */
  window.addEventListener("load", function () {
    document.querySelectorAll("[data-map-init]").forEach(function (box) {
      var djoptions = readJSON(box.id + "-options"), callback = window[box.dataset.mapInit];
      if (!djoptions || !window.L || typeof callback !== "function") return;
      L.Map.djangoMap(box.id, {djoptions: djoptions, globals: false, callback: function (map) {
        drawContext(map, djoptions);
        callback(map);
      }});
    });
  });

  /* Sortable tables: a button in each column heading; numbers sort as numbers. */
  function sortTable(table, index, button) {
    var th = button.closest("th"), tbody = table.tBodies[0];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.sort, y = b.cells[index].dataset.sort;
      var nx = parseFloat(x), ny = parseFloat(y), r;
      r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
      return ascending ? r : -r;
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
        var button = th.querySelector("button");
        if (button) button.addEventListener("click", function () { sortTable(table, index, button); });
      });
    });
    document.querySelectorAll("a[data-busy]").forEach(function (a) {
      a.addEventListener("click", function () {
        var note = document.getElementById(a.dataset.busy);
        if (note) note.hidden = false;
      });
    });
  });
})();
