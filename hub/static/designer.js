// Live preview and upload checks of the badge designer (console/designer.html).
//
// The server draws every preview: each change of a control posts the design as JSON to the
// preview URL, and the SVG that comes back is shown through an <img>, where SVG cannot run
// scripts. The page works without this file, because both forms post normally.
(function () {
  "use strict";

  var PREVIEW_DELAY_MS = 150;

  function setMessage(element, text) {
    element.textContent = text;
    element.hidden = !text;
  }

  function readAsDataUrl(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  function designOf(form) {
    var data = new FormData(form);
    var design = {};
    ["shape", "primary", "secondary", "text_color", "line1", "size1", "line2", "size2", "glyph"]
      .forEach(function (name) { design[name] = String(data.get(name) || ""); });
    design.logo = data.get("logo") === "on";
    return design;
  }

  async function problemDetail(response) {
    try {
      var problem = await response.json();
      if (problem && problem.detail) {
        return problem.detail;
      }
    } catch (error) {
      // The body was not a problem document, so the HTTP status below explains the failure.
    }
    return "HTTP " + response.status;
  }

  function startPreview(form) {
    var preview = document.getElementById("designer-preview");
    var status = document.getElementById("designer-status");
    var token = form.querySelector("input[name=_csrf_token]").value;
    var failed = form.dataset.previewFailed;
    var sequence = 0;
    var timer = null;
    var pending = null;

    async function refresh() {
      var current = ++sequence;
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      try {
        var response = await fetch(form.dataset.previewUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "Accept": "image/svg+xml, application/problem+json",
            "X-CSRF-Token": token
          },
          body: JSON.stringify(designOf(form)),
          signal: pending.signal
        });
        var result = response.ok ? await readAsDataUrl(await response.blob()) : null;
        var detail = response.ok ? "" : await problemDetail(response);
        // A slower, older response must not replace the preview of a newer design.
        if (current !== sequence) {
          return;
        }
        if (result) {
          preview.src = result;
          preview.dataset.revision = String(current);
        }
        setMessage(status, detail ? failed + " " + detail : "");
      } catch (error) {
        if (error.name !== "AbortError" && current === sequence) {
          setMessage(status, failed + " " + error.message);
        }
      }
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, PREVIEW_DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  function checkUploads(form) {
    var status = document.getElementById("upload-status");
    var input = form.querySelector("input[type=file]");
    var language = document.documentElement.lang || undefined;

    // The server reads the type from the content. This check only spares a long upload that
    // the server would reject for its size, and a file of unknown type gets the larger limit.
    function problemOf(file) {
      var name = file.name.toLowerCase();
      var isSvg = name.endsWith(".svg") || file.type === "image/svg+xml";
      var isPng = name.endsWith(".png") || file.type === "image/png";
      var kind = file.name;
      if (isSvg) {
        kind = "SVG";
      } else if (isPng) {
        kind = "PNG";
      }
      var limit = Number(isSvg ? form.dataset.maxSvg : form.dataset.maxPng);
      if (file.size <= limit) {
        return "";
      }
      return form.dataset.tooLarge
        .replace("{kind}", kind)
        .replace("{size}", file.size.toLocaleString(language))
        .replace("{limit}", limit.toLocaleString(language));
    }

    input.addEventListener("change", function () {
      setMessage(status, input.files.length ? problemOf(input.files[0]) : "");
    });
    form.addEventListener("submit", function (event) {
      var problem = input.files.length ? problemOf(input.files[0]) : "";
      setMessage(status, problem);
      if (problem) {
        event.preventDefault();
      }
    });
  }

  var designForm = document.getElementById("designer-form");
  if (designForm) {
    startPreview(designForm);
  }
  var uploadForm = document.getElementById("upload-form");
  if (uploadForm) {
    checkUploads(uploadForm);
  }
})();
