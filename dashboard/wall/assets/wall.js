/* gridwall wall scripts: map styles and the connection watchdog (no server polling). */
window.gridwall = window.gridwall || {};

window.gridwall.map = {
  /* Fill an area by its open-incident count (hideout.counts), on a colour-blind-safe scale. */
  areaStyle: function (feature, context) {
    var h = (context && context.hideout) || {};
    var counts = h.counts || {};
    var scale = h.scale || ["#1b2a44"];
    var n = counts[feature.properties.code] || 0;
    var i = n <= 0 ? 0 : Math.min(scale.length - 1, Math.ceil(Math.log2(n + 1)));
    return { fillColor: scale[i], fillOpacity: n > 0 ? 0.85 : 0.45, color: "#2e4a6b",
             weight: 0.6, opacity: 0.9 };
  },
  outlineStyle: function () {
    return { color: "#c8d3e3", weight: 2.5, opacity: 0.9, fill: false };
  }
};

window.gridwall.state = { lastBeat: Date.now(), offset: 0, reloading: false };

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  gridwall: {
    /* Every server heartbeat: remember when it came and the server's clock offset. */
    beat: function (hb) {
      var s = window.gridwall.state;
      s.lastBeat = Date.now();
      if (hb && hb.t) { s.offset = hb.t * 1000 - Date.now(); }
      return window.dash_clientside.no_update;
    },
    /* Once a second, in the browser: clock, connection state, banner, reload watchdog. */
    watch: function (n, cfg) {
      var s = window.gridwall.state;
      cfg = cfg || {};
      var silent = (Date.now() - s.lastBeat) / 1000;
      var lost = silent > (cfg.disconnectedAfter || 6);
      var clock = document.getElementById("gw-clock");
      if (clock) {
        var d = new Date(Date.now() + s.offset);
        clock.textContent = d.toLocaleTimeString("zh-CN", { hour12: false, timeZone: cfg.tz || undefined });
      }
      var conn = document.getElementById("gw-conn");
      if (conn) {
        conn.textContent = lost ? (cfg.lostText || "") : (cfg.okText || "");
        conn.className = "gw-conn " + (lost ? "lost" : "ok");
      }
      if (silent > (cfg.reloadAfter || 90) && !s.reloading) {
        s.reloading = true;
        fetch(cfg.healthUrl || "/api/v1/health", { cache: "no-store" })
          .then(function () { window.location.reload(); })
          .catch(function () { s.reloading = false; });
      }
      return lost ? "show" : "";
    }
  }
});
