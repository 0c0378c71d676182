// Polls an application's status while it is being written, then reloads to show the result.
(function () {
  "use strict";
  var box = document.getElementById("generation-progress");
  if (!box) { return; }
  var bar = document.getElementById("generation-progress-bar");
  var text = document.getElementById("generation-progress-text");
  var url = box.dataset.statusUrl;
  var labels = { queued: "Waiting for the writer", running: "Writing" };

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (status) {
        bar.max = status.progress_total || 1;
        bar.value = status.progress_done;
        if (status.state === "queued" || status.state === "running") {
          text.textContent = labels[status.state] + ": " + status.progress_done + " of " +
            status.progress_total + " sections written.";
          window.setTimeout(poll, 1500);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        text.textContent = "Could not check the progress; retrying…";
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
