/* First draws, one chart per task and only once a chart is in view. A chart's first Plotly draw costs
   40-150 ms on a small machine; the charts mounting together drew in one 400-600 ms task that held the page
   (no click, no scroll) until the last one was done, and charts below the fold were drawn before anyone
   looked at them. Now each first draw waits for its chart to come into view (presentation mode: at once,
   its slides are all laid out before they start) and runs in a task of its own. A chart already drawn
   redraws straight away (a filter change), so the order of one chart's draws never changes: dcc.Graph
   chains each draw on the promise of the one before. */
(function () {
  "use strict";
  var queue = [], pumping = false, observer = null;
  var lazy = new URLSearchParams(window.location.search).get("present") !== "1";

  function inView(gd) {
    if (!lazy) { return true; }
    var r = gd.getBoundingClientRect();
    if (!r.width && !r.height) { return true; }  /* not laid out (hidden): nothing to wait for */
    /* Inclusive, as IntersectionObserver's isIntersecting is: a chart whose edge touches the viewport's counts
       as in view. A strict test left such a chart waiting for a callback the observer never sends (scrolling
       it further in crosses no threshold). */
    return r.bottom >= 0 && r.top <= (window.innerHeight || 0) && r.right >= 0 && r.left <= (window.innerWidth || 0);
  }

  function nextTask(fn) {  /* a new task, without setTimeout's clamping */
    var ch = new MessageChannel();
    ch.port1.onmessage = fn;
    ch.port2.postMessage(0);
  }

  function ready() {  /* the first queued chart now in view, or one gone from the page (dropped) */
    return queue.findIndex(function (job) { return !job.gd.isConnected || inView(job.gd); });
  }

  function pump() {
    if (pumping || ready() < 0) { return; }
    pumping = true;
    nextTask(function () {
      pumping = false;
      var i = ready();
      if (i >= 0) {
        var job = queue.splice(i, 1)[0];
        if (observer) { observer.unobserve(job.gd); }
        job.run();
      }
      pump();
    });
  }

  /* The phone layout (assets/app.css): a chart re-laid for a narrow screen as it is drawn. Columns of many
     categories (districts) turn into horizontal bars, one row each; legends go below the plot; no text under
     11 px; at most five ticks on a number axis; no mode bar (a touch screen shows it all the time, over the
     legend). The figure Dash holds is not changed: a copy of what is touched is drawn. */
  var PHONE = "(max-width: 576px), (max-height: 500px) and (max-width: 960px)";
  var MIN_FONT = 11;
  function phone(gd) {
    return !!(window.matchMedia && window.matchMedia(PHONE).matches && gd && gd.closest &&
      !gd.closest("#present-root"));
  }
  function atLeast(font) {
    var f = Object.assign({}, font || {});
    if (typeof f.size === "number" && f.size < MIN_FONT) { f.size = MIN_FONT; }
    return f;
  }
  function swapped(obj, pairs) {
    var out = Object.assign({}, obj);
    pairs.forEach(function (p) {
      var a = obj[p[0]], b = obj[p[1]];
      delete out[p[0]]; delete out[p[1]];
      if (b !== undefined) { out[p[0]] = b; }
      if (a !== undefined) { out[p[1]] = a; }
    });
    return out;
  }
  function columnsToRows(data, layout) {
    var xa = layout.xaxis || {};
    var bars = data.length && data.every(function (tr) { return tr.type === "bar" && tr.orientation !== "h"; });
    var n = bars ? Math.max.apply(null, data.map(function (tr) { return (tr.x || []).length; })) : 0;
    if (!bars || xa.type !== "category" || n <= 5) { return null; }
    var rows = data.map(function (tr) {
      var out = swapped(tr, [["x", "y"]]);
      out.orientation = "h";
      if (typeof tr.hovertemplate === "string") {
        out.hovertemplate = tr.hovertemplate.replace(/%\{x\}/g, "%{__}").replace(/%\{y\}/g, "%{x}").replace(/%\{__\}/g, "%{y}");
      }
      return out;
    });
    var ya = Object.assign({}, xa, {autorange: "reversed", automargin: true});
    delete ya.tickangle;
    var lay = Object.assign({}, layout, {yaxis: ya, xaxis: Object.assign({}, layout.yaxis || {}, {nticks: 4})});
    lay.shapes = (layout.shapes || []).map(function (sh) {
      return swapped(sh, [["x0", "y0"], ["x1", "y1"], ["xref", "yref"]]);
    });
    lay.annotations = (layout.annotations || []).map(function (an) {
      var out = swapped(an, [["x", "y"], ["xref", "yref"]]);
      if (an.xref === "paper") {  /* a reference line's label: at the top (left end) or the bottom (right end) */
        out.y = an.x ? 0 : 1;
        out.yanchor = an.x ? "top" : "bottom";
      } else {
        out.yanchor = "middle";
      }
      out.xanchor = "left";
      return out;
    });
    var barGroups = layout.barmode === "group" ? data.length : 1;
    lay.height = Math.max(layout.height || 0, 90 + n * Math.max(22, 14 * barGroups));
    return {data: rows, layout: lay};
  }
  function forPhone(gd, fig) {
    if (!fig || !fig.layout || !phone(gd)) { return fig; }
    var data = fig.data || [], layout = Object.assign({}, fig.layout);
    var turned = columnsToRows(data, layout);
    if (turned) { data = turned.data; layout = turned.layout; }
    layout.font = atLeast(layout.font);
    ["xaxis", "yaxis", "yaxis2", "xaxis2"].forEach(function (k) {
      if (!layout[k]) { return; }
      var ax = Object.assign({}, layout[k]);
      ax.tickfont = atLeast(ax.tickfont);
      if (ax.title && ax.title.font) { ax.title = Object.assign({}, ax.title, {font: atLeast(ax.title.font)}); }
      if (ax.type !== "category" && !ax.tickvals && !ax.nticks) { ax.nticks = 5; }
      layout[k] = ax;
    });
    if (layout.annotations) {
      layout.annotations = layout.annotations.map(function (an) { return Object.assign({}, an, {font: atLeast(an.font)}); });
    }
    if (layout.showlegend !== false && data.length > 1) {
      layout.legend = Object.assign({}, layout.legend, {orientation: "h", x: 0, xanchor: "left", y: 0, yanchor: "bottom",
        yref: "container", font: atLeast((layout.legend || {}).font)});
      var rows = Math.ceil(data.filter(function (tr) { return tr.showlegend !== false; }).length / 2);
      var margin = Object.assign({}, layout.margin);
      margin.b = (margin.b || 40) + rows * 22 + 8;
      layout.margin = margin;
    }
    data = data.map(function (tr) { return tr.textfont ? Object.assign({}, tr, {textfont: atLeast(tr.textfont)}) : tr; });
    var config = Object.assign({}, fig.config, {displayModeBar: false});
    if (layout.height) {  /* taller than the card keeps for it: the card grows */
      var holder = gd.closest(".graph-holder");
      if (holder) { holder.style.minHeight = ""; }
      if (gd.parentElement) { gd.parentElement.style.height = layout.height + "px"; }
    }
    return Object.assign({}, fig, {data: data, layout: layout, config: config});
  }

  function schedule(P) {
    if (P.__stiScheduled || typeof P.react !== "function") { return; }
    var react = P.react;
    P.__stiScheduled = true;
    P.react = function (gd, fig) {
      var self = this, args = arguments;
      if (arguments.length === 2 && fig && typeof fig === "object" && !Array.isArray(fig)) {
        args = [gd, forPhone(gd, fig)];
      }
      if (!gd || gd._fullLayout || !gd.getBoundingClientRect) { return react.apply(self, args); }
      return new Promise(function (resolve, reject) {
        queue.push({gd: gd, run: function () {
          /* Unmounted while it waited (a tab switched away): nothing to draw, and the promise stays pending.
             dcc.Graph chains its next draw (a figure that came meanwhile) on this one, and that draw reads the
             graph's element, now gone: resolving here threw "reading 'classList' of null" in the page. */
          if (!gd.isConnected) { return; }
          try { resolve(react.apply(self, args)); } catch (err) { reject(err); }
        }});
        if (!observer) { observer = new IntersectionObserver(pump, {threshold: [0, 0.25, 1]}); }
        observer.observe(gd);
        pump();
      });
    };
  }

  if (window.Plotly) { schedule(window.Plotly); return; }
  var plotly, loading = null, loaded = function () {};
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    get: function () { return plotly || loading; },  /* while it loads: a promise dcc.Graph waits on */
    set: function (v) { plotly = v; if (v) { schedule(v); } loaded(); }
  });

  /* The page's plotly.js is the partial bundle the head preloads (#sti-plotly). It is evaluated as soon as
     the page's own scripts have run, while the layout request is out (~150 ms the main thread would
     otherwise spend after the layout came back, before the first chart), and dcc.Graph, which would load
     Dash's full plotly.js from window._dashPlotlyJSURL, finds it (or the promise of it) on window.Plotly. */
  var link = document.getElementById("sti-plotly");
  if (!link) { return; }
  var url = link.href;
  Object.defineProperty(window, "_dashPlotlyJSURL", {get: function () { return url; }, set: function () {}});
  loading = new Promise(function (resolve) { loaded = resolve; });
  function load() {
    var script = document.createElement("script");
    script.src = url;
    script.onerror = function () { loaded(); };  /* dcc.Graph then fails as it would have without it */
    document.head.appendChild(script);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", load); } else { load(); }
})();

/* One dataset version per page, one session's CSRF token on every callback request.
   Each callback request names the version the page was rendered for
   (the page root's data-version); when the server no longer serves it (a publish or a rollback), it answers
   409 with X-STI-Reload and the page reloads as a whole instead of mixing two versions' numbers. */
(function () {
  "use strict";
  var plain = window.fetch;
  if (!plain) { return; }
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    var root = document.querySelector("[data-version]");
    var csrf = document.querySelector('meta[name="sti-csrf"]');
    if (url.indexOf("_dash-update-component") < 0 || !(root || csrf)) { return plain.apply(this, arguments); }
    init = Object.assign({}, init || {});
    var headers = new Headers(init.headers || (typeof input === "string" ? undefined : input.headers));
    if (root) { headers.set("X-STI-Version", root.getAttribute("data-version")); }
    if (csrf) { headers.set("X-CSRF-Token", csrf.getAttribute("content")); }  /* the session's (components/server/auth.py) */
    init.headers = headers;
    return plain.call(this, input, init).then(function (resp) {
      if (resp.status === 401) {  /* the session ended: the page reloads into the login form */
        window.location.reload();
        return new Promise(function () {});
      }
      if (resp.status === 409 && resp.headers.get("X-STI-Reload")) {
        window.__stiReloading = true;
        window.location.reload();
        return new Promise(function () {});  /* never settles: nothing of the old page changes meanwhile */
      }
      return resp;
    });
  };
})();

/* Drill-down links (a card's "企业名单" / "中断记录"): the view on screen when followed. */
document.addEventListener("click", function (e) {
  var a = e.target && e.target.closest && e.target.closest("a.drill-link");
  var sti = window.dash_clientside && window.dash_clientside.sti;
  if (a && sti) { a.href = sti.drillURL(a.getAttribute("data-drill"), ""); }
}, true);

/* Data export links: the view on screen (the URL's filters and the page's dataset version) when followed. */
document.addEventListener("click", function (e) {
  var a = e.target && e.target.closest && e.target.closest("a.data-export-link");
  if (!a) { return; }
  var root = document.querySelector("[data-version]");
  var params = new URLSearchParams(window.location.search);
  if (root) { params.set("v", root.getAttribute("data-version")); }
  a.href = a.pathname + "?" + params.toString().replace(/%2C/g, ",");
}, true);

/* Back and forward: the URL the browser went to becomes the filters (`command`). */
window.addEventListener("popstate", function () {
  var set = window.dash_clientside && window.dash_clientside.set_props;
  window.__stiBack = true;  /* the URL this leads to replaces the entry, never pushes a new one */
  if (set) { set("page-url", {data: {search: window.location.search, at: Date.now()}}); }
});

/* Clientside callbacks of the dashboard (our own code): the filters, URL, tabs and header links stay in step
   in the browser, with no server round trip before the sections' own requests. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  sti: {
    /* Header links keep the current view (filters from the URL) and switch one parameter. */
    links: function (search, cfg) {
      function swap(key, value) {
        var p = new URLSearchParams(search || "");
        p.delete("slide");
        p.set(key, value);
        return "?" + p.toString().replace(/%2C/g, ",");
      }
      var page = cfg || {};  /* the language and theme the page was rendered in (URL or server default) */
      var lang = page.lang === "en" ? "zh" : "en";
      var theme = page.theme === "dark" ? "light" : "dark";
      return [swap("present", "1"), swap("lang", lang), swap("theme", theme)];
    },

    /* The drill-down page for the view on screen: /drill/enterprises?…&tier=… or /drill/outages?…&station=…. */
    drillURL: function (kind, query) {
      var p = new URLSearchParams(window.location.search);
      ["section", "present", "slide", "interval", "tier", "station", "v"].forEach(function (k) { p.delete(k); });
      new URLSearchParams(query || "").forEach(function (v, k) { p.set(k, v); });  /* tier=, station=, district= */
      var q = p.toString().replace(/%2C/g, ",");
      return "/drill/" + kind + (q ? "?" + q : "");
    },

    /* `value`, or no_update when it is what this output was last given (a re-render costs more than a compare). */
    changed: function (slot, value) {
      var memo = window.__stiLast = window.__stiLast || {};
      var text = JSON.stringify(value);
      if (memo[slot] === text) { return window.dash_clientside.no_update; }
      memo[slot] = text;
      return value;
    },

    /* The filters after a command: back/forward (the URL), 全市 (reset), a click on a bar or tile that carries a
       district code (that district toggled), a tab (its section). Filter changes made in the dropdowns do not
       pass here: they go straight to the sections and to `sync`, so no step stands before their requests. */
    command: function (back, reset, clicks, tabs, year, districts, period, basis, data, active) {
      var nu = window.dash_clientside.no_update;
      var ctx = window.dash_clientside.callback_context;
      var fired = (ctx.triggered || []).map(function (t) { return t.prop_id; });
      var sti = window.dash_clientside.sti;
      var y = year, chosen = sti.known(districts, data), section = active, sub = period || "", b = basis || "ytd";
      fired.forEach(function (p) {
        if (p === "page-url.data") {
          var params = new URLSearchParams((back && back.search) || "");
          var asked = /^[0-9]{4}$/.test(params.get("year") || "") ? parseInt(params.get("year"), 10) : null;
          var at = sti.period(params.get("period"));  /* period=2012-11 / 2012-Q3 / 2012: before year= */
          if (at) { asked = at.year; }
          y = data.years.indexOf(asked) >= 0 ? asked : data.years[data.years.length - 1];
          var offered = (data.periods[String(y)] || []).map(function (o) { return o.value; });
          sub = at && offered.indexOf(at.sub) >= 0 ? at.sub : "";
          b = params.get("basis") === "period" ? "period" : "ytd";
          chosen = sti.known(params.getAll("district").join(",").split(","), data);
          var tab = params.get("section");
          section = tab && data.sections.indexOf(tab) >= 0 ? tab : data.sections[0];
        } else if (p === "filter-reset.n_clicks") {
          chosen = [];
        } else if (p.charAt(0) === "{") {
          var id = JSON.parse(p.slice(0, p.lastIndexOf(".")));
          if (id.type === "sti-tab") { section = id.section; }
          if (id.type === "sti-graph") {
            var hit = ctx.triggered.filter(function (t) { return t.prop_id === p; })[0];
            var click = hit && hit.value, point = click && click.points && click.points[0];
            var cd = point ? point.customdata : null;
            var code = Array.isArray(cd) ? cd[0] : cd;
            var drill = (Array.isArray(cd) ? cd : [cd]).filter(function (c) {
              return typeof c === "string" && c.indexOf("drill:") === 0;
            })[0];
            var root = document.querySelector("[data-may-drill]");
            if (drill && root && root.getAttribute("data-may-drill") === "1") {
              /* a tier, a district's tier or a station: the rows behind it ('drill:<kind>:<query>'; analysts) */
              window.location.assign(sti.drillURL(drill.split(":")[1], drill.split(":").slice(2).join(":")));
            } else if (typeof code === "string" && data.names[code]) {
              chosen = chosen.indexOf(code) >= 0 ? chosen.filter(function (c) { return c !== code; }) : chosen.concat([code]);
              chosen.sort();
            }
          }
        }
      });
      if (chosen.length === data.codes.length) { chosen = []; }  /* every district is the whole city */
      var before = sti.known(districts, data);
      return [
        y === year ? nu : y,
        JSON.stringify(chosen) === JSON.stringify(before) && Array.isArray(districts) && districts.length === before.length ? nu : chosen,
        sub === (period || "") ? nu : sub,
        b === (basis || "ytd") ? nu : b,
        section === active ? nu : section
      ];
    },

    /* A URL's period: '2012' -> {year: 2012, sub: ''}, '2012-Q3' -> sub 'Q3', '2012-11' -> sub 'M11'; else null. */
    period: function (text) {
      var m = /^([0-9]{4})(?:-(?:[Qq]([1-4])|(0[1-9]|1[0-2])))?$/.exec((text || "").trim());
      if (!m) { return null; }
      return {year: parseInt(m[1], 10), sub: m[2] ? "Q" + m[2] : (m[3] ? "M" + m[3] : "")};
    },

    /* Known district codes, de-duplicated and sorted. */
    known: function (list, data) {
      var seen = {}, out = [];
      (list || []).forEach(function (c) {
        c = typeof c === "string" ? c.trim() : c;
        if (typeof c === "string" && data.names[c] && !seen[c]) { seen[c] = true; out.push(c); }
      });
      return out.sort();
    },

    /* What follows the filters in the browser: URL (history.pushState), options, caption,
       header links, the year in chart titles. `data` (components/filters.filter_data): years, districts,
       which districts report when. The caption, links and title years are written straight into the page:
       nothing else ever sets them, and a Dash output costs a store update across every component. */
    sync: function (year, districts, period, basis, active, data, cfg) {
      var sti = window.dash_clientside.sti, search = window.location.search;
      var chosen = sti.known(districts, data);
      if (chosen.length === data.codes.length) { chosen = []; }
      var has = {};
      (chosen.length ? chosen : data.codes).forEach(function (c) { (data.has[c] || []).forEach(function (v) { has[v] = true; }); });
      var available = data.years.filter(function (v) { return chosen.length === 0 || has[v]; });
      var params = new URLSearchParams(search || "");
      var periods = data.periods[String(year)] || data.yearOnly;
      var sub = period && periods.some(function (o) { return o.value === period; }) ? period : "";
      var b = basis === "period" ? "period" : "ytd";
      if (sub) { params.delete("year"); params.set("period", String(year) + "-" + (sub.charAt(0) === "Q" ? sub : sub.slice(1))); }
      else { params.delete("period"); params.set("year", String(year)); }
      if (b === "period") { params.set("basis", b); } else { params.delete("basis"); }
      if (chosen.length) { params.set("district", chosen.join(",")); } else { params.delete("district"); }
      if (active && data.sections.length && active !== data.sections[0]) { params.set("section", active); }
      else { params.delete("section"); }
      var query = "?" + params.toString().replace(/%2C/g, ",");
      var yearOptions = data.years.slice().reverse().map(function (v) {
        return {label: data.yearFmt.replace("{y}", String(v)), value: v, disabled: available.indexOf(v) < 0};
      });
      var districtOptions = data.codes.map(function (c) {
        var reports = (data.has[c] || []).indexOf(year) >= 0 || chosen.indexOf(c) >= 0;
        return {label: data.names[c], value: c, disabled: !reports};
      });
      var scope = chosen.length ? chosen.map(function (c) { return data.names[c]; }).join(data.sep) : data.whole;
      var links = sti.links(query, cfg);
      var label = sub ? data.labels[String(year) + "|" + sub + "|" + b] : null;
      sti.write("filter-caption", "textContent", label
        ? data.captionPeriod.replace("{period}", label).replace("{scope}", scope)
        : data.caption.replace("{year}", String(year)).replace("{scope}", scope));
      sti.write("header-present-link", "href", links[0]);
      sti.write("header-lang-link", "href", links[1]);
      sti.write("header-theme-link", "href", links[2]);
      var yearText = data.yearFmt.replace("{y}", String(year));  // a chart title's period: the year, or 1–N月
      document.querySelectorAll(".title-year").forEach(function (el) {
        el.textContent = el.getAttribute("data-when") === "period" ? (label || yearText) : String(year);
      });
      sti.markOffScreen();
      if (query !== search) { window.history[window.__stiBack ? "replaceState" : "pushState"](null, "", query); }
      window.__stiBack = false;
      return [
        sti.changed("yearOptions", yearOptions),
        sti.changed("districtOptions", districtOptions),
        sti.changed("periodOptions", periods)
      ];
    },

    /* Set one property of an element of the page, if it is there. */
    write: function (id, prop, value) {
      var el = document.getElementById(id);
      if (el && el[prop] !== value) { el[prop] = value; }
    },

    /* A filter changed: every chart out of view may now be out of date (the server leaves those as they are);
       the page asks for them when they come into view (and shows them faded until then). */
    markOffScreen: function () {
      var seen = window.__stiSeen || {};  /* kept by the viewport watcher below: no layout read here */
      document.querySelectorAll(".graph-holder").forEach(function (el) {
        if (!seen[el.id]) { el.setAttribute("data-stale", "1"); }
      });
    },

    /* The tabs show which section is open. */
    tabs: function (active, ids) {
      return [
        ids.map(function (id) { return id.section === active ? "nav-link active" : "nav-link"; }),
        ids.map(function (id) { return id.section === active ? "true" : "false"; })
      ];
    }
  }
});

/* Only what is seen is drawn: the page tells the server which charts are in view (a quarter of them at
   least: page-visible-charts), and bumps page-seen when a chart it left stale comes into view. */
(function () {
  "use strict";
  var SEEN = 0.25;  /* the share of a chart in view that counts as seen */
  var SETTLE_MS = 200;  /* seen for this long (a passing layout shift or a fast scroll is not a look) */
  var visible = window.__stiSeen = {}, observer = null, sent = "", timer = null;

  function inView(el) {
    var r = el.getBoundingClientRect(), h = window.innerHeight || 0;
    var shown = Math.min(r.bottom, h) - Math.max(r.top, 0);
    return r.height > 0 && shown / r.height >= SEEN;
  }

  function report() {
    timer = null;
    var set = window.dash_clientside && window.dash_clientside.set_props;
    if (!set) { later(); return; }  /* Dash not running yet: ask again shortly */
    var woke = false;
    document.querySelectorAll(".graph-holder").forEach(function (el) {
      var now = inView(el);
      if (now && el.getAttribute("data-stale") === "1") { woke = true; el.removeAttribute("data-stale"); }
      visible[el.id] = now;
    });
    var ids = Object.keys(visible).filter(function (k) { return visible[k]; }).sort();
    var text = JSON.stringify(ids);
    if (text !== sent) { sent = text; set("page-visible-charts", {data: ids}); }
    if (woke) { set("page-seen", {data: Date.now()}); }
  }

  function later() { if (!timer) { timer = window.setTimeout(report, SETTLE_MS); } }

  function watch() {
    if (!observer) { observer = new IntersectionObserver(later, {threshold: [0, SEEN, 1]}); }
    document.querySelectorAll(".graph-holder").forEach(function (el) {
      if (!el.__stiWatched) { el.__stiWatched = true; observer.observe(el); }
    });
    Object.keys(visible).forEach(function (id) {  /* charts gone with a tab switch are no longer seen */
      if (!document.getElementById(id)) { delete visible[id]; }
    });
  }

  function start() {
    watch();
    new MutationObserver(function () { watch(); }).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

/* Blocks (KPI cards, headline numbers, sentences) are drawn by the page, not by Dash. A block is one Dash
   element with no children; its content, Dash component JSON, comes in its `data-paint` attribute (in the
   served layout, then from the callback). Where the block already has that shape (as a filter change leaves
   it: same cards, new numbers) only texts and attributes are set; otherwise its elements are built anew.
   Dash so keeps one component per block instead of one per card and line: every Dash component costs
   every update on the page, in the browser, more than all the block's numbers. */
(function () {
  "use strict";
  var HTML = "dash_html_components";
  var KEPT = {id: true, children: true, className: true, style: true, key: true};
  var SCRATCH = document.createElement("div");

  function isText(children) { return typeof children === "string" || typeof children === "number"; }

  function items(children) {
    var list = children === null || children === undefined ? [] : Array.isArray(children) ? children : [children];
    return list.filter(function (c) { return c !== null && c !== undefined && c !== false && c !== ""; });
  }

  function css(style) {
    return Object.keys(style || {}).map(function (k) {
      var name = k.indexOf("--") === 0 ? k : k.replace(/[A-Z]/g, function (m) { return "-" + m.toLowerCase(); });
      return name + ":" + style[k];
    }).join(";");
  }

  /* Whether the content is plain HTML components and text (all a block may hold). */
  function plain(children) {
    if (isText(children)) { return true; }
    return items(children).every(function (c) {
      return isText(c) || (c && c.namespace === HTML && typeof c.type === "string" && plain((c.props || {}).children));
    });
  }

  /* Whether `el`'s children have the shape of `children` (tags and counts; text where text is). */
  function fits(el, children) {
    if (isText(children)) { return el.children.length === 0; }
    var list = items(children), nodes = el.childNodes;
    if (nodes.length !== list.length) { return false; }
    for (var i = 0; i < list.length; i++) {
      var c = list[i], n = nodes[i];
      if (isText(c)) {
        if (n.nodeType !== 3) { return false; }
      } else if (n.nodeType !== 1 || n.tagName !== String(c.type).toUpperCase() || !fits(n, (c.props || {}).children)) {
        return false;
      }
    }
    return true;
  }

  function setProps(el, props) {
    var want = {};
    Object.keys(props).forEach(function (k) {
      var v = props[k];
      if (KEPT[k] || v === null || v === undefined || v === false || typeof v === "object") { return; }
      var name = k === "htmlFor" ? "for" : k.toLowerCase(), text = v === true ? "" : String(v);
      if (name.indexOf("on") === 0 || /^\s*(javascript|data|vbscript):/i.test(text)) { return; }  /* never code */
      want[name] = text;
    });
    if (typeof props.id === "string") { want.id = props.id; }
    var cls = props.className || "";
    if ((el.getAttribute("class") || "") !== cls) { if (cls) { el.setAttribute("class", cls); } else { el.removeAttribute("class"); } }
    SCRATCH.style.cssText = css(props.style);  /* written as the browser writes it, to compare like with like */
    var style = SCRATCH.getAttribute("style") || "";
    if ((el.getAttribute("style") || "") !== style) { if (style) { el.setAttribute("style", style); } else { el.removeAttribute("style"); } }
    Array.prototype.slice.call(el.attributes).forEach(function (a) {
      if (!(a.name in want) && a.name !== "class" && a.name !== "style") { el.removeAttribute(a.name); }
    });
    Object.keys(want).forEach(function (k) { if (el.getAttribute(k) !== want[k]) { el.setAttribute(k, want[k]); } });
  }

  var NEVER = {script: true, iframe: true, object: true, embed: true, style: true, link: true, meta: true, base: true};

  function build(c) {
    if (isText(c)) { return document.createTextNode(String(c)); }
    var tag = String(c.type).toLowerCase();
    if (NEVER[tag]) { return document.createTextNode(""); }  /* a block holds text and layout, never code */
    var el = document.createElement(tag);
    setProps(el, c.props || {});
    fill(el, (c.props || {}).children);
    return el;
  }

  function fill(el, children) {
    if (isText(children)) { el.textContent = String(children); return; }
    el.replaceChildren.apply(el, items(children).map(build));
  }

  function repaint(el, children) {
    if (isText(children)) {
      if (el.textContent !== String(children)) { el.textContent = String(children); }
      return;
    }
    var list = items(children), nodes = el.childNodes;
    list.forEach(function (c, i) {
      var n = nodes[i];
      if (isText(c)) {
        if (n.nodeValue !== String(c)) { n.nodeValue = String(c); }
      } else {
        setProps(n, c.props || {});
        repaint(n, (c.props || {}).children);
      }
    });
  }

  /* Nothing moves up when a filter change shortens a painted block (KPI cards without a status line, a
     shorter sentence): a block keeps the tallest height it has had at this window width. A page that jumped
     would lose the reader's place, and charts below would come into view and have their first draw
     (~100 ms each) inside the change. */
  function hold(holder) {
    var width = String(window.innerWidth);
    if (holder.getAttribute("data-held-width") !== width) {
      holder.style.minHeight = "";
      holder.setAttribute("data-held-width", width);
    }
    var h = holder.getBoundingClientRect().height;
    if (h > (parseFloat(holder.style.minHeight) || 0)) { holder.style.minHeight = h + "px"; }
  }

  /* The page's painter carries every block that changed in one update: {holder id: content}. */
  function distribute(text) {
    var map;
    try { map = JSON.parse(text); } catch (e) { return; }
    if (!map || typeof map !== "object") { return; }
    Object.keys(map).forEach(function (id) {
      var holder = document.getElementById(id), el = holder && holder.firstElementChild;
      if (el && el.hasAttribute("data-paint")) {
        hold(holder);
        el.setAttribute("data-paint", JSON.stringify(map[id]));
        paint(el);
      }
    });
  }

  function paint(el) {
    var text = el.getAttribute("data-paint");
    if (text === null || el.__stiPainted === text) { return; }
    if (el.id === "page-painter") { el.__stiPainted = text; distribute(text); return; }
    var children;
    try { children = JSON.parse(text); } catch (e) { return; }
    if (!plain(children)) { return; }  /* nothing else is sent: a block holds HTML and text */
    el.__stiPainted = text;
    if (fits(el, children)) { repaint(el, children); } else { fill(el, children); }
    if (window.__stiGrids) { window.__stiGrids(el); }  /* a sorted table keeps its order */
  }

  /* Dash 4's dropdown takes keyboard focus on a hidden input (aria-hidden, yet focusable: a serious
     accessibility fault) that hands it on to the button. Make the button itself the tab stop and the input
     inert: the same keys open the list (the button handles Enter and ArrowDown), and nothing hidden is
     focusable. */
  function dropdowns(root) {
    root.querySelectorAll("input.dash-dropdown-focus-target").forEach(function (input) {
      var button = input.nextElementSibling;
      if (input.inert || !button || button.disabled) { return; }
      input.inert = true;
      button.tabIndex = 0;
    });
  }

  /* A chart's text alternative: its numbers as a table in a <details> under it, built from the figure on screen
     (its layout.meta.table) when opened and rebuilt after each redraw while open. */
  function strip(v) { return String(v === null || v === undefined ? "" : v).replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, ""); }

  function text(v) { return v === null || v === undefined ? "" : String(v); }

  function number(v, lang) {
    if (typeof v !== "number" || !isFinite(v)) { return v === null || v === undefined || v === "" ? "—" : text(v); }
    return v.toLocaleString(lang === "en" ? "en-US" : "zh-CN", {maximumFractionDigits: 2});
  }

  /* The chart's table as the server built it with the figure (components/charts/tables.py with_table): the one
     implementation of the rules, shared with the CSV/XLSX export. */
  function tableOf(gd) {
    var meta = (gd.layout || {}).meta || {};
    return meta.empty ? null : (meta.table || null);
  }

  /* The chart's events (the 大事记 lane, components/figures.with_events) as text: one item per event, from its
     hover (a long title wraps onto lines that do not start with a date; names arrive escaped once). */
  var ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&#37;": "%"};
  function eventsOf(gd) {
    var trace = (gd.data || []).filter(function (t) { return t.uid === "sti-events"; })[0];
    if (!trace) { return null; }
    var items = [];
    Array.prototype.forEach.call(trace.hovertext || [], function (h) {
      String(h).split(/<br\s*\/?>/i).forEach(function (line) {
        var text = strip(line).replace(/&(amp|lt|gt|#37);/g, function (m) { return ENTITIES[m]; }).trim();
        if (!text) { return; }
        if (items.length && !/^[0-9]{4}-[0-9]{2} |^…/.test(text)) { items[items.length - 1] += " " + text; } else { items.push(text); }
      });
    });
    return items.length ? {name: strip(trace.name), items: items} : null;
  }

  function drawEvents(gd, box) {
    var found = eventsOf(gd);
    if (!found) { return; }
    var heading = document.createElement("p"), list = document.createElement("ul");
    heading.className = "chart-events-title";
    heading.textContent = found.name;
    list.className = "chart-events";
    found.items.forEach(function (text) { var li = document.createElement("li"); li.textContent = text; list.appendChild(li); });
    box.appendChild(heading);
    box.appendChild(list);
  }

  function drawTable(details) {
    var slot = details.parentNode, card = slot.closest(".graph-card");
    var gd = card && card.querySelector(".js-plotly-plot"), box = details.querySelector(".chart-table");
    var table = gd ? tableOf(gd) : null, lang = slot.dataset.lang;
    box.textContent = "";
    if (!table || !table.rows.length) { box.textContent = slot.dataset.empty; return; }
    var t = document.createElement("table"), caption = document.createElement("caption");
    var title = card.querySelector("[id$='-title']");
    t.className = "table table-sm";
    caption.textContent = title ? title.textContent : "";
    t.appendChild(caption);
    var head = t.createTHead().insertRow();
    table.columns.forEach(function (c) { var th = document.createElement("th"); th.scope = "col"; th.textContent = c; head.appendChild(th); });
    var body = t.createTBody();
    table.rows.forEach(function (row) {
      var tr = body.insertRow();
      row.forEach(function (v, i) {
        var cell = document.createElement(i ? "td" : "th");
        if (!i) { cell.scope = "row"; }
        cell.textContent = i ? number(v, lang) : text(v);
        tr.appendChild(cell);
      });
    });
    box.appendChild(t);
    drawEvents(gd, box);
    if (gd && !gd.__stiTable && gd.on) {
      gd.__stiTable = true;
      gd.on("plotly_afterplot", function () { if (details.open) { drawTable(details); } });
    }
  }

  function tables(root) {
    var slots = root.classList && root.classList.contains("chart-data") ? [root] : root.querySelectorAll(".chart-data");
    Array.prototype.forEach.call(slots, function (slot) {
      if (slot.firstChild) { return; }
      var details = document.createElement("details"), summary = document.createElement("summary");
      var box = document.createElement("div");
      summary.textContent = slot.dataset.label;
      box.className = "chart-table";
      details.appendChild(summary);
      details.appendChild(box);
      details.addEventListener("toggle", function () { if (details.open) { drawTable(details); } });
      slot.appendChild(details);
    });
  }

  function paintAll(root) {
    if (root.nodeType !== 1) { return; }
    if (root.hasAttribute("data-paint")) { paint(root); }
    root.querySelectorAll("[data-paint]").forEach(paint);
    dropdowns(root);
    tables(root);
  }

  window.__stiPaint = paint;
  function start() {
    paintAll(document.body);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "attributes") { paint(r.target); } else { r.addedNodes.forEach(paintAll); }
      });
    }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-paint"]});
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

/* Status tables (the scorecard): a heading's button sorts the rows by that column (an indicator by its
   completion rank, best first; the district column in the dataset's order; the summary by how many are on
   track), a second click reverses. The order is kept when a filter change repaints the table. A row (or its
   district link, by keyboard) opens that district's view: the filter is set as if chosen in the dropdown. */
(function () {
  "use strict";
  var order = {};  /* table id -> {key, dir} */

  function rankOf(tr, key) {
    if (key === "row") { return Number(tr.getAttribute("data-order")); }
    if (key === "summary") {
      var s = tr.querySelector(".grid-summary");
      return -Number(s ? s.getAttribute("data-value") : 0);  /* most on track first */
    }
    var cell = Array.prototype.filter.call(tr.cells, function (c) { return c.getAttribute("data-indicator") === key; })[0];
    var r = cell ? cell.getAttribute("data-rank") : "";  /* compared as text: any indicator id is safe */
    return r ? Number(r) : Infinity;  /* no rank: last */
  }

  function apply(table) {
    var want = order[table.id], body = table.tBodies[0];
    if (!want || !body) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = rankOf(a, want.key), y = rankOf(b, want.key);
      if (x === y) { return Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order")); }
      if (x === Infinity) { return 1; }
      if (y === Infinity) { return -1; }
      return want.dir * (x - y);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.getAttribute("data-key") === want.key) {
        var up = want.key === "summary" ? want.dir < 0 : want.dir > 0;  /* the summary sorts by -count */
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }

  window.__stiGrids = function (root) {
    (root.querySelectorAll ? root.querySelectorAll("table.grid-table") : []).forEach(apply);
  };

  document.addEventListener("click", function (e) {
    var target = e.target && e.target.closest ? e.target : null;
    if (!target) { return; }
    var button = target.closest("button.grid-sort");
    if (button) {
      var table = button.closest("table"), key = button.getAttribute("data-sort");
      var now = order[table.id];
      order[table.id] = {key: key, dir: now && now.key === key ? -now.dir : 1};
      apply(table);
      return;
    }
    var row = target.closest("tr.grid-row");
    var link = row && row.querySelector("a.grid-open");
    var set = window.dash_clientside && window.dash_clientside.set_props;
    if (!link || !set || e.ctrlKey || e.metaKey || e.shiftKey || e.button > 0) { return; }  /* new tab: the link */
    e.preventDefault();
    set("filter-districts", {value: [link.getAttribute("data-open")]});
    window.scrollTo({top: 0, behavior: "smooth"});
  });
})();

/* Menus made of <details> (the data export menu): closed by a click elsewhere, by Escape (focus back on the
   menu's button), and once one of its items is followed. */
document.addEventListener("click", function (e) {
  document.querySelectorAll("details.sti-menu[open]").forEach(function (menu) {
    var onItem = e.target.closest && e.target.closest(".dropdown-item");
    if (!menu.contains(e.target) || onItem) { menu.removeAttribute("open"); }
  });
});
document.addEventListener("keydown", function (e) {
  if (e.key !== "Escape") { return; }
  document.querySelectorAll("details.sti-menu[open]").forEach(function (menu) {
    menu.removeAttribute("open");
    var summary = menu.querySelector("summary");
    if (summary) { summary.focus(); }
  });
});

/* The phone layout (assets/app.css, PHONE below): the header's buttons behind one ☰ menu, the filters behind
   their one-line summary (a sheet that opens under it), and a KPI card's detail on a tap (the card's full-size
   button: components/page/kpi_detail.py draws the dialog). Nothing here runs its effects on a desk's screen:
   the buttons it listens to are hidden there. */
(function () {
  "use strict";
  function toggle(button, box, cls, open) {
    if (!button || !box) { return; }
    var now = open === undefined ? button.getAttribute("aria-expanded") !== "true" : open;
    button.setAttribute("aria-expanded", now ? "true" : "false");
    box.classList.toggle(cls, now);
  }
  function header() { return document.querySelector(".page-header"); }
  function bar() { return document.querySelector(".filter-bar"); }

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!t || !t.closest) { return; }
    if (t.closest("#menu-toggle")) { toggle(document.getElementById("menu-toggle"), header(), "menu-open"); return; }
    if (t.closest("#filter-open")) { toggle(document.getElementById("filter-open"), bar(), "sheet-open"); return; }
    if (t.closest("#filter-done")) {
      toggle(document.getElementById("filter-open"), bar(), "sheet-open", false);
      var opener = document.getElementById("filter-open");
      if (opener) { opener.focus(); }
      return;
    }
    var open = t.closest(".kpi-open");
    if (open && window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("kpi-detail", {data: {indicator: open.getAttribute("data-open"), at: Date.now()}});
      return;
    }
    if (t.closest("#header-actions a")) { toggle(document.getElementById("menu-toggle"), header(), "menu-open", false); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    var h = header(), b = bar();
    if (h && h.classList.contains("menu-open")) { toggle(document.getElementById("menu-toggle"), h, "menu-open", false); }
    if (b && b.classList.contains("sheet-open")) { toggle(document.getElementById("filter-open"), b, "sheet-open", false); }
  });
})();
