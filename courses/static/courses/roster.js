/* Attendance roster: "select all" and the running count of people marked present. */
(function () {
  var all = document.getElementById("select-all");
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#roster input[name=present]"));
  var count = document.getElementById("present-count");
  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    count.textContent = n;
    all.checked = n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
  }
  all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); update(); });
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();
})();
