// Live progress of a search run: polls the run's JSON status until it ends, then stops.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box || box.dataset.finished === "true") return;
  var url = box.dataset.statusUrl;
  var delay = 1000;

  function show(status) {
    box.querySelectorAll("[data-field]").forEach(function (el) {
      var value = status[el.dataset.field];
      el.textContent = value === null || value === undefined ? (el.dataset.field === "error_message" ? "" : "–") : value;
    });
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          var note = box.querySelector("[data-progress-note]");
          if (note) note.remove();
          return;
        }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
