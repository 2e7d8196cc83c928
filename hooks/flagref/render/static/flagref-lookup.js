/* flagref: flags as first-class search terms, and the filter of the /flags/ page.
 *
 * Search. Material's lunr search reads a leading "-" as "must not contain", so
 * "--etcd-servers" found nothing. Material hands each query to its search
 * worker with postMessage({type: 2, data: query}); this script rewrites the
 * query on its way there, and the reader's box keeps what they typed:
 *   --etcd-servers=x         -> etcd-servers title:etcd^20 title:servers^20
 *   etcd-servers             -> the same (a word with inner dashes may be a flag)
 *   ETCD_LISTEN_CLIENT_URLS  -> listen-client-urls ... (prefixes from the catalog)
 * A single dash before a word ("-word") is the reader's own exclusion and is kept.
 *
 * Filter. On the /flags/ page, typing into the filter box hides the flags whose
 * name and meaning do not contain every typed word, and the components left
 * with none. Nothing is fetched: the list is in the page.
 */
(function () {
  "use strict";

  /* Environment prefixes of the catalog's components (ETCD_), written by the build. */
  var ENV_PREFIXES = __FLAGREF_ENV_PREFIXES__;
  var QUERY = 2; /* Material's SearchMessageType.QUERY */
  var BOOST = 100;

  /* --name or —name (a dash the editor turned typographic), an optional =value: the name. */
  var FLAG = /^(?:--|[\u2010-\u2015\u2212])([A-Za-z0-9][A-Za-z0-9._-]*)(?:=.*)?$/;
  /* A name with inner dashes: etcd-servers. */
  var DASHED = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+$/;
  /* UPPER_CASE words joined by single underscores. */
  var ENV = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

  function flagName(term) {
    var m = FLAG.exec(term);
    if (m) return m[1];
    if (DASHED.test(term)) return term;
    if (ENV.test(term)) {
      for (var i = 0; i < ENV_PREFIXES.length; i++) {
        var prefix = ENV_PREFIXES[i];
        if (term.indexOf(prefix) === 0 && term.length > prefix.length) {
          return term.slice(prefix.length).toLowerCase().replace(/_/g, "-");
        }
      }
    }
    return null;
  }

  /* A plain word: its exact form in a title is worth more than a longer word it begins. */
  var WORD = /^[A-Za-z0-9]+$/;

  function normalise(query) {
    if (typeof query !== "string" || query.indexOf('"') !== -1) return query;
    var out = [];
    var boosts = [];
    var terms = query.split(/\s+/);
    for (var i = 0; i < terms.length; i++) {
      var term = terms[i];
      if (!term) continue;
      var name = flagName(term);
      var parts = name === null ? (WORD.test(term) ? [term] : []) : name.split(/[-._]+/).filter(Boolean);
      out.push(name === null ? term : parts.join(" "));
      /* A flag's entry is headed by the flag itself: its words in a title weigh most. */
      for (var j = 0; j < parts.length; j++) boosts.push("title:" + parts[j].toLowerCase() + "^" + BOOST);
    }
    return out.concat(boosts).join(" ");
  }

  if (typeof Worker !== "undefined") {
    var post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message) {
      if (message && message.type === QUERY && typeof message.data === "string") {
        var args = Array.prototype.slice.call(arguments);
        args[0] = { type: QUERY, data: normalise(message.data) };
        return post.apply(this, args);
      }
      return post.apply(this, arguments);
    };
  }
  window.flagrefNormaliseQuery = normalise;

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
