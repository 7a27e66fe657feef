/* Presentation mode: paging, auto-advance, pause, full screen, exit, and watching the server.
   Our own code; it only talks to this app (/healthz). Runs when #present-root is on the page. */
(function () {
  "use strict";
  var W = 1920, H = 1080, POLL_MS = 20000;

  function start(root) {
    var canvas = document.getElementById("present-canvas");
    var slides = Array.prototype.slice.call(root.querySelectorAll(".slide"));
    var bar = document.getElementById("present-progress");
    var status = document.getElementById("present-status");
    var interval = Math.max(3, parseInt(root.dataset.interval, 10) || 20) * 1000;
    var version = root.dataset.version;
    var current = Math.min(Math.max((parseInt(root.dataset.start, 10) || 1) - 1, 0), slides.length - 1);
    var paused = false, offline = false, started = Date.now(), elapsedAtPause = 0;

    function fit() {
      var s = Math.min(window.innerWidth / W, window.innerHeight / H);
      canvas.style.transform = "scale(" + s + ")";
      canvas.style.left = Math.max(0, (window.innerWidth - W * s) / 2) + "px";
      canvas.style.top = Math.max(0, (window.innerHeight - H * s) / 2) + "px";
    }

    function remember() {
      var url = new URL(window.location.href);
      url.searchParams.set("slide", String(current + 1));
      window.history.replaceState(window.history.state, "", url.pathname + "?" + url.searchParams.toString());
    }

    function show(i) {
      current = (i + slides.length) % slides.length;
      slides.forEach(function (el, k) { el.classList.toggle("active", k === current); });
      started = Date.now();
      elapsedAtPause = 0;
      root.dataset.current = String(current + 1);
      remember();
    }

    function say() {
      var text = offline ? root.dataset.textOffline : paused ? root.dataset.textPaused : "";
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
      if (!paused && done >= interval) { show(current + 1); done = 0; }
      bar.style.width = (Math.min(done / interval, 1) * 100).toFixed(2) + "%";
    }

    function leave() {
      if (document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
      window.location.href = root.dataset.exit;
    }

    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) { return; }
      switch (e.key) {
        case "ArrowRight": case "ArrowDown": case "PageDown": case " ": case "Spacebar":
          show(current + 1); break;
        case "ArrowLeft": case "ArrowUp": case "PageUp":
          show(current - 1); break;
        case "Home": show(0); break;
        case "End": show(slides.length - 1); break;
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

    function poll() {
      fetch("/healthz", { cache: "no-store" }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (body) {
        if (offline) { offline = false; say(); }
        if (body.version && body.version !== version) { window.location.reload(); }
      }).catch(function () { offline = true; say(); });
    }

    window.addEventListener("resize", fit);
    fit();
    show(current);
    window.setInterval(tick, 100);
    window.setInterval(poll, POLL_MS);
    window.addEventListener("online", poll);
    window.addEventListener("offline", function () { offline = true; say(); });
    document.body.classList.add("presenting");
  }

  function drawn(root) {  // every chart of every slide laid out (or the page gave up waiting for them)
    var charts = root.querySelectorAll(".slide-chart");
    var plots = root.querySelectorAll(".slide-chart .js-plotly-plot");
    if (plots.length < charts.length) { return false; }
    return Array.prototype.every.call(plots, function (g) { return !!g._fullLayout; });
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
  if (new URLSearchParams(window.location.search).get("present") === "1") { wait(); }
})();
