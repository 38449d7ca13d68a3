// Starts the app. Trunk's own loader is an inline script, which the page's
// Content-Security-Policy forbids; Trunk.toml's pattern_script puts this
// file in its place and passes the hashed file names as data attributes.

// The data worker (src/worker.rs) posts this on the "icd-desk" broadcast
// channel once every data file's fetch has ended. Listened for before the
// app starts, so it cannot be missed.
const CHANNEL = "icd-desk";
const DATA_FETCHED = "icd-desk:data-fetched";
// Without the message (no BroadcastChannel, or a worker that failed), the
// service worker is registered this long after the app started.
const REGISTER_ANYWAY_MS = 30_000;

const dataFetched = new Promise((resolve) => {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.addEventListener("message", (event) => {
      if (event.data === DATA_FETCHED) {
        channel.close();
        resolve("data fetched");
      }
    });
  } catch {
    // No BroadcastChannel: the timeout below.
  }
  setTimeout(() => resolve("timeout"), REGISTER_ANYWAY_MS);
});

const tag = document.querySelector("script[data-wasm]");
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });

// Then the service worker (dist/sw.js, written by `cargo xtask dist` from
// static/sw.js): it keeps the site for offline use and installs new
// releases. Without it the app still works online, so nothing here may
// throw or log an error (the browser tests fail on console errors).
//
// On a first visit (no registration yet) it is registered only once the
// data worker has fetched every file: its install then finds every file of
// the site in the HTTP cache and downloads nothing again (sw.js,
// `precache`), and it does not compete with the first result for the
// network. A returning page registers at once, which is how a new release
// is found.
async function registerServiceWorker() {
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
    const known = await navigator.serviceWorker.getRegistration("./");
    if (!known) {
      await dataFetched;
    }
    await navigator.serviceWorker.register("./sw.js", { scope: "./" });
  } catch (err) {
    console.info("ICD Desk will not work offline: no service worker.", err);
  }
}

registerServiceWorker();
