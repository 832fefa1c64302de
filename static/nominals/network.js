/* The co-offending network drawn with Cytoscape.js (vendored in static/vendor/cytoscape/).
   The nodes and links come from the page's json_script; the table beside it lists the same nominals. */
(function () {
  "use strict";
  var holder = document.getElementById("network-graph");
  var source = document.getElementById("network-elements");
  if (!holder || !source || typeof cytoscape !== "function") { return; }
  var elements = JSON.parse(source.textContent);
  var cy = cytoscape({
    container: holder,
    elements: { nodes: elements.nodes, edges: elements.edges },
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000, idealEdgeLength: 60 },
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
        "label": "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 2,
        "border-width": 1, "border-color": "#333333" } },
      { selector: "node[?bridge]", style: { "border-width": 4, "border-color": "#000000" } },
      { selector: "edge", style: { "width": "mapData(shared, 1, 5, 1, 5)", "line-color": "#8c959f" } }
    ]
  });
  cy.on("tap", "node", function (event) { window.location.assign(event.target.data("url")); });
  holder.setAttribute("data-drawn", String(cy.nodes().length));
})();
