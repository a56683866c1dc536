// Save each criterion as the evaluator goes: every change posts that criterion's form.
(function () {
  "use strict";
  var texts = document.getElementById("sheet-messages").dataset;
  var counter = document.getElementById("rated-count");

  function save(form) {
    var state = form.querySelector(".save-state");
    state.textContent = texts.saving;
    state.className = "save-state";
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (data.ok) {
            state.textContent = texts.saved;
            state.className = "save-state saved";
            if (counter) counter.textContent = data.rated;
            var photo = form.querySelector("input[type=file]");
            if (photo) photo.value = "";
          } else {
            state.textContent = texts.failed + ": " + data.errors.join(" ");
            state.className = "save-state failed";
          }
        });
      })
      .catch(function () {
        state.textContent = texts.failed;
        state.className = "save-state failed";
      });
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var timer = null;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form);
    });
    form.addEventListener("change", function (event) {
      // A rating that needs a reason waits until the reason is written.
      var chosen = form.querySelector("input[name=level]:checked");
      var reason = form.querySelector("textarea[name=reason]");
      if (chosen && chosen.dataset.requiresReason === "1" && !reason.value.trim()) {
        form.querySelector(".reason").classList.add("needed");
        if (event.target !== reason) { reason.focus(); return; }
      }
      clearTimeout(timer);
      timer = setTimeout(function () { save(form); }, 150);
    });
  });
})();
