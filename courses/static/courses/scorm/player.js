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
  var api =
    config.version === "1.2" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  api.loadFromFlattenedJSON(config.cmi, "");
  new window.CrossFrameLMS(api, "*", { rateLimit: 1000 });

  function show(text) {
    if (status) status.textContent = text;
  }
  var commitEvent = config.version === "1.2" ? "LMSCommit" : "Commit";
  var finishEvent = config.version === "1.2" ? "LMSFinish" : "Terminate";
  api.on(commitEvent, function () {
    show(status.dataset.saved);
    status.dataset.seq = String(seq);
  });
  api.on(finishEvent, function () {
    show(status.dataset.finished);
    status.dataset.seq = String(seq);
  });
})();
