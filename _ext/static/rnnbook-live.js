/*
 * Live Code: run a page's cells in the page, on a Jupyter kernel.
 *
 * Replaces sphinx-thebe 0.3.1's launcher (sphinx-thebe.js, BSD-3-Clause, by the
 * Executable Books Project), which was written for thebe 0.8. This one drives
 * thebe 0.9, served by the site itself (see _ext/rnnbook_site.py):
 *
 *  - thebe 0.9 merges every <script type="text/x-thebe-config"> on the page, but
 *    bootstrap() forces `useBinder: true` unless told otherwise, and it names the
 *    kernel `kernelOptions.kernelName` (sphinx-thebe writes `name`). We pass both.
 *  - thebe pairs the n-th cell with the n-th output placeholder, so every
 *    executable cell gets a placeholder, empty if the cell had no output.
 *
 * Where the kernel comes from:
 *  - Binder (default): the repository and branch in the page's thebe config.
 *  - A Jupyter server on this computer: open any page once with
 *      ?jupyter=http://127.0.0.1:8888/&token=TOKEN
 *    (`make live` prints that link). The setting is kept in localStorage for this
 *    site; `?jupyter=binder` forgets it. Only loopback addresses are accepted:
 *    a link must not be able to send the page's code to someone else's server.
 *
 * Binder's free capacity is thin. When a launch there fails, or has not connected
 * after a minute (`binderPatienceMs`), the page says so under the status line and
 * offers the other routes: this page in Colab, its .ipynb download, `make live`.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "rnnbook-jupyter-server";
  var LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];
  var settings = window.rnnbookLive || {};
  var staticBase = new URL(".", document.currentScript.src);

  function resolve(path) {
    return new URL(path, staticBase).href; // absolute URLs (a CDN) pass through
  }

  // --- which Jupyter server --------------------------------------------------------

  function readServerFromAddress() {
    var params = new URLSearchParams(window.location.search);
    if (!params.has("jupyter")) return;
    var value = params.get("jupyter");
    var token = params.get("token");
    params.delete("jupyter");
    params.delete("token");
    // Keep the token out of the address bar, the history and copied links.
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    if (value === "" || value === "binder") {
      window.localStorage.removeItem(STORAGE_KEY);
      return;
    }
    var url;
    try {
      url = new URL(value);
    } catch (err) {
      console.warn("[rnnbook-live] ignored ?jupyter=: not a URL:", value);
      return;
    }
    if (LOOPBACK.indexOf(url.hostname) < 0) {
      console.warn("[rnnbook-live] ignored ?jupyter=: only a server on this computer (127.0.0.1, localhost) is accepted");
      return;
    }
    // Jupyter prints links like http://127.0.0.1:8888/tree?token=...; accept those too.
    token = token || url.searchParams.get("token") || "";
    var path = url.pathname.replace(/(tree|lab)\/?$/, "");
    if (!path.endsWith("/")) path += "/";
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ baseUrl: url.origin + path, token: token }));
  }

  function localServer() {
    try {
      return JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "null");
    } catch (err) {
      return null;
    }
  }

  // --- the launch button's status --------------------------------------------------

  function setState(state, message) {
    document.documentElement.dataset.liveCode = state;
    var button = document.querySelector(".thebe-launch-button");
    if (!button) return;
    button.className = "thebe-launch-button thebe-status-" + state;
    button.textContent = message;
  }

  // --- when Binder does not come: the other routes to run this page -----------------

  var FALLBACK_CLASS = "rnnbook-live-fallback";

  function pageLink(selector) {
    var link = document.querySelector(selector);
    return link ? link.href : null;
  }

  function showAlternatives(reason) {
    if (document.querySelector("." + FALLBACK_CLASS)) return;
    var box = document.createElement("div");
    box.className = FALLBACK_CLASS;
    box.setAttribute("role", "status");
    var intro = document.createElement("p");
    intro.textContent = reason + " Binder's free servers are often busy. Other ways to run this page:";
    box.appendChild(intro);
    var list = document.createElement("ul");
    function item(parts) {
      var li = document.createElement("li");
      parts.forEach(function (part) {
        if (typeof part === "string") {
          li.appendChild(document.createTextNode(part));
        } else {
          var el = document.createElement(part.href ? "a" : "code");
          el.textContent = part.text;
          if (part.href) { el.href = part.href; if (part.download) el.setAttribute("download", ""); }
          li.appendChild(el);
        }
      });
      list.appendChild(li);
    }
    var colab = pageLink('a[href^="https://colab.research.google.com/"]');
    var ipynb = pageLink('a[href*="_sources/"][href$=".ipynb"]');
    if (colab) item([{ text: "Open this page in Colab", href: colab }, " (a Google account is needed)."]);
    if (ipynb) item([{ text: "Download it as a notebook", href: ipynb, download: true },
      " (.ipynb) and run it in your own Jupyter: its first cell installs what it needs."]);
    item(["Clone the book's repository and run ", { text: "make live" },
      ": Live Code then runs on a Jupyter server on your computer."]);
    box.appendChild(list);
    var button = document.querySelector(".thebe-launch-button");
    if (button && button.parentNode) {
      button.parentNode.insertBefore(box, button.nextSibling);
    } else {
      document.body.appendChild(box);
    }
  }

  // --- loading thebe ---------------------------------------------------------------

  function loadThebe() {
    if (window.thebe && window.thebe.bootstrap) return Promise.resolve();
    return new Promise(function (resolveLoad, rejectLoad) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = resolve(settings.thebeCss);
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = resolve(settings.thebeJs);
      script.onload = function () { resolveLoad(); };
      script.onerror = function () { rejectLoad(new Error("could not load " + script.src)); };
      document.head.appendChild(script);
    });
  }

  // --- turning the page's cells into live cells --------------------------------------

  function prepareCells() {
    var count = 0;
    document.querySelectorAll("div.cell").forEach(function (cell) {
      var source = cell.querySelector(".cell_input pre");
      if (!source) return; // input removed from the page: nothing to show or run
      source.setAttribute("data-executable", "true");
      source.setAttribute("data-language", "python");
      var output = cell.querySelector(".cell_output");
      if (!output) {
        output = document.createElement("div");
        output.className = "cell_output docutils container";
        cell.appendChild(output);
      }
      output.setAttribute("data-output", "");
      cell.querySelectorAll("button.copybtn").forEach(function (b) { b.remove(); });
      count += 1;
    });
    return count;
  }

  function kernelName() {
    return typeof window.kernelName === "string" ? window.kernelName : "python3";
  }

  // The session is named after the page's notebook, so the kernel starts in the
  // page's folder, as it did when the book was built (where that folder exists).
  function notebookPath() {
    var page = (window.DOCUMENTATION_OPTIONS && DOCUMENTATION_OPTIONS.pagename) || "page";
    return page + ".ipynb";
  }

  var started = false;

  async function initThebe() {
    if (started) return;
    started = true;
    var server = localServer();
    var where = server ? "the Jupyter server at " + server.baseUrl : "mybinder.org";
    var patience = null;
    setState("loading", "Loading Live Code…");
    try {
      await loadThebe();
      if (prepareCells() === 0) {
        setState("ready", "This page has no code to run.");
        return;
      }
      window.thebe.on("status", function (event, data) {
        if (document.documentElement.dataset.liveCode === "ready") return;
        setState("starting", "Starting a kernel on " + where + ": " + (data.message || data.status));
      });
      var options = {
        requestKernel: true,
        useBinder: !server,
        kernelOptions: { kernelName: kernelName(), path: notebookPath() },
        // thebe would fetch MathJax 2 from a CDN for LaTeX outputs; the page has MathJax 3.
        mathjaxUrl: false,
        codeMirrorConfig: { mode: "python" },
      };
      if (server) {
        options.serverSettings = {
          baseUrl: server.baseUrl,
          wsUrl: server.baseUrl.replace(/^http/, "ws"),
          token: server.token,
          appendToken: true,
        };
      }
      setState("starting", "Starting a kernel on " + where + "…");
      if (!server) {
        patience = window.setTimeout(function () {
          if (document.documentElement.dataset.liveCode === "ready") return;
          showAlternatives("Binder has not started a kernel for this page after a minute; it may still come.");
        }, settings.binderPatienceMs || 60000);
      }
      var result = await window.thebe.bootstrap(options);
      if (!result || !result.session) throw new Error("no kernel session was started");
      window.clearTimeout(patience);
      var stale = document.querySelector("." + FALLBACK_CLASS);
      if (stale) stale.remove();
      setState("ready", "Live Code is on: edit a cell and press run (kernel on " + where + ").");
      document.querySelectorAll(".tag_thebe-init .thebe-run-button").forEach(function (b) { b.click(); });
    } catch (err) {
      console.warn("[rnnbook-live] could not start Live Code:", err);
      window.clearTimeout(patience);
      setState("failed", "Live Code could not start a kernel on " + where + ": " + (err && err.message ? err.message : err) +
        (server ? " (is `make live` still running? open the link it prints again)" : ""));
      if (!server) showAlternatives("Binder could not start a kernel for this page.");
      started = false;
    }
  }

  readServerFromAddress();
  // sphinx-book-theme's "Live Code" button calls initThebeSBT(), which inserts a
  // .thebe-launch-button under the title and calls window.initThebe().
  window.initThebe = initThebe;
})();
