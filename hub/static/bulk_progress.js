// Live progress of a bulk award: polls the upload's progress URL while its job is queued or
// running, updates the progress bar and counters, and reloads the page once the job has ended.
(function () {
  "use strict";
  var section = document.getElementById("bulk-progress");
  if (!section) {
    return;
  }
  var ACTIVE = ["queued", "running"];
  var POLL_MILLISECONDS = 1000;
  var bar = section.querySelector("progress");
  var text = document.getElementById("bulk-progress-text");
  var template = text.getAttribute("data-template");

  function setText(id, value) {
    var element = document.getElementById(id);
    if (element) {
      element.textContent = value;
    }
  }

  function show(progress) {
    bar.max = Math.max(progress.valid_rows, 1);
    bar.value = progress.valid_rows ? progress.done : 1;
    text.textContent = template
      .replace("{done}", progress.done)
      .replace("{total}", progress.valid_rows)
      .replace("{percent}", progress.percent);
    setText("bulk-status", progress.status_label);
    setText("bulk-awarded", progress.awarded);
    setText("bulk-skipped", progress.skipped);
    setText("bulk-failed", progress.failed);
  }

  function poll() {
    fetch(section.getAttribute("data-progress-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress request failed with status " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        show(progress);
        if (ACTIVE.indexOf(progress.status) >= 0) {
          window.setTimeout(poll, POLL_MILLISECONDS);
        } else {
          // The final page lists the outcome of every row, so reload it once.
          window.location.replace(window.location.pathname);
        }
      })
      .catch(function () {
        // The connection was lost or the server is restarting, so try again a little later.
        window.setTimeout(poll, POLL_MILLISECONDS * 5);
      });
  }

  if (ACTIVE.indexOf(section.getAttribute("data-status")) >= 0) {
    window.setTimeout(poll, POLL_MILLISECONDS);
  }
})();
