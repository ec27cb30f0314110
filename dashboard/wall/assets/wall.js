/* gridwall wall scripts: map drawing, the connection watchdog, rotation, the chime.
   Nothing here polls the server: pushes arrive over the websocket, the rest is local. */
window.gridwall = window.gridwall || {};
(function (G) {
  "use strict";
  G.state = { lastBeat: Date.now(), offset: 0, reloading: false, lastInput: Date.now(),
              audio: null, chimes: 0, chimesMissed: 0, page: null };

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function serverNow() { return Date.now() + G.state.offset; }

  /* -- the map (functions named in the layers' props; dash-leaflet passes the layer's props,
        hideout included, as the last argument) ---------------------------------------- */
  function shown(props, h) {
    var counts = (h.by === "overdue" ? h.over : h.open) || {};
    return counts[props.code] || 0;
  }
  function colourClass(n, bounds) {
    if (n <= 0) { return 0; }
    for (var i = 0; i < bounds.length; i++) { if (n <= bounds[i]) { return i + 1; } }
    return bounds.length;
  }
  var canvas = null;
  G.map = {
    areaStyle: function (feature, context) {
      var h = (context && context.hideout) || {};
      var p = feature.properties || {};
      var n = shown(p, h);
      var scale = h.scale || ["#1b2a44"];
      var i = Math.min(scale.length - 1, colourClass(n, (h.breaks || {})[p.level] || [1]));
      return { fillColor: scale[i], fillOpacity: n > 0 ? 0.82 : 0.4, color: "#8ea3c0",
               weight: p.level === "grid" ? 1 : 1.8, opacity: 0.9,
               className: "gw-area gw-area-" + p.code };
    },
    areaLabel: function (feature, latlng, context) {
      var h = (context && context.hideout) || {};
      var p = feature.properties || {};
      var n = shown(p, h);
      var mark = h.by === "overdue" && n > 0 ? "■ " : "";
      return L.marker(latlng, {
        interactive: false, keyboard: false, zIndexOffset: 10000,
        icon: L.divIcon({ className: "gw-label", iconSize: null,
          html: "<b>" + esc(p.name) + "</b><span>" + mark + n + "</span>" })
      });
    },
    incident: function (feature, latlng) {
      var p = feature.properties || {};
      return L.marker(latlng, {
        keyboard: false,
        icon: L.divIcon({ className: "gw-mk gw-mk-" + (p.s || "n") + (p.u ? " urgent" : ""),
                          iconSize: null, html: "<i></i>" })
      });
    },
    cluster: function (feature, latlng, index) {
      var worst = "n";
      var leaves = index.getLeaves(feature.properties.cluster_id, Infinity);
      for (var i = 0; i < leaves.length; i++) {
        var s = leaves[i].properties.s;
        if (s === "o") { worst = "o"; break; }
        if (s === "w") { worst = "w"; }
      }
      var shape = { n: "●", w: "▲", o: "■" }[worst];
      return L.marker(latlng, {
        keyboard: false,
        icon: L.divIcon({ className: "gw-cluster gw-cl-" + worst, iconSize: null,
          html: "<span>" + shape + " " + feature.properties.point_count_abbreviated + "</span>" })
      });
    },
    camera: function (feature, latlng) {
      canvas = canvas || L.canvas({ padding: 0.3 });
      var on = feature.properties.on;  /* online: a small dot; offline: a ring */
      return L.circleMarker(latlng, { renderer: canvas, interactive: false,
        radius: on ? 2.2 : 4, stroke: !on, weight: 1.6, color: "#ffb38a", fill: !!on,
        fillColor: "#8ea3c0", fillOpacity: 0.85 });
    },
    video: function (feature, latlng) {
      var p = feature.properties || {};
      var left = Math.ceil(p.f - serverNow() / 1000);
      var flash = left > 0 ? " flash" : "";
      var style = left > 0 ? ' style="animation-iteration-count:' + left + '"' : "";
      return L.marker(latlng, {
        interactive: false, keyboard: false, zIndexOffset: 20000,
        icon: L.divIcon({ className: "gw-video p" + p.p + flash, iconSize: null,
                          html: "<i" + style + ">◆</i>" })
      });
    }
  };

  /* -- the chime (WebAudio; a browser lets a page start audio only after a click or a key,
        unless Chromium runs with --autoplay-policy=no-user-gesture-required) ----------- */
  function audio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!G.state.audio && Ctx) { G.state.audio = new Ctx(); }
    return G.state.audio;
  }
  function unlock() {
    G.state.lastInput = Date.now();
    var a = audio();
    if (a && a.state !== "running") { a.resume(); }
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, unlock, { capture: true, passive: true });
  });
  function tone(a, gain, freq, start, length) {
    var osc = a.createOscillator();
    var env = a.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    env.gain.setValueAtTime(0.0001, start);
    env.gain.exponentialRampToValueAtTime(gain, start + 0.02);
    env.gain.exponentialRampToValueAtTime(0.0001, start + length);
    osc.connect(env).connect(a.destination);
    osc.start(start);
    osc.stop(start + length + 0.05);
  }
  G.playChime = function (volume) {
    var a = audio();
    if (!a || a.state !== "running") { G.state.chimesMissed += 1; return false; }
    var v = Math.max(0.001, Math.min(1, volume == null ? 0.6 : volume));
    tone(a, v, 880, a.currentTime, 0.35);
    tone(a, v, 660, a.currentTime + 0.3, 0.5);
    G.state.chimes += 1;
    return true;
  };

  /* Whether every panel of the screen is filled: text in each slot, every chart drawn, every
     map's areas drawn (the tests and bench/wall_render.py wait for it). */
  G.filled = function () {
    var slots = document.querySelectorAll(".gw-screen .gw-slot");
    if (!slots.length || document.querySelector(".gw-screen .gw-error")) { return false; }
    for (var i = 0; i < slots.length; i++) {
      var slot = slots[i];
      if (!slot.textContent.trim()) { return false; }
      if (slot.querySelector(".gw-graph") && !slot.querySelector(".gw-graph .main-svg")) {
        return false;
      }
      if (slot.querySelector(".gw-leaflet") && !slot.querySelector(".gw-leaflet path.gw-area")) {
        return false;
      }
    }
    return true;
  };

  /* -- once a second: clock, connection, rotation, map reset, reload watchdog ---------- */
  /* Dash's renderer keeps an undo history of every prop change that is not a callback
     response (this interval, the heartbeat), even with undo/redo hidden (plotly/dash#727): a
     wall running for weeks would hold millions of entries. Keep the few that error recovery
     (revert) may use. */
  var HISTORY_KEPT = 20;
  function trimHistory() {
    var store = window.store;
    var history = store && store.getState && store.getState().history;
    if (history && history.past && history.past.length > HISTORY_KEPT) {
      history.past.splice(0, history.past.length - HISTORY_KEPT);
    }
    if (history && history.future && history.future.length > 0) { history.future.length = 0; }
  }
  G.historyLength = function () {
    var history = window.store && window.store.getState().history;
    return history && history.past ? history.past.length : -1;
  };

  function rotate() {
    var screen = document.querySelector(".gw-screen[data-rotate]");
    if (!screen) { return; }
    var every = Number(screen.dataset.rotate) || 30;
    var pages = Number(screen.dataset.pages) || 1;
    var page = Math.floor(serverNow() / 1000 / every) % pages;  // every screen in step
    if (G.state.page === page && screen.dataset.page === String(page)) { return; }
    G.state.page = page;
    screen.dataset.page = String(page);
    screen.querySelectorAll(".gw-slot[data-page]").forEach(function (slot) {
      slot.classList.toggle("gw-off", Number(slot.dataset.page) !== page);
    });
  }
  /* Area labels are placed so that every label shown can be read from across the room: the
     busier area's label first, each at its area's centre or, when a marker or a cluster is
     there, just above or below it; a label that would overlap one already shown is hidden.
     Labels step aside with margin-top (Leaflet positions markers with their transform). */
  var OFFSETS = [0, -0.85, 0.85];  // in label heights: the centre, above, below
  function clashes(r, boxes) {
    return boxes.some(function (k) {
      return r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom;
    });
  }
  function shifted(r, dy) {
    return { left: r.left, right: r.right, top: r.top + dy, bottom: r.bottom + dy };
  }
  function declutter() {
    document.querySelectorAll(".gw-leaflet").forEach(function (map) {
      var labels = Array.prototype.slice.call(map.querySelectorAll(".gw-label"));
      var count = function (el) { return parseInt((el.textContent.match(/\d+$/) || ["0"])[0], 10); };
      labels.sort(function (a, b) { return count(b) - count(a); });
      var marks = Array.prototype.map.call(
        map.querySelectorAll(".gw-cluster span, .gw-mk i, .gw-video i"),
        function (el) { return el.getBoundingClientRect(); });
      var kept = [];
      labels.forEach(function (el) {
        var now = parseFloat(el.style.marginTop) || 0;
        var base = shifted(el.getBoundingClientRect(), -now);  // where it is without a shift
        var h = base.bottom - base.top;
        if (!h) { return; }  // not laid out (yet)
        // its centre, else where it stands now (no hopping while markers change around it)
        var fits = [0, now / h].concat(OFFSETS.slice(1)).map(function (k) {
          return shifted(base, Math.round(k * h));
        }).filter(function (r) { return !clashes(r, kept); });
        var free = fits.filter(function (r) { return !clashes(r, marks); });
        var pick = free[0] || fits[0];
        el.classList.toggle("gw-hidden", !pick);
        var dy = pick ? Math.round(pick.top - base.top) : 0;
        if (dy !== now) { el.style.marginTop = dy ? dy + "px" : ""; }
        if (pick) { kept.push(pick); }
      });
    });
    observer.takeRecords();  // its own moves are not news
  }
  /* ... and as soon as a map draws or moves them (a drill-down, a zoom, a redraw after a
     reconnect, new markers), before the browser paints, not at the next clock tick. */
  function labelsMoved(records) {
    return records.some(function (rec) {
      var c = rec.target.classList;
      return !!c && (rec.type === "childList" ? c.contains("leaflet-marker-pane")
                                              : c.contains("gw-label"));
    });
  }
  var observer = new MutationObserver(function (records) {
    if (labelsMoved(records)) { declutter(); }
  });
  observer.observe(document.documentElement,
                   { childList: true, subtree: true, attributes: true, attributeFilter: ["style"] });

  function resetMaps(cfg) {
    var after = cfg.mapResetS || 0;
    if (!after || Date.now() - G.state.lastInput < after * 1000) { return; }
    document.querySelectorAll(".gw-crumbs").forEach(function (crumbs) {
      var first = crumbs.querySelector(".gw-crumb");
      if (first && !first.disabled) { first.click(); }
    });
  }
  function text(cfg, key) {
    var t = (cfg.texts || {})[key] || {};
    var lang = document.querySelector(".gw-screen[lang='en']") ? "en" : "zh-CN";
    return t[lang] || "";
  }
  function status(cfg, lost) {
    var d = new Date(serverNow());
    var clock = d.toLocaleTimeString("zh-CN", { hour12: false, timeZone: cfg.tz || undefined });
    document.querySelectorAll(".gw-clock").forEach(function (el) { el.textContent = clock; });
    document.querySelectorAll(".gw-conn").forEach(function (el) {
      el.textContent = text(cfg, lost ? "disconnected" : "connected");
      el.className = "gw-conn " + (lost ? "lost" : "ok");
    });
    var a = G.state.audio;
    var on = a && a.state === "running";
    document.querySelectorAll(".gw-sound").forEach(function (el) {
      el.textContent = cfg.chime === false ? "" : text(cfg, on ? "sound.on" : "sound.off");
      el.className = "gw-sound " + (on ? "on" : "off");
    });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    gridwall: {
      /* Every server heartbeat: remember when it came and the server's clock offset. */
      beat: function (hb) {
        G.state.lastBeat = Date.now();
        if (hb && hb.t) { G.state.offset = hb.t * 1000 - Date.now(); }
        return window.dash_clientside.no_update;
      },
      watch: function (n, cfg) {
        cfg = cfg || {};
        if (G.state.audio === null && cfg.chime !== false) { audio(); }
        var silent = (Date.now() - G.state.lastBeat) / 1000;
        var lost = silent > (cfg.disconnectedAfter || 6);
        status(cfg, lost);
        rotate();
        declutter();
        resetMaps(cfg);
        trimHistory();
        if (silent > (cfg.reloadAfter || 90) && !G.state.reloading) {
          G.state.reloading = true;  // last resort, once the server answers again
          fetch(cfg.healthUrl || "/api/v1/health", { cache: "no-store" })
            .then(function () { window.location.reload(); })
            .catch(function () { G.state.reloading = false; });
        }
        return lost ? "show" : "";
      },
      chime: function (c) {
        if (c && c.n) { G.playChime(c.volume); }
        return window.dash_clientside.no_update;
      }
    }
  });
})(window.gridwall);
