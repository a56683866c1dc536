// Save each criterion's fields as the evaluator goes, each field on its own: a rating still
// waiting for its reason never holds back the observation, time or photo typed beside it.
// Every criterion shows whether its input is saved; leaving with unsaved input asks first.
(function () {
  "use strict";
  var texts = document.getElementById("sheet-messages").dataset;
  var counter = document.getElementById("rated-count");
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-autosave]"));
  var TYPING_PAUSE = 800;

  function pending(form) {
    return Object.keys(form._dirty).length > 0 || form._inFlight;
  }

  function show(form, text, kind) {
    var state = form.querySelector(".save-state");
    state.textContent = text;
    state.className = "save-state" + (kind ? " " + kind : "");
    form.dataset.state = kind || "";
  }

  function save(form) {
    clearTimeout(form._timer);
    var names = Object.keys(form._dirty);
    if (!names.length) return Promise.resolve();
    if (form._inFlight) { form._again = true; return Promise.resolve(); }
    var body = new FormData(form);
    if (!form._dirty.photo) body.delete("photo");
    body.set("fields", names.join(","));
    var sent = {};
    names.forEach(function (name) { sent[name] = form._dirty[name]; });
    form._inFlight = true;
    show(form, texts.saving, "saving");
    return fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        form._inFlight = false;
        (data.saved || []).forEach(function (name) {
          // A field changed again while the request was out stays unsaved.
          if (form._dirty[name] === sent[name]) delete form._dirty[name];
        });
        if (counter && data.rated !== undefined) counter.textContent = data.rated;
        if (data.photo) {
          var photo = form.querySelector("input[type=file]");
          if (photo && data.saved && data.saved.indexOf("photo") >= 0) photo.value = "";
        }
        var errors = data.errors || {};
        var messages = [];
        Object.keys(errors).forEach(function (name) { messages = messages.concat(errors[name]); });
        form.querySelector(".reason").classList.toggle("needed", !!(errors.level || errors.reason));
        if (messages.length) {
          show(form, texts.failed + ": " + messages.join(" "), "failed");
        } else if (pending(form)) {
          show(form, texts.unsaved, "unsaved");
        } else {
          show(form, texts.saved, "saved");
        }
      })
      .catch(function () {
        form._inFlight = false;
        show(form, texts.failed, "failed");
      })
      .then(function () {
        if (form._again) { form._again = false; save(form); }
      });
  }

  forms.forEach(function (form) {
    form._dirty = {};
    form._timer = null;
    form._version = 0;
    function touched(event, pause) {
      var name = event.target.name;
      if (!name || name === "csrfmiddlewaretoken") return;
      form._dirty[name] = ++form._version;
      show(form, texts.unsaved, "unsaved");
      clearTimeout(form._timer);
      form._timer = setTimeout(function () { save(form); }, pause);
    }
    form.addEventListener("input", function (event) { touched(event, TYPING_PAUSE); });
    form.addEventListener("change", function (event) { touched(event, 100); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (forms.some(pending)) {
      event.preventDefault();
      event.returnValue = texts.leave;
      return texts.leave;
    }
  });
})();
