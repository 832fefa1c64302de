/* Every page: a table wider than its column scrolls inside its own region, never the page.
   Templates may wrap a table in <div class="scroll" tabindex="0" role="region"> themselves; this
   wraps the others, and makes a region focusable (so a keyboard can scroll it) only while it
   actually overflows. Without scripts a wide table scrolls the page instead: nothing is hidden. */
(function () {
  "use strict";

  function label(table) {
    var caption = table.caption && table.caption.textContent.trim();
    return caption || "Table";
  }

  function wrap(table) {
    var box = document.createElement("div");
    box.className = "scroll";
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label(table));
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
    return box;
  }

  function focusable(box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    if (box.dataset.keepTabindex === undefined) box.dataset.keepTabindex = box.hasAttribute("tabindex") ? "1" : "0";
    if (overflows) box.setAttribute("tabindex", "0");
    else if (box.dataset.keepTabindex === "0") box.removeAttribute("tabindex");
  }

  function boxes() {
    return document.querySelectorAll("main .scroll");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("main table").forEach(function (table) {
      if (!table.closest(".scroll")) wrap(table);
    });
    boxes().forEach(focusable);
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) window.cancelAnimationFrame(pending);
      pending = window.requestAnimationFrame(function () { boxes().forEach(focusable); });
    });
  });
})();
