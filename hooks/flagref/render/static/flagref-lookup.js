/* flagref: the filter of the /flags/ page and the release filter of component pages.
 *
 * Filter. On the /flags/ page, typing into the filter box hides the flags whose
 * name and meaning do not contain every typed word, and the components left
 * with none. Nothing is fetched: the list is in the page.
 *
 * Release. On a component page, a select box shows only the flags valid in
 * one Kubernetes release. (The site search is search-worker.js.)
 */
(function () {
  "use strict";

  /* --- the /flags/ filter ------------------------------------------------ */

  function applyFilter(input) {
    var root = input.closest("article") || document;
    var words = input.value.toLowerCase().replace(/^[-\u2010-\u2015\u2212]+/, "").split(/[\s_]+/).filter(Boolean);
    var shown = 0;
    var groups = root.querySelectorAll(".flagref-component");
    for (var g = 0; g < groups.length; g++) {
      var items = groups[g].querySelectorAll("li[data-flag]");
      var left = 0;
      for (var k = 0; k < items.length; k++) {
        var text = items[k].getAttribute("data-flag");
        var hit = true;
        for (var w = 0; w < words.length; w++) if (text.indexOf(words[w]) === -1) { hit = false; break; }
        items[k].hidden = !hit;
        if (hit) left++;
      }
      groups[g].hidden = left === 0;
      /* The component's heading goes with its list. */
      var heading = groups[g].previousElementSibling;
      if (heading && heading.tagName === "H2") heading.hidden = left === 0;
      shown += left;
    }
    var count = root.querySelector(".flagref-filter__count");
    if (count) count.textContent = words.length ? shown + " flag" + (shown === 1 ? "" : "s") + " match" : "";
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("flagref-filter__input")) applyFilter(target);
  });
  /* Material's keyboard shortcuts (s, f, /) must not steal the letters typed into the filter. */
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("flagref-filter__input")) event.stopPropagation();
  }, true);

  /* --- "Show the flags valid in release X" on a component page ------------- */

  function releaseKey(text) {
    var parts = String(text).split(".");
    return [parseInt(parts[0], 10) || 0, parseInt(parts[1], 10) || 0];
  }
  function before(a, b) {
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  }
  function applyRelease(select) {
    var root = select.closest("article") || document;
    var wanted = select.value ? releaseKey(select.value) : null;
    var entries = root.querySelectorAll(".flagref-entry");
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      var introduced = entry.getAttribute("data-introduced");
      var removed = entry.getAttribute("data-removed");
      var valid = !wanted ||
        ((!introduced || !before(wanted, releaseKey(introduced))) && (!removed || before(wanted, releaseKey(removed))));
      entry.hidden = !valid;
      /* The flag's heading goes with its entry. */
      var heading = entry.previousElementSibling;
      if (heading && /^H[2-4]$/.test(heading.tagName)) heading.hidden = !valid;
    }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.hasAttribute && target.hasAttribute("data-flagref-release")) applyRelease(target);
  });
})();
