/* The exam page: every change is queued in localStorage and sent to the autosave endpoint;
   a lost connection keeps the queue and retries; the server's clock decides the time. */
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("exam-state").textContent);
  var text = document.getElementById("exam-text").dataset;
  var form = document.getElementById("exam-form");
  var badge = document.getElementById("save-state");
  var timer = document.getElementById("timer");
  var key = "exam-attempt-" + state.attempt;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var sending = false;
  var finished = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }
  function store(queue) {
    try { localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* private mode */ }
  }
  var queue = load();
  // The server owns the order of saves: each item has a sequence number that the page reads
  // back (data-seq, then every save's answer), and an edit is sent as that number plus one. The
  // device clock plays no part, so a device whose clock is behind loses nothing; a save made on
  // top of an answer another device has since replaced comes back "stale" with the stored one.
  var known = {};
  form.querySelectorAll("fieldset[data-item]").forEach(function (f) {
    known[f.dataset.item] = Number(f.dataset.seq);
  });
  var rev = 0;
  Object.keys(queue).forEach(function (id) { rev = Math.max(rev, queue[id].rev || 0); });
  function edit(fieldset) {
    var id = fieldset.dataset.item;
    var earlier = queue[id];
    var base = earlier && typeof earlier.base === "number" ? earlier.base : known[id];
    queue[id] = { response: responseOf(fieldset), base: base, rev: ++rev };
  }

  function show(name, message) {
    badge.dataset.state = name;
    badge.textContent = message || text[name] || "";
  }

  function responseOf(fieldset) {
    var type = fieldset.dataset.type;
    var inputs = fieldset.querySelectorAll("[name]");
    if (type === "single" || type === "multiple") {
      var chosen = [];
      inputs.forEach(function (i) { if (i.checked) chosen.push(i.value); });
      return chosen.length ? chosen : null;
    }
    if (type === "truefalse") {
      var value = null;
      inputs.forEach(function (i) { if (i.checked) value = i.value === "true"; });
      return value;
    }
    if (!inputs.length) return null;
    if (type === "fill" || type === "matching") {
      return Array.prototype.map.call(inputs, function (i) { return i.value; });
    }
    return inputs[0].value;
  }

  function apply(fieldset, response) {
    var type = fieldset.dataset.type;
    var inputs = fieldset.querySelectorAll("[name]");
    if (type === "single" || type === "multiple") {
      inputs.forEach(function (i) { i.checked = !!response && response.indexOf(i.value) >= 0; });
    } else if (type === "truefalse") {
      inputs.forEach(function (i) { i.checked = response !== null && String(response) === i.value; });
    } else if (type === "fill" || type === "matching") {
      inputs.forEach(function (i, n) { i.value = (response && response[n]) || ""; });
    } else if (inputs.length) {
      inputs[0].value = response || "";
    }
  }

  function pendingCount() { return Object.keys(queue).length; }

  function flush() {
    if (sending || finished) return;
    var items = Object.keys(queue);
    if (!items.length) { show("saved"); return; }
    if (!navigator.onLine) { show("offline"); return; }
    sending = true;
    show("saving");
    var batch = items.slice(0, state.maxBatch || items.length).map(function (id) {
      var entry = queue[id];
      var base = typeof entry.base === "number" ? entry.base : known[id];
      return { item: Number(id), response: entry.response, seq: base + 1, rev: entry.rev };
    });
    fetch(state.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ answers: batch.map(function (a) {
        return { item: a.item, response: a.response, seq: a.seq };
      }) })
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      sending = false;
      var data = result.data;
      if (data.ok) {
        batch.forEach(function (sent) {
          var seq = data.seqs && data.seqs[String(sent.item)];
          if (typeof seq !== "number") return;
          known[sent.item] = seq;
          var current = queue[sent.item];
          if (!current) return;
          // An edit made while this save was in flight now builds on what this device stored.
          if (current.rev === sent.rev) delete queue[sent.item]; else current.base = seq;
        });
        (data.stale || []).forEach(function (stale) {
          known[stale.item] = stale.seq;
          delete queue[stale.item];
          var fieldset = form.querySelector('fieldset[data-item="' + stale.item + '"]');
          if (fieldset) apply(fieldset, stale.response);
        });
        store(queue);
        if (typeof data.seconds_left === "number") state.secondsLeft = data.seconds_left, startedAt = Date.now();
        if (data.stale && data.stale.length) show("error", data.message);
        else show(pendingCount() ? "pending" : "saved");
        if (pendingCount()) flush();
      } else {
        show("error", data.error);
        if (data.status && data.status !== "in_progress") {
          finished = true;
          store({});
          window.location.href = data.result_url;
        }
      }
    }).catch(function () {
      sending = false;
      show("offline");
    });
  }

  // Typing sends at most one save a second; a choice is sent at once.
  var typingTimer = null;
  function flushSoon() {
    if (typingTimer) return;
    typingTimer = setTimeout(function () { typingTimer = null; flush(); }, 1000);
  }

  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("fieldset[data-item]");
    if (!fieldset) return;
    edit(fieldset);
    store(queue);
    show("pending");
    flushSoon();
  });
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-item]");
    if (!fieldset) return;
    edit(fieldset);
    store(queue);
    flush();
  });

  // Answers given before a reload (or offline) win over what the server last stored.
  Object.keys(queue).forEach(function (id) {
    var fieldset = form.querySelector('fieldset[data-item="' + id + '"]');
    if (fieldset) apply(fieldset, queue[id].response); else delete queue[id];
  });
  store(queue);

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { show("offline"); });
  setInterval(flush, 3000);

  function submit() {
    finished = true;
    fetch(state.submitUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function () { store({}); window.location.href = state.resultUrl; })
      .catch(function () { window.location.href = state.resultUrl; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!window.confirm(text.confirm)) return;
    // Send what is queued first; the server refuses nothing within the grace period.
    var wait = setInterval(function () {
      if (!pendingCount() || !navigator.onLine) { clearInterval(wait); finished = false; submit(); }
      else flush();
    }, 300);
  });

  var startedAt = Date.now();
  function tick() {
    if (state.secondsLeft === null || state.secondsLeft === undefined) return;
    var left = Math.max(0, state.secondsLeft - Math.floor((Date.now() - startedAt) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    timer.textContent = text.remaining + " " + (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    timer.classList.toggle("low", left < 300);
    if (left === 0 && !finished) {
      show("saving", text.timeUp);
      flush();
      finished = true;
      setTimeout(submit, 1500);
    }
  }
  tick();
  setInterval(tick, 1000);
  flush();
})();
