/* The SCORM player page: the real runtime (scorm-again) lives here, on our origin.
 *
 * The SCO runs in a sandboxed frame (opaque origin) and calls this runtime through
 * CrossFrameLMS by postMessage. Commits go to our endpoint as
 * {"seq": n, "cmi": {element: value}} with the CSRF token; seq grows with every commit, so the
 * server refuses a commit older than one it already stored. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("scorm-player-config").textContent);
  var token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("scorm-status");
  var seq = config.seq;
  var lastOk = null;
  var settings = {
    autocommit: true,
    autocommitSeconds: config.autocommitSeconds,
    lmsCommitUrl: config.commitUrl,
    dataCommitFormat: "flattened",
    sendFullCommit: true,
    xhrHeaders: { "X-CSRFToken": token },
    logLevel: 4,
    requestHandler: function (commit) {
      seq += 1;
      return { seq: seq, cmi: commit };
    },
  };
  var api = null;

  function show(text) {
    if (status) status.textContent = text;
  }
  var finishEvent = config.version === "1.2" ? "LMSFinish" : "Terminate";
  var finishing = false;

  // The status line says "saved" only for what the server acknowledged: the answer to each
  // commit names the sequence number it stored, and a refusal (stale, too large, signed out)
  // says so instead of a saved that never happened.
  function acknowledged(answer, ok) {
    if (ok) {
      show(finishing ? status.dataset.finished : status.dataset.saved);
      status.dataset.seq = String(answer.seq);
      lastOk = true;
    } else {
      lastOk = false;
      show(answer.error || status.dataset.failed);
    }
  }
  function answered(httpOk, answer) {
    var ok = httpOk && answer.result === true;
    acknowledged(answer, ok);
    return { result: ok, errorCode: ok ? 0 : answer.errorCode || 101 };
  }
  // Synchronous commits (scorm-again's default, so that a SCO's Commit returns the server's
  // verdict) come back as the XMLHttpRequest; asynchronous ones as a fetch Response.
  settings.xhrResponseHandler = function (xhr) {
    var answer = {};
    try {
      answer = JSON.parse(xhr.responseText);
    } catch (error) {
      answer = {};
    }
    return answered(xhr.status >= 200 && xhr.status < 300, answer);
  };
  settings.responseHandler = function (response) {
    return response
      .json()
      .catch(function () {
        return {};
      })
      .then(function (answer) {
        return answered(response.ok, answer);
      });
  };

  api =
    config.version === "1.2" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  api.loadFromFlattenedJSON(config.cmi, "");
  new window.CrossFrameLMS(api, "*", { rateLimit: 1000 });
  // The package loads only now that the runtime listens: a SCO that loaded first (a fast frame
  // beside a slow script) would initialise and commit into nothing, and its answers would be
  // served from its own cache as if saved.
  var frame = document.getElementById("scorm-package");
  if (frame && frame.dataset.src) frame.src = frame.dataset.src;
  api.on(finishEvent, function () {
    // Unless the server refused the last commit, closing keeps what it acknowledged.
    finishing = true;
    if (lastOk !== false) show(status.dataset.finished);
  });
})();
