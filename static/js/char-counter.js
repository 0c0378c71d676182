// Live character counters: <textarea data-char-counter="ID"> updates the element #ID (data-max).
(function () {
  "use strict";
  function count(text) {
    // Count characters as the server does: code points, with CRLF as one newline.
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }
  document.querySelectorAll("textarea[data-char-counter]").forEach(function (area) {
    var counter = document.getElementById(area.dataset.charCounter);
    if (!counter) { return; }
    var max = parseInt(counter.dataset.max, 10);
    function update() {
      var used = count(area.value);
      counter.textContent = used + " / " + max + " characters" + (used > max ? " (too long)" : "");
      counter.classList.toggle("over-limit", used > max);
    }
    area.addEventListener("input", update);
    update();
  });
})();
