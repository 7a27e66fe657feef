/* Clientside callbacks of the dashboard (our own code). */
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
    }
  }
});
