/* A tasking pack's Print button: the browser's print dialog, with the pack's print stylesheet. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
