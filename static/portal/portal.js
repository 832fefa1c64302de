/* Every page: a table wider than its column scrolls inside its own region, never the page.
   Templates may wrap a table in <div class="scroll" tabindex="0" role="region"> themselves; this
   wraps any other table once it is wider than its column (at load, and when the window narrows),
   and makes a region focusable (so a keyboard can scroll it) only while it actually overflows.
   Tables that fit are left where they are. Without scripts a wide table scrolls the page instead:
   nothing is hidden. */
(function () {
  "use strict";

  function label(table) {
    var caption = table.caption && table.caption.textContent.trim();
    return caption || "Table";
  }

  function wrapIfWide(table) {
    if (table.closest(".scroll")) return;
    var parent = table.parentNode;
    var style = window.getComputedStyle(parent);
    var room = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (table.getBoundingClientRect().width <= room + 1) return;
    var box = document.createElement("div");
    box.className = "scroll";
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label(table));
    box.dataset.keepTabindex = "0";
    parent.insertBefore(box, table);
    box.appendChild(table);
  }

  function focusable(box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    if (box.dataset.keepTabindex === undefined) box.dataset.keepTabindex = box.hasAttribute("tabindex") ? "1" : "0";
    if (overflows) box.setAttribute("tabindex", "0");
    else if (box.dataset.keepTabindex === "0") box.removeAttribute("tabindex");
    // A hint that the region scrolls ("scroll-hint", named by aria-describedby) shows while it does.
    var hint = document.getElementById(box.getAttribute("aria-describedby") || "");
    if (hint && hint.classList.contains("scroll-hint")) hint.hidden = !overflows;
  }

  function layout() {
    document.querySelectorAll("main table").forEach(wrapIfWide);
    document.querySelectorAll("main .scroll").forEach(focusable);
  }

  document.addEventListener("DOMContentLoaded", function () {
    layout();
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) window.cancelAnimationFrame(pending);
      pending = window.requestAnimationFrame(layout);
    });
  });
})();
