/* The upload status page. */
// While the upload is being processed, poll its status and update the numbers; reload when done.
(function () {
  var box = document.getElementById("upload-status");
  if (!box || box.dataset.running !== "1") return;
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      box.querySelectorAll("[data-field]").forEach(function (el) { el.textContent = s[el.dataset.field]; });
      if (s.running) { setTimeout(poll, 2000); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
