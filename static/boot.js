// Starts the app. Trunk's own loader is an inline script, which the page's
// Content-Security-Policy forbids; Trunk.toml's pattern_script puts this
// file in its place and passes the hashed file names as data attributes.
const tag = document.querySelector("script[data-wasm]");
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });

// Then the service worker (dist/sw.js, written by `cargo xtask dist` from
// static/sw.js): it keeps the site for offline use and installs new
// releases. Without it the app still works online, so nothing here may
// throw or log an error (the browser tests fail on console errors).
function registerServiceWorker() {
  try {
    if (!("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) {
      return;
    }
    // The worker reports each release it activates; the page listens for
    // the window event "icd-desk:release", detail { version, replaced,
    // changed }: `replaced` is false on the first visit, `changed` lists the
    // files ("./data/tabular.icdx", ...) that differ from the old release.
    navigator.serviceWorker.addEventListener("message", (event) => {
      const data = event.data;
      if (data && data.type === "icd-desk:activated") {
        const detail = { version: data.version, replaced: data.replaced, changed: data.changed };
        window.dispatchEvent(new CustomEvent("icd-desk:release", { detail }));
      }
    });
    navigator.serviceWorker
      .register("./sw.js", { scope: "./" })
      .catch((err) => console.info("ICD Desk will not work offline: no service worker.", err));
  } catch (err) {
    console.info("ICD Desk will not work offline: no service worker.", err);
  }
}

registerServiceWorker();
