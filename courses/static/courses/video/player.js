/* Tracked video (docs/online-study.md): report the stretches actually played.
 *
 * Each player keeps the stretch being played ([start, last time seen]) and closes it on a
 * pause, a seek, the end, and every reportSeconds; closed stretches are sent to the server as
 * {"duration", "position", "segments"} with the CSRF token and kept until the server has them.
 * With "no skipping ahead" a seek past the furthest point watched from the start snaps back
 * there (the server ignores such stretches anyway). The playback rate is held to maxRate.
 */
(function () {
  "use strict";

  var JOIN = 0.15;

  function merge(segments) {
    var sorted = segments
      .filter(function (s) { return s[1] > s[0]; })
      .map(function (s) { return [s[0], s[1]]; })
      .sort(function (a, b) { return a[0] - b[0]; });
    var out = [];
    sorted.forEach(function (s) {
      var last = out[out.length - 1];
      if (last && s[0] <= last[1] + JOIN) last[1] = Math.max(last[1], s[1]);
      else out.push(s);
    });
    return out;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function round(x) { return Math.round(x * 10) / 10; }

  function setup(figure) {
    var video = figure.querySelector("video");
    var config = JSON.parse(document.getElementById(figure.dataset.videoPlayer).textContent);
    var texts = {};
    figure.querySelector("template[data-role=texts]").content
      .querySelectorAll("[data-text]").forEach(function (el) { texts[el.dataset.text] = el.textContent; });
    var percentEl = figure.querySelector("[data-role=percent]");
    var doneEl = figure.querySelector("[data-role=done]");
    var bar = figure.querySelector("[data-role=bar]");
    var notice = figure.querySelector("[data-role=notice]");

    var known = merge(config.segments || []);  // what the server has, plus what was sent
    var pending = [];                            // closed stretches not yet sent
    var inflight = [];                           // stretches sent, not yet answered
    var open = null;                             // the stretch being played: [start, last]
    var sending = false;
    var timer = null;

    function showPercent(percent, done) {
      percentEl.textContent = texts.percent.replace("__PERCENT__", String(percent));
      // A class per 5 % step, as every bar (lms/static/lms/charts.css): no style attribute.
      bar.className = "bar__fill bar-w-" + 5 * Math.round(Math.max(0, Math.min(100, percent)) / 5);
      doneEl.hidden = !done;
    }

    function say(text) {
      notice.textContent = text;
      notice.hidden = !text;
    }

    function furthest() {
      var all = merge(known.concat(inflight, pending, open ? [open] : []));
      return all.length && all[0][0] <= JOIN ? all[0][1] : 0;
    }

    function close(at) {
      if (open) {
        var end = at === undefined ? open[1] : at;
        if (end > open[0]) pending.push([round(open[0]), round(end)]);
        open = null;
      }
    }

    function startAt(t) {
      open = [t, t];
    }

    function send(keepalive) {
      if (sending || !pending.length || !isFinite(video.duration) || !video.duration) return;
      var batch = merge(pending);
      pending = [];
      inflight = batch;
      sending = true;
      fetch(config.reportUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({
          duration: round(video.duration),
          position: round(video.currentTime),
          segments: batch,
        }),
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          sending = false;
          inflight = [];
          if (response.ok) {
            var sentTo = batch.length ? batch[batch.length - 1][1] : 0;
            var cut = config.preventSkipping && body.furthest + 1 < sentTo;
            if (cut) {
              // The server did not take all of it (faster than the clock allows, or past what
              // was watched): carry on from where it counts.
              known = [[0, body.furthest]];
              pending = [];
              open = null;
              if (video.currentTime > body.furthest + 1) video.currentTime = body.furthest;
              notice.dataset.kind = "snapped";
              say(texts.snapped);
            } else {
              known = merge(known.concat(batch));
            }
            showPercent(body.percent, body.done);
            if (body.lessonDone) {
              var pendingNote = document.getElementById("lesson-pending");
              var finished = document.getElementById("lesson-finished");
              if (pendingNote) pendingNote.hidden = true;
              if (finished) finished.hidden = false;
            }
            if (!cut && (notice.dataset.kind === "failed" || body.done)) say("");
            if (pending.length) send(false);
          } else if (response.status >= 500 || response.status === 429) {
            pending = batch.concat(pending);
            notice.dataset.kind = "failed";
            say(texts.failed);
          } else {
            // Refused as it is: sending it again would be refused again.
            notice.dataset.kind = "refused";
            say(texts.refused + " " + (body.error || response.status));
          }
        });
      }).catch(function () {
        sending = false;
        inflight = [];
        pending = batch.concat(pending);
        notice.dataset.kind = "failed";
        say(texts.failed);
      });
    }

    function tick() {
      if (!video.paused && !video.seeking && open) {
        close(video.currentTime);
        startAt(video.currentTime);
      }
      send(false);
    }

    video.addEventListener("loadedmetadata", function () {
      var resume = config.position || 0;
      if (resume > 1 && resume < video.duration - 1) video.currentTime = resume;
    });
    video.addEventListener("playing", function () {
      if (!open) startAt(video.currentTime);
      if (!timer) timer = window.setInterval(tick, config.reportSeconds * 1000);
    });
    video.addEventListener("timeupdate", function () {
      if (!open || video.seeking || video.paused) return;
      var t = video.currentTime;
      var step = t - open[1];
      if (step >= 0 && step <= 2 * Math.max(1, config.maxRate)) {
        open[1] = t;
      } else {
        close();
        startAt(t);
      }
    });
    video.addEventListener("seeking", function () {
      close();
      var limit = furthest();
      if (config.preventSkipping && video.currentTime > limit + 1) {
        video.currentTime = limit;
        notice.dataset.kind = "snapped";
        say(texts.snapped);
      }
    });
    video.addEventListener("seeked", function () {
      if (!video.paused) startAt(video.currentTime);
    });
    video.addEventListener("pause", function () {
      close(video.seeking ? undefined : video.currentTime);
      send(false);
    });
    video.addEventListener("ended", function () {
      close(video.duration);
      if (timer) { window.clearInterval(timer); timer = null; }
      send(false);
    });
    video.addEventListener("ratechange", function () {
      if (video.playbackRate > config.maxRate) video.playbackRate = config.maxRate;
    });
    window.addEventListener("pagehide", function () {
      close(video.paused ? undefined : video.currentTime);
      send(true);
    });
    showPercent(config.percent, config.done);
  }

  document.querySelectorAll("[data-video-player]").forEach(setup);
})();
