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
    command: function (search, reset, clicks, tabs, year, districts, data, active) {
      var nu = window.dash_clientside.no_update;
      var ctx = window.dash_clientside.callback_context;
      var fired = (ctx.triggered || []).map(function (t) { return t.prop_id; });
      var sti = window.dash_clientside.sti;
      var y = year, chosen = sti.known(districts, data), section = active;
      fired.forEach(function (p) {
        if (p === "page-url.search") {
          var params = new URLSearchParams(search || "");
          var asked = /^[0-9]{4}$/.test(params.get("year") || "") ? parseInt(params.get("year"), 10) : null;
          y = data.years.indexOf(asked) >= 0 ? asked : data.years[data.years.length - 1];
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
            var code = point ? (Array.isArray(point.customdata) ? point.customdata[0] : point.customdata) : null;
            if (typeof code === "string" && data.names[code]) {
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
        section === active ? nu : section
      ];
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

    /* What follows the filters in the browser: URL (pushState through dcc.Location), options, caption,
       header links, the year in chart titles. `data` (components/filters.filter_data): years, districts,
       which districts report when. The caption, links and title years are written straight into the page:
       nothing else ever sets them, and a Dash output costs a store update across every component. */
    sync: function (year, districts, active, search, data, cfg) {
      var sti = window.dash_clientside.sti;
      var chosen = sti.known(districts, data);
      if (chosen.length === data.codes.length) { chosen = []; }
      var has = {};
      (chosen.length ? chosen : data.codes).forEach(function (c) { (data.has[c] || []).forEach(function (v) { has[v] = true; }); });
      var available = data.years.filter(function (v) { return chosen.length === 0 || has[v]; });
      var params = new URLSearchParams(search || "");
      params.set("year", String(year));
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
      sti.write("filter-caption", "textContent", data.caption.replace("{year}", String(year)).replace("{scope}", scope));
      sti.write("header-present-link", "href", links[0]);
      sti.write("header-lang-link", "href", links[1]);
      sti.write("header-theme-link", "href", links[2]);
      document.querySelectorAll(".title-year").forEach(function (el) { el.textContent = String(year); });
      sti.markOffScreen();
      return [
        query === search ? window.dash_clientside.no_update : query,
        sti.changed("yearOptions", yearOptions),
        sti.changed("districtOptions", districtOptions)
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
