/* Runs first in every page of a SCORM package (injected by courses.scorm.views.content).
 *
 * The package runs in a sandbox without same-origin, so it cannot reach the player's
 * window.API. scorm-again's CrossFrameAPI stands in for it here: it answers the SCO at once
 * from its cache and forwards every call to the player by postMessage. The cache starts with
 * the attempt's stored data, so a resumed SCO reads its location and suspend_data at once. */
(function () {
  "use strict";
  var node = document.getElementById("ga-scorm-cmi");
  var data = {};
  try {
    data = node ? JSON.parse(node.textContent) : {};
  } catch (error) {
    data = {};
  }
  var api = new window.CrossFrameAPI("*", window.top);
  Object.keys(data).forEach(function (key) {
    api._cache.set(key, String(data[key]));
  });
  window.API = api;
  window.API_1484_11 = api;
})();
