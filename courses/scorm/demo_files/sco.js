(function () {
  "use strict";
  var VERSION = null, api = null, started = new Date().getTime(), finished = false;
  var ANSWERS = { q1: "b", q2: "a" };

  function findAPI(win, name) {
    var tries = 0;
    while (win[name] == null && win.parent != null && win.parent != win) {
      tries += 1;
      if (tries > 7) return null;
      try { win = win.parent; } catch (e) { return null; }
    }
    return win[name] || null;
  }
  function getAPI(name) {
    var found = null;
    try { found = findAPI(window, name); } catch (e) { found = null; }
    if (found == null && window.opener != null) {
      try { found = findAPI(window.opener, name); } catch (e) { found = null; }
    }
    return found;
  }
  var is12 = function () { return VERSION === "1.2"; };
  function call(method12, method2004) {
    var args = Array.prototype.slice.call(arguments, 2);
    var fn = api[is12() ? method12 : method2004];
    return String(fn.apply(api, args));
  }
  function get(element12, element2004) { return call("LMSGetValue", "GetValue", is12() ? element12 : element2004); }
  function set(element12, element2004, value) {
    return call("LMSSetValue", "SetValue", is12() ? element12 : element2004, String(value));
  }
  function commit() { return call("LMSCommit", "Commit", ""); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function sessionTime() {
    var seconds = Math.max(0, Math.round((new Date().getTime() - started) / 1000));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (is12()) return (h < 1000 ? ("000" + h).slice(-4) : String(h)) + ":" + pad(m) + ":" + pad(s);
    return "PT" + h + "H" + m + "M" + s + "S";
  }
  var state = { screen: 1, visited: [1], answers: {} };

  function show(screen) {
    state.screen = screen;
    if (state.visited.indexOf(screen) < 0) state.visited.push(screen);
    var screens = document.querySelectorAll(".screen");
    for (var i = 0; i < screens.length; i++) {
      screens[i].className = "screen" + (Number(screens[i].getAttribute("data-screen")) === screen ? " current" : "");
    }
    document.getElementById("screen-label").textContent = screen + " / 3";
    document.getElementById("previous").disabled = screen === 1;
    document.getElementById("next").disabled = screen === 3;
  }
  function save() {
    set("cmi.core.lesson_location", "cmi.location", state.screen);
    set("cmi.suspend_data", "cmi.suspend_data", JSON.stringify(state));
    if (is12()) {
      if (get("cmi.core.lesson_status") === "not attempted") set("cmi.core.lesson_status", null, "incomplete");
      set("cmi.core.exit", null, "suspend");
    } else {
      if (get(null, "cmi.completion_status") !== "completed") set(null, "cmi.completion_status", "incomplete");
      set(null, "cmi.progress_measure", (state.visited.length / 3).toFixed(2));
      set(null, "cmi.exit", "suspend");
    }
    set("cmi.core.session_time", "cmi.session_time", sessionTime());
    commit();
  }
  function submit() {
    var correct = 0, index = 0;
    Object.keys(ANSWERS).forEach(function (question) {
      var chosen = document.querySelector("input[name=" + question + "]:checked");
      var response = chosen ? chosen.value : "";
      state.answers[question] = response;
      var right = response === ANSWERS[question];
      if (right) correct += 1;
      var base = "cmi.interactions." + index + ".";
      set(base + "id", base + "id", question);
      set(base + "type", base + "type", "choice");
      set(is12() ? base + "student_response" : null, is12() ? null : base + "learner_response", response);
      set(is12() ? base + "result" : null, is12() ? null : base + "result", right ? "correct" : (is12() ? "wrong" : "incorrect"));
      index += 1;
    });
    var score = Math.round(100 * correct / index);
    var passed = score >= 80;
    set("cmi.core.score.min", "cmi.score.min", 0);
    set("cmi.core.score.max", "cmi.score.max", 100);
    set("cmi.core.score.raw", "cmi.score.raw", score);
    if (is12()) {
      set("cmi.core.lesson_status", null, passed ? "passed" : "failed");
      set("cmi.core.exit", null, "");
    } else {
      set(null, "cmi.score.scaled", (score / 100).toFixed(2));
      set(null, "cmi.completion_status", "completed");
      set(null, "cmi.success_status", passed ? "passed" : "failed");
      set(null, "cmi.progress_measure", "1");
      set(null, "cmi.exit", "normal");
    }
    set("cmi.core.lesson_location", "cmi.location", 3);
    set("cmi.suspend_data", "cmi.suspend_data", JSON.stringify(state));
    set("cmi.core.session_time", "cmi.session_time", sessionTime());
    commit();
    finished = true;
    call("LMSFinish", "Terminate", "");
    document.getElementById("result").textContent = score + " / 100 " + (passed ? "\u2713" : "\u2717");
  }

  window.addEventListener("load", function () {
    VERSION = document.body.getAttribute("data-scorm");
    api = getAPI(VERSION === "1.2" ? "API" : "API_1484_11");
    var label = document.getElementById("api-state");
    if (api == null) { label.textContent = "No LMS API"; return; }
    call("LMSInitialize", "Initialize", "");
    label.textContent = "API " + VERSION;
    var entry = get("cmi.core.entry", "cmi.entry");
    var saved = get("cmi.suspend_data", "cmi.suspend_data");
    if (saved) {
      try { state = JSON.parse(saved); } catch (e) { state = { screen: 1, visited: [1], answers: {} }; }
    }
    var location = Number(get("cmi.core.lesson_location", "cmi.location")) || state.screen || 1;
    label.setAttribute("data-entry", entry);
    show(Math.min(Math.max(location, 1), 3));
    save();
    document.getElementById("next").addEventListener("click", function () { show(state.screen + 1); save(); });
    document.getElementById("previous").addEventListener("click", function () { show(state.screen - 1); save(); });
    document.getElementById("submit").addEventListener("click", submit);
  });
  window.addEventListener("pagehide", function () {
    if (api && !finished) { set("cmi.core.session_time", "cmi.session_time", sessionTime()); commit(); call("LMSFinish", "Terminate", ""); }
  });
})();
