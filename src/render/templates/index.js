(function () {
  "use strict";
  var form = document.getElementById("controls");
  var list = document.getElementById("entries");
  var count = document.getElementById("count");
  if (!form || !list || !count) return;
  var search = document.getElementById("search");
  var entries = Array.prototype.map.call(list.children, function (li) {
    return { li: li, kind: li.getAttribute("data-kind"), text: li.textContent.toLowerCase() };
  });
  function update() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : "all";
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry) {
      var visible = (kind === "all" || entry.kind === kind) &&
        words.every(function (word) { return entry.text.indexOf(word) !== -1; });
      entry.li.hidden = !visible;
      if (visible) shown += 1;
    });
    var template = count.getAttribute(shown === 1 ? "data-one" : "data-many");
    count.textContent = template.replace("{n}", String(shown));
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  update();
})();
