/* Presentation mode: paging, auto-advance, pause, full screen, exit, and watching the server.
   Our own code; it only talks to this app (/healthz). Runs when #present-root is on the page. */
(function () {
  "use strict";
  var W = 1920, H = 1080, POLL_MS = 20000, WALL_POLL_MS = 10000, RETRY_MS = 1000, RETRY_MAX_MS = 15000;
  var WALL_ASPECT = 2.0;  // a screen this much wider than 16:9 is taken for a wall (without ?wall=)

  function start(root) {
    var canvas = document.getElementById("present-canvas");
    var slides = Array.prototype.slice.call(root.querySelectorAll(".slide"));
    var bar = document.getElementById("present-progress");
    var status = document.getElementById("present-status");
    var interval = Math.max(3, parseInt(root.dataset.interval, 10) || 20) * 1000;
    var version = root.dataset.version;
    var current = Math.min(Math.max((parseInt(root.dataset.start, 10) || 1) - 1, 0), slides.length - 1);
    var paused = false, offline = false, started = Date.now(), elapsedAtPause = 0;
    /* A wall (data-wall="WxH"): the canvas is designed at the wall's resolution and scaled as a whole; each
       pane [x, y, w, h] shows a whole slide, pane k the slide (current + k) mod n; paging moves by the panes. */
    var wall = /^([0-9]+)x([0-9]+)$/.exec(root.dataset.wall || "");
    var CW = wall ? parseInt(wall[1], 10) : W, CH = wall ? parseInt(wall[2], 10) : H;
    /* A composed wall pins a slide to its first pane(s) (p[4] >= 0: the overview's charts in the centre); the
       other panes rotate through the other slides: `order`. Without pins, order is every slide. */
    var allPanes = wall ? JSON.parse(root.dataset.panes || "[]") : [];
    var pinned = allPanes.filter(function (p) { return p[4] >= 0 && p[4] < slides.length; });
    var order = slides.map(function (el, k) { return k; }).filter(function (k) {
      return !pinned.some(function (p) { return p[4] === k; });
    });
    var rotating = allPanes.filter(function (p) { return !(p[4] >= 0); }).slice(0, order.length);
    var panes = pinned.concat(rotating);
    var step = Math.max(rotating.length, 1);
    current = Math.min(current, Math.max(order.length - 1, 0));
    var nextView = root.dataset.nextView || "";
    var reloadDue = dueAt(root.dataset.reloadAt || "");
    var pending = "";  // where to go once /healthz answers: the next view, or this page (the daily reload)
    var retryMs = RETRY_MS, retryTimer = 0;
    var clock = root.querySelector(".wall-clock");

    function dueAt(hhmm) {  // the next time of day hh:mm, in ms since the epoch (0: no daily reload)
      var m = /^([0-9]{2}):([0-9]{2})$/.exec(hhmm);
      if (!m) { return 0; }
      var due = new Date();
      due.setHours(parseInt(m[1], 10), parseInt(m[2], 10), 0, 0);
      if (due.getTime() <= Date.now()) { due.setDate(due.getDate() + 1); }
      return due.getTime();
    }

    function fit() {
      var s = Math.min(window.innerWidth / CW, window.innerHeight / CH);
      canvas.style.width = CW + "px";
      canvas.style.height = CH + "px";
      canvas.style.transform = "scale(" + s + ")";
      canvas.style.left = Math.max(0, (window.innerWidth - CW * s) / 2) + "px";
      canvas.style.top = Math.max(0, (window.innerHeight - CH * s) / 2) + "px";
      if (wall) { status.style.fontSize = Math.max(14, CH / 40 * s).toFixed(1) + "px"; }
      var info = root.querySelector(".wall-info"), last = panes[panes.length - 1];
      if (info && last) {  // where the last pane's slide number would be, at its scale
        var k = last[2] / W;
        info.style.fontSize = (26 * k) + "px";
        info.style.top = (last[1] + 52 * k) + "px";
        info.style.right = (CW - last[0] - last[2] + 56 * k) + "px";
      }
    }

    function tickClock() {
      if (!clock) { return; }
      clock.textContent = new Date().toLocaleTimeString(root.lang || "zh-CN", {
        hour: "2-digit", minute: "2-digit", hour12: false
      });
    }

    function remember() {
      var url = new URL(window.location.href);
      url.searchParams.set("slide", String(current + 1));
      window.history.replaceState(window.history.state, "", url.pathname + "?" + url.searchParams.toString());
    }

    function show(i) {
      var n = Math.max(order.length, 1);
      current = (i % n + n) % n;
      if (panes.length) {
        slides.forEach(function (el) { el.classList.remove("active"); });
        panes.forEach(function (p, k) {
          var el = slides[p[4] >= 0 ? p[4] : order[(current + k - pinned.length) % order.length]];
          if (!el) { return; }
          el.style.transform = "translate(" + p[0] + "px," + p[1] + "px) scale(" + (p[2] / W) + ")";
          el.dataset.pane = String(k);
          el.classList.add("active");
        });
      } else {
        slides.forEach(function (el, k) { el.classList.toggle("active", k === current); });
      }
      started = Date.now();
      elapsedAtPause = 0;
      root.dataset.current = String(current + 1);
      remember();
    }

    function say() {
      var lost = wall ? root.dataset.textReconnecting : root.dataset.textOffline;
      var text = offline ? lost : paused ? root.dataset.textPaused : "";
      status.textContent = text;
      status.classList.toggle("visible", text !== "");
    }

    function togglePause() {
      paused = !paused;
      if (paused) { elapsedAtPause = Date.now() - started; } else { started = Date.now() - elapsedAtPause; }
      root.dataset.paused = paused ? "1" : "0";
      say();
    }

    function tick() {
      var done = paused ? elapsedAtPause : Date.now() - started;
      if (!paused && done >= interval) {
        if (nextView && current + step >= order.length) { go(nextView); }  // the view's last slide was shown
        show(current + step);
        done = 0;
      }
      if (reloadDue && Date.now() >= reloadDue) { reloadDue = dueAt(root.dataset.reloadAt); go(window.location.href); }
      bar.style.width = (Math.min(done / interval, 1) * 100).toFixed(2) + "%";
    }

    function go(url) {  // navigate only once the server answers: a down server never yields an error page
      pending = url;
      poll();
    }

    function leave() {
      if (document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
      window.location.href = root.dataset.exit;
    }

    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) { return; }
      switch (e.key) {
        case "ArrowRight": case "ArrowDown": case "PageDown": case " ": case "Spacebar":
          show(current + step); break;
        case "ArrowLeft": case "ArrowUp": case "PageUp":
          show(current - step); break;
        case "Home": show(0); break;
        case "End": show(order.length - 1); break;
        case "f": case "F":
          if (document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
          else if (document.documentElement.requestFullscreen) {
            document.documentElement.requestFullscreen().catch(function () {});
          }
          break;
        case "p": case "P": togglePause(); break;
        case "d": case "D":  /* the view's report as PDF: a download, the slides stay */
          if (!root.dataset.report) { return; }
          window.location.href = root.dataset.report;
          break;
        case "Escape": case "Esc": leave(); break;
        default: return;
      }
      e.preventDefault();
    });

    function lost() {  // offline: say so, and retry sooner than the regular poll, backing off to 15 s
      offline = true;
      say();
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(poll, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }

    function poll() {
      fetch("/healthz", { cache: "no-store" }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (body) {
        if (!body || body.status !== "ok") { throw new Error("not ok"); }
        window.clearTimeout(retryTimer);
        retryMs = RETRY_MS;
        if (offline) { offline = false; say(); }
        if (pending) { window.location.href = pending; return; }
        if (body.version && body.version !== version) { window.location.reload(); }
      }).catch(lost);
    }

    window.addEventListener("resize", fit);
    fit();
    show(current);
    tickClock();
    window.setInterval(tick, 100);
    window.setInterval(tickClock, 1000);  // shows HH:MM: the minute changes within a second
    window.setInterval(poll, wall ? WALL_POLL_MS : POLL_MS);
    window.addEventListener("online", poll);
    window.addEventListener("offline", lost);
    document.body.classList.add("presenting");
  }

  function drawn(root) {  // every chart of every slide laid out (or the page gave up waiting for them)
    var charts = root.querySelectorAll(".slide-chart");
    var plots = root.querySelectorAll(".slide-chart .js-plotly-plot");
    if (plots.length < charts.length) { return false; }
    return Array.prototype.every.call(plots, function (g) { return !!g._fullLayout; });
  }

  /* A screen wider than 16:9 by a margin, with no ?wall=: lay the page out for it (the server draws the
     charts for the wall's panes), by asking for this page again with its resolution as wall=WxH. */
  function detectWall() {
    var params = new URLSearchParams(window.location.search);
    var w = window.innerWidth, h = window.innerHeight;
    if (params.has("wall") || !h || w / h < WALL_ASPECT) { return false; }
    params.set("wall", w + "x" + h);
    window.location.replace(window.location.pathname + "?" + params.toString());
    return true;
  }

  var since = Date.now();
  function wait() {  // Dash renders the page after load: start once the slides exist and their charts are drawn,
    var root = document.getElementById("present-root");  // so the first slide gets its whole interval
    if (root && root.querySelector(".slide") && (drawn(root) || Date.now() - since > 15000)) {
      start(root);
    } else {
      window.setTimeout(wait, 50);
    }
  }
  if (new URLSearchParams(window.location.search).get("present") === "1" && !detectWall()) { wait(); }
})();
