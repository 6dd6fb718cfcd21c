// Overcast's machine terminal: plain JavaScript, no build step. Every page
// loads this small file (deferred); the vendored xterm.js, its fit addon and
// its stylesheet (public/vendor/xterm) are fetched only when a terminal is
// first opened, from the addresses in this script element's `data-xterm`,
// `data-xterm-fit` and `data-xterm-css` (content-hashed in a release build).
//
// Every element with `data-terminal` (and `data-backend`, `data-machine`)
// holds a `[data-terminal-open]` button and a `[data-terminal-screen]` box.
// The button opens a websocket to
//   /backends/<backend>/machines/<machine>/terminal?cols=<c>&rows=<r>
// and an xterm.js terminal in the box, sized to fit it (xterm's fit addon)
// and again whenever the box changes size. Keystrokes go up as binary
// frames; resizes as the text frame {"type":"resize","cols":c,"rows":r}. Binary
// frames coming down are terminal output; a text frame {"type":"exit"} or
// {"type":"error"} ends the session and is shown in the terminal.
//
// Clicks are caught on the document, so the page may be rendered by the
// server or by the hydrated application, before or after this file loads.
(function () {
  "use strict";
  if (window.__overcastTerminal) return;
  window.__overcastTerminal = true;
  // The terminal boxes stay hidden (style/main.css) until this has run.
  document.documentElement.classList.add("terminal-ready");

  var encoder = new TextEncoder();

  // Where xterm.js lives, read while this script runs (document.currentScript
  // is only set then).
  var me = document.currentScript;
  var source = {
    js: (me && me.getAttribute("data-xterm")) || "/vendor/xterm/xterm.js",
    fit: (me && me.getAttribute("data-xterm-fit")) || "/vendor/xterm/addon-fit.js",
    css: (me && me.getAttribute("data-xterm-css")) || "/vendor/xterm/xterm.css",
  };
  var loading = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement("script");
      el.src = src;
      el.onload = resolve;
      el.onerror = function () {
        reject(new Error("could not load " + src));
      };
      document.head.appendChild(el);
    });
  }

  // xterm.js and its fit addon, once per page load.
  function loadXterm() {
    if (typeof window.Terminal === "function") return Promise.resolve();
    if (!loading) {
      // The stylesheet before the first fit: it lays out what fit measures.
      var css = new Promise(function (resolve) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = source.css;
        link.onload = resolve;
        link.onerror = resolve;
        document.head.appendChild(link);
      });
      var scripts = loadScript(source.js).then(function () {
        return loadScript(source.fit);
      });
      loading = Promise.all([css, scripts])
        .catch(function (e) {
          loading = null;
          throw e;
        });
    }
    return loading;
  }

  // Text from the server shown in the terminal: no escape sequences of its own.
  function plain(text) {
    return String(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");
  }

  function setStatus(box, text) {
    var status = box.querySelector("[data-terminal-status]");
    if (status) status.textContent = text;
  }

  function setButton(box, text) {
    var button = box.querySelector("[data-terminal-open]");
    if (button) button.textContent = text;
  }

  function close(box) {
    var session = box.__overcastSession;
    if (!session) return;
    box.__overcastSession = null;
    session.stop();
  }

  function open(box) {
    if (typeof window.Terminal !== "function") {
      setStatus(box, "Loading the terminal…");
      loadXterm().then(
        function () {
          if (box.isConnected && !box.__overcastSession) open(box);
        },
        function () {
          setStatus(box, "The terminal could not be loaded; reload the page to try again.");
        },
      );
      return;
    }
    var screen = box.querySelector("[data-terminal-screen]");
    if (!screen) return;
    if (box.__overcastTerm) {
      // A session that ended by itself left its terminal on screen.
      box.__overcastTerm.dispose();
      box.__overcastTerm = null;
    }
    while (screen.firstChild) screen.removeChild(screen.firstChild);
    box.setAttribute("data-state", "open");

    var term = new window.Terminal({
      cursorBlink: true,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      fontSize: 14,
      scrollback: 5000,
    });
    box.__overcastTerm = term;
    var fit = null;
    if (window.FitAddon && typeof window.FitAddon.FitAddon === "function") {
      fit = new window.FitAddon.FitAddon();
      term.loadAddon(fit);
    }
    term.open(screen);
    function refit() {
      if (!fit) return;
      try {
        fit.fit();
      } catch (e) {
        /* not laid out yet */
      }
    }
    refit();
    // The box follows the window (a phone turned, a side panel opened, a
    // font loaded): the terminal takes the columns and rows that fit it,
    // and onResize below tells the server.
    var pending = 0;
    function refitSoon() {
      if (pending) return;
      pending = requestAnimationFrame(function () {
        pending = 0;
        refit();
      });
    }
    var observer = typeof ResizeObserver === "function" ? new ResizeObserver(refitSoon) : null;
    if (observer) observer.observe(screen);

    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var url =
      scheme + "//" + location.host +
      "/backends/" + encodeURIComponent(box.getAttribute("data-backend") || "") +
      "/machines/" + encodeURIComponent(box.getAttribute("data-machine") || "") +
      "/terminal?cols=" + term.cols + "&rows=" + term.rows;
    var ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    var ended = false;
    setStatus(box, "Connecting…");
    setButton(box, "Close terminal");

    function end(note) {
      if (ended) return;
      ended = true;
      if (note) term.write("\r\n\x1b[2m" + plain(note) + "\x1b[0m\r\n");
      setStatus(box, note || "Closed.");
    }

    ws.onopen = function () {
      setStatus(box, "Connected.");
      term.focus();
    };
    ws.onmessage = function (event) {
      if (typeof event.data !== "string") {
        term.write(new Uint8Array(event.data));
        return;
      }
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (message.type === "exit") {
        end(message.code === null || message.code === undefined
          ? "[the session ended]"
          : "[the shell exited with " + message.code + "]");
      } else if (message.type === "error") {
        term.write("\r\n\x1b[31m" + plain(message.message) + "\x1b[0m\r\n");
        end("[not connected]");
      }
    };
    ws.onerror = function () {
      end("[the connection failed]");
    };
    ws.onclose = function () {
      end("[disconnected]");
      setButton(box, "Open terminal");
      box.__overcastSession = null;
      cleanup();
    };

    var onData = term.onData(function (data) {
      if (ws.readyState === WebSocket.OPEN) ws.send(encoder.encode(data));
    });
    var onResize = term.onResize(function (size) {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: "resize", cols: size.cols, rows: size.rows }));
      }
    });
    window.addEventListener("resize", refitSoon);
    // The application may replace the page without a reload: close the
    // session once its box is gone.
    var watch = setInterval(function () {
      if (!box.isConnected) close(box);
    }, 1000);

    var cleaned = false;
    function cleanup() {
      if (cleaned) return;
      cleaned = true;
      clearInterval(watch);
      window.removeEventListener("resize", refitSoon);
      if (observer) observer.disconnect();
      if (pending) cancelAnimationFrame(pending);
      onData.dispose();
      onResize.dispose();
    }

    box.__overcastSession = {
      term: term,
      stop: function () {
        cleanup();
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
        term.dispose();
        box.__overcastTerm = null;
        box.removeAttribute("data-state");
        setButton(box, "Open terminal");
        setStatus(box, "Closed.");
      },
    };
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-terminal-open]") : null;
    if (!button) return;
    var box = button.closest("[data-terminal]");
    if (!box) return;
    event.preventDefault();
    if (box.__overcastSession) close(box);
    else open(box);
  });
})();
