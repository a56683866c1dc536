// Fills the portal header's unread count after the page has loaded, so that no page (an exam
// page least of all) waits for it or pays a query for it.
(function () {
  var link = document.querySelector("[data-unread-url]");
  if (!link || !window.fetch) return;
  fetch(link.getAttribute("data-unread-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      var badge = link.querySelector("[data-unread-count]");
      if (!data || !badge) return;
      badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
      badge.hidden = !data.unread;
    })
    .catch(function () {});
})();
