// Autosave of a yearly report's figures (keyclusters/monitoring): a few seconds after the last
// change the form is posted to its data-autosave URL with the report's version; the answer
// (JSON) gives the new version and "saved automatically at HH:MM", or the refused figures by
// field, or (409) that someone else saved meanwhile, after which autosave stops. Loaded as a
// file: the Content-Security-Policy allows no inline script. Without it the form's buttons
// still save and submit.
(function () {
  "use strict";

  var DELAY = 3000;
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.querySelector("[data-autosave-status]");
  var version = form.querySelector("input[name=version]");
  var timer = null;
  var busy = false;
  var again = false;
  var stopped = false;

  function say(text, failed) {
    if (!status) {
      return;
    }
    status.textContent = text;
    status.classList.toggle("text-danger", Boolean(failed));
  }

  function showErrors(errors) {
    form.querySelectorAll("[data-autosave-error]").forEach(function (node) {
      node.remove();
    });
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (!field || !field.parentNode) {
        return;
      }
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.setAttribute("data-autosave-error", name);
      note.textContent = errors[name].join(" ");
      field.parentNode.insertBefore(note, field.nextSibling);
    });
  }

  function save() {
    timer = null;
    if (stopped) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    var data = new FormData(form);
    data.delete("action");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": token ? token.value : "",
        "X-Requested-With": "XMLHttpRequest",
        Accept: "application/json",
      },
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          return { status: response.status, answer: answer };
        });
      })
      .then(function (result) {
        var answer = result.answer || {};
        if (result.status === 200) {
          if (version && answer.version !== undefined) {
            version.value = String(answer.version);
          }
          showErrors({});
          say(answer.message, false);
        } else {
          if (result.status === 409) {
            stopped = true;
          }
          showErrors(answer.errors);
          say(answer.message || "", true);
        }
      })
      .catch(function () {
        // a network failure: the next change tries again; the button still saves
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          save();
        }
      });
  }

  function changed() {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, DELAY);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    stopped = true;
  });
})();
