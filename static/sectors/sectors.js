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

  /* Choropleth of areas: the map container names the json_script holding the features. */
  window.sectorsChoropleth = function (map) {
    var box = map.getContainer();
    var data = readJSON(box.dataset.features);
    var label = box.dataset.valueLabel || "Harm";
    var layer = L.geoJSON(data, {
      style: function (f) {
        return {color: "#1b1f24", weight: 1, fillColor: f.properties.colour, fillOpacity: 0.75};
      },
      onEachFeature: function (f, shape) {
        var p = f.properties, lines = [p.name, label + ": " + fmt(p.value !== undefined ? p.value : p.harm)];
        if (p.rank !== undefined) lines.push("Rank " + p.rank + " (" + change(p.change) + ")");
        shape.bindTooltip(tooltip(lines), {sticky: true});
        shape.on("click", function () { window.location.href = p.url + window.location.search; });
      }
    }).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), {padding: [8, 8]});
  };

  /* An area's outline, and its records as points or H3 hexagons of harm. */
  window.sectorsAreaMap = function (map) {
    var outline = readJSON("area-outline"), layer = readJSON("records-layer"), bounds = null;
    if (outline) {
      var o = L.geoJSON(outline, {style: {color: "#0b2e4f", weight: 2, fillOpacity: 0.05}}).addTo(map);
      bounds = o.getBounds();
    }
    if (layer && layer.mode === "points") {
      layer.points.forEach(function (p) {
        L.circleMarker([p.lat, p.lon], {radius: 5, color: "#a50f15", weight: 1, fillOpacity: 0.7})
          .bindTooltip(tooltip([p.kind + " " + p.ref, p.date + (p.offence ? " · " + p.offence : ""),
                                "Harm: " + fmt(p.harm)]))
          .addTo(map);
      });
    } else if (layer && layer.mode === "hexagons") {
      var top = layer.hexagons.reduce(function (m, h) { return Math.max(m, h.harm); }, 0) || 1;
      layer.hexagons.forEach(function (h) {
        L.polygon(h.boundary, {color: "#7f0000", weight: 0.5, fillColor: "#cb181d",
                               fillOpacity: 0.15 + 0.7 * (h.harm / top)})
          .bindTooltip(tooltip(["Hexagon " + h.cell, fmt(h.count, 0) + " records", "Harm: " + fmt(h.harm)]))
          .addTo(map);
      });
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds, {padding: [8, 8]});
  };

  /* Maps: an element with data-map-init names its callback above; its options (those django-leaflet
     would have written into an inline script) are the JSON in #<id>-options. */
  window.addEventListener("load", function () {
    document.querySelectorAll("[data-map-init]").forEach(function (box) {
      var djoptions = readJSON(box.id + "-options"), callback = window[box.dataset.mapInit];
      if (!djoptions || !window.L || typeof callback !== "function") return;
      L.Map.djangoMap(box.id, {djoptions: djoptions, globals: false, callback: callback});
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
