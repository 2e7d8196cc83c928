/* flagref: the site search, answered by Pagefind behind Material's search box.
 *
 * Material's page script talks to a search worker with four messages:
 *   {type: 0, data: ...}   SETUP  (Material sends its own index: not used here)
 *   {type: 1}              READY  (sent back once Pagefind is loaded)
 *   {type: 2, data: query} QUERY  (the text of the search box, on every key)
 *   {type: 3, data: {items: [[page, section...], ...]}}  RESULT
 * The theme points Material at this worker instead of its lunr one, so the
 * search box, its keyboard shortcuts and its result list stay Material's.
 *
 * The index is Pagefind's (built with the site, in <site>/pagefind/, and on
 * a large site in shards beside it): one record per post and one per flag
 * entry, each flag record carrying the entry it opens (meta "target"). A
 * query is read as a reader writes it:
 *   --etcd-servers, —etcd-servers, --etcd-servers=URL, etcd-servers
 *       a flag: its entries come first (exact name, Kubernetes components
 *       first), then the posts that use it, then the other matches;
 *   ETCD_LISTEN_CLIENT_URLS   a flag set by environment variable: the same;
 *   etcd servers              words that spell an entry's name with dashes: the same;
 *   "two words"               a phrase (Pagefind matches it exactly);
 *   -word                     leave out results that contain the word.
 * Every text taken from the index is escaped before Material inserts it as HTML.
 */
"use strict";

/* Environment prefixes of the catalog's components (ETCD_), written by the build. */
var ENV_PREFIXES = __FLAGREF_ENV_PREFIXES__;
/* Results a query returns: Material lists them all, so this bounds what each query loads. */
var LIMIT = 20;
/* The first answer: what a result list shows before any scrolling. Each result is a fragment
 * fetched from the site, and on a fresh page loading 20 of them took as long as the search;
 * the first ten are sent as soon as they are in, and the list is completed after. */
var FIRST = 10;
/* Headings of a post shown under it (collapsed by Material under "more on this page"). */
var SECTIONS = 3;

var ROOT = new URL("../../", self.location.href);
var pagefind = null;
var latest = 0;

/* --name or —name (a dash the editor turned typographic), an optional =value: the name. */
var FLAG = /^(?:--|[\u2010-\u2015\u2212])([A-Za-z0-9][A-Za-z0-9._-]*)(?:=.*)?$/;
/* A name with inner dashes: etcd-servers. */
var DASHED = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+$/;
/* UPPER_CASE words joined by single underscores. */
var ENV = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
/* The reader's own exclusion: one dash, then a word. */
var EXCLUDE = /^-([A-Za-z0-9][A-Za-z0-9._]*)$/;

function flagName(term) {
  var m = FLAG.exec(term);
  if (m) return m[1].toLowerCase();
  if (DASHED.test(term)) return term.toLowerCase();
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

/* Plain words may spell a flag with spaces ("etcd servers"): runs of 2 to 4 of them, joined by dashes. */
var MAX_RUN = 4;
var MAX_CANDIDATES = 6;
var WORD = /^[A-Za-z0-9]+$/;

function candidates(words) {
  var out = [];
  for (var n = MAX_RUN; n >= 2; n--) {
    for (var i = 0; i + n <= words.length && out.length < MAX_CANDIDATES; i++) {
      var run = words.slice(i, i + n);
      if (run.every(function (w) { return WORD.test(w); })) {
        var name = run.join("-").toLowerCase();
        /* The text searched when the run is a flag: the run as the one word it spells. */
        out.push({ name: name, text: typed(words.slice(0, i).concat([name], words.slice(i + n)).join(" ")) });
      }
    }
  }
  return out;
}

/* The query as Pagefind reads it, the flag names it names, and the words to leave out. */
function parse(query) {
  var words = [];
  var flags = [];
  var exclude = [];
  /* Quoted phrases pass through whole; other terms are split on white space. */
  var parts = query.match(/"[^"]*"?|[^\s"]+/g) || [];
  for (var i = 0; i < parts.length; i++) {
    var term = parts[i];
    if (term.charAt(0) === '"') { words.push(term); continue; }
    var out = EXCLUDE.exec(term);
    if (out) { exclude.push(out[1].toLowerCase()); continue; }
    var name = flagName(term);
    if (name !== null) {
      flags.push(name);
      words.push(name);
    } else {
      words.push(term);
    }
  }
  return { text: typed(words.join(" ")), flags: flags, maybe: flags.length ? [] : candidates(words), exclude: exclude };
}

/* Shortest last word searched while other words are there. Each key sends a query, and Pagefind
 * loads the index chunks of every word the last one may begin: "etcd-s" would load those of all
 * the words in "s". Until the word has MIN_LAST letters, the other words answer. */
var MIN_LAST = 3;

function typed(text) {
  var m = /[\s\-_.=]+([A-Za-z0-9]{1,2})$/.exec(text);
  if (m === null || m[1].length >= MIN_LAST) return text;
  var head = text.slice(0, m.index);
  return /[A-Za-z0-9]/.test(head) && head.indexOf('"') === -1 ? head : text;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

/* A Pagefind URL ("/posts/x/#h") as Material wants it: relative to the site root. */
function siteRelative(url) {
  return String(url || "").replace(/^\/+/, "");
}

/* Whole-word test for an excluded word in a result's text. */
function contains(text, word) {
  var at = text.indexOf(word);
  while (at !== -1) {
    var before = at === 0 ? "" : text.charAt(at - 1);
    var after = text.charAt(at + word.length);
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return true;
    at = text.indexOf(word, at + 1);
  }
  return false;
}

/* One result as Material's list shows it: a group, the page first, then its sections. */
function group(data, score, terms) {
  var meta = data.meta || {};
  if (meta.target) {
    /* A flag entry: its component's page, then the entry itself (higher score: Enter opens it). */
    var page = meta.target.split("#")[0];
    return [
      { location: page, title: escapeHtml(meta.component || ""), text: "", score: score, terms: terms },
      {
        location: meta.target,
        title: escapeHtml(meta.flag || meta.title || ""),
        text: escapeHtml(meta.summary || ""),
        score: score + 0.5,
        terms: terms,
      },
    ];
  }
  var items = [
    {
      location: siteRelative(data.url),
      title: escapeHtml(meta.title || data.url),
      /* Pagefind's excerpt: the page's text, escaped, with <mark> around the matches. */
      text: data.excerpt || "",
      score: score,
      terms: terms,
    },
  ];
  var subs = data.sub_results || [];
  for (var i = 0, n = 0; i < subs.length && n < SECTIONS; i++) {
    if (String(subs[i].url).indexOf("#") === -1) continue;
    items.push({
      location: siteRelative(subs[i].url),
      title: escapeHtml(subs[i].title || ""),
      text: subs[i].excerpt || "",
      score: score - 0.25,
      terms: terms,
    });
    n++;
  }
  return items;
}

/* The last searches and their answers. While a reader types "etcd -servers" every key after the dash
 * asks for "etcd" again; the index does not change under a page, so an answer is good until it is
 * pushed out. */
var RECENT = 16;
var recent = new Map();

function search(text, options) {
  var key = JSON.stringify([text, options || null]);
  var found = recent.get(key);
  if (found === undefined) {
    found = pagefind.search(text, options);
    /* A failed search is not kept: the next key tries again. */
    found.catch(function () { recent.delete(key); });
  } else {
    recent.delete(key);
  }
  recent.set(key, found); /* newest last: Map keeps insertion order */
  if (recent.size > RECENT) recent.delete(recent.keys().next().value);
  return found;
}

/* The names of the flags that have an entry: the values of the flag records' "flag" filter, loaded
 * once (a few KB, which a search by flag name loads anyway). Words that spell no flag then cost no
 * search: each key of "kubernetes cluster" used to ask Pagefind for an entry "kubernetes-cluster". */
var entries = null;

function entryNames() {
  if (entries === null) {
    entries = pagefind.filters().then(function (filters) {
      return new Set(Object.keys((filters && filters.flag) || {}));
    });
    /* A failed load is not kept: the next query tries again. */
    entries.catch(function () { entries = null; });
  }
  return entries;
}

/* Thrown when a newer query came in: the older one stops where it is. */
var SUPERSEDED = {};
/* A query gives way to the keys already queued behind it before it searches: a zero-delay timer runs
 * after the messages that came first. It waits no longer: a reader's keys come 30 ms apart at the
 * fastest, and a wait of 15 ms caught none of them but delayed every answer (and, by starting each
 * search later, made the last key wait longer for the search of the key before it). */
var SETTLE_MS = 0;

async function answer(query, current, partial) {
  var parsed = parse(query);
  /* One letter matches too much to be worth its download: wait for the second. */
  if (parsed.text.replace(/[^A-Za-z0-9]/g, "").length < 2) return { items: [] };
  await new Promise(function (resolve) { setTimeout(resolve, SETTLE_MS); });
  current();
  if (parsed.maybe.length) {
    /* Words that spell a flag name count as that flag when the index has an entry of that name. */
    var names = await entryNames();
    current();
    var spelt = parsed.maybe.filter(function (c) { return names.has(c.name); })[0];
    if (spelt) {
      /* "etcd servers" is --etcd-servers: searched as that one word, it finds the posts that write
       * the flag, and costs Pagefind far less than two common words matching nearly every post. */
      parsed.flags = [spelt.name];
      parsed.text = spelt.text;
    }
  }
  /* The text search, and each flag's own entries (exact name; always with the name as search
   * words: a search by filter alone loads the whole index). */
  var searches = [search(parsed.text)];
  parsed.flags.forEach(function (name) {
    searches.push(search(name, { filters: { flag: name, kind: "flag" }, sort: { order: "asc" } }));
  });
  var found = await Promise.all(searches);
  current();
  var ordered = [];
  var seen = new Set();
  function add(r) { if (!seen.has(r.id)) { seen.add(r.id); ordered.push(r); } }
  for (var f = 1; f < found.length; f++) (found[f].results || []).forEach(add);
  var entries = ordered.length;
  (found[0].results || []).forEach(add);

  var terms = {};
  parsed.text.replace(/"/g, "").split(/[\s\-_.=]+/).forEach(function (w) { if (w) terms[w.toLowerCase()] = true; });
  var wanted = new Set(parsed.flags);
  var kept = [];
  function result() {
    var shown = kept.slice().sort(function (x, y) { return x.rank - y.rank; }); /* stable: each rank keeps its order */
    return { items: shown.map(function (k, i) { return group(k.data, LIMIT * 2 - i, terms); }) };
  }
  /* Load a batch at a time: results that hold an excluded word are left out and the next ones taken. */
  var next = 0;
  var sent = false;
  while (next < ordered.length && kept.length < LIMIT) {
    var size = kept.length < FIRST ? FIRST - kept.length : LIMIT - kept.length;
    var start = next;
    var batch = await Promise.all(ordered.slice(start, start + size).map(function (r) { return r.data(); }));
    next = start + batch.length;
    current();
    for (var b = 0; b < batch.length; b++) {
      var data = batch[b];
      var body = (((data.meta && data.meta.title) || "") + " " + (data.content || "")).toLowerCase();
      if (parsed.exclude.some(function (w) { return contains(body, w); })) continue;
      /* Below the entries, the posts that use the flag come before other matches (text order kept). */
      var uses = start + b >= entries && String((data.meta && data.meta.flags) || "").split(" ").some(function (n) {
        return wanted.has(n);
      });
      kept.push({ data: data, rank: start + b < entries ? 0 : uses ? 1 : 2 });
    }
    if (!sent && kept.length >= FIRST && kept.length < LIMIT && next < ordered.length) {
      sent = true;
      partial(result());
    }
  }
  return result();
}

async function setup() {
  if (pagefind === null) {
    var bundle = new URL("pagefind/", ROOT);
    var loaded = await import(new URL("pagefind.js", bundle).href);
    /* Where the bundle is, said rather than guessed: a Pagefind before 1.5 guesses it from the page's
     * script, which a worker has not, and looks for it at the server's root. */
    await loaded.options({ baseUrl: "/", basePath: bundle.pathname });
    await loaded.init();
    /* A large site's index is in shards (each indexed by a Pagefind of bounded memory), listed by
     * the build: they are searched with the first and their results merged by score. Every flag
     * entry is in the first, so a flag's entries keep their order. */
    var shards = await fetch(new URL("flagref-shards.json", bundle).href, { cache: "no-cache" }).then(
      function (listing) { return listing.ok ? listing.json().then(function (l) { return l.shards || []; }) : []; },
      function () { return []; }
    );
    /* Only shards that are there are merged: Pagefind keeps a shard it failed to load, and then
     * fails every search (a listing cached from an earlier build may name one gone). Their pages
     * are left out; the others still answer. */
    await Promise.all(shards.map(function (path) {
      var shard = new URL(path, bundle);
      return fetch(new URL("pagefind-entry.json", shard).href, { cache: "no-cache" }).then(function (entry) {
        if (!entry.ok) throw new Error("HTTP " + entry.status);
        return loaded.mergeIndex(shard.pathname, { baseUrl: "/" });
      }).catch(function (error) {
        console.warn("flagref search: shard " + path + " not loaded", error);
      });
    }));
    pagefind = loaded;
  }
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type === 0) {
    setup().then(
      function () { self.postMessage({ type: 1 }); },
      function (error) {
        /* No index (a build without Pagefind): the box answers nothing rather than failing. */
        console.warn("flagref search: no search index", error);
        pagefind = {
          search: async function () { return { results: [] }; },
          filters: async function () { return {}; },
        };
        self.postMessage({ type: 1 });
      }
    );
  } else if (message.type === 2 && typeof message.data === "string") {
    var ticket = ++latest;
    var query = message.data;
    var current = function () { if (ticket !== latest) throw SUPERSEDED; };
    /* A reader types faster than results load: only the newest query's answers are shown. */
    var send = function (result) {
      result.query = query; /* which query this answers (Material reads only the items) */
      if (ticket === latest) self.postMessage({ type: 3, data: result });
    };
    answer(query, current, send).then(send, function (error) {
      if (error === SUPERSEDED) return;
      console.warn("flagref search:", error);
      if (ticket === latest) self.postMessage({ type: 3, data: { items: [], query: query } });
    });
  }
});
