/* Suggestions for a search box: <input list="..." data-suggest> gets entity names from
   /entities as the user types (debounced); each suggestion's value is the entity id. */
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var base = input.getAttribute("data-suggest");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || q.indexOf(":") > 0) { return; }
      timer = setTimeout(function () {
        fetch(base + "/entities?limit=8&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (body) {
            list.replaceChildren();
            body.results.forEach(function (hit) {
              var option = document.createElement("option");
              option.value = hit.id;
              option.label = hit.name + " (" + hit.type + ")";
              option.textContent = hit.name + " (" + hit.type + ")";
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a convenience */ });
      }, 180);
    });
  });
})();
