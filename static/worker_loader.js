// Starts the data worker (src/worker.rs); the page spawns it by this URL
// (src/desk.rs, WORKER_LOADER). Trunk's own loader shim did only the last
// two lines.
//
// Before them, it starts fetching the artifacts the first search reads
// (`icd_core::registry::needed_for(Capability::Search)`; `cargo xtask dist`
// writes their names below), so they cross the network while the worker's
// WebAssembly is fetched and compiled instead of after it. The worker takes
// each promise once (`fetch_file` in src/worker.rs) and fetches anything
// else itself. Left unfilled (a build by Trunk alone), nothing is prefetched.
const FIRST = ["{{FIRST}}"];
self.icdDeskPrefetch = {};
for (const file of FIRST) {
  if (/^[\w-]+\.icdx$/.test(file)) {
    const response = fetch(`data/${file}`);
    // The worker reports a failure when it takes the promise; until then
    // an unhandled rejection must not reach the console.
    response.catch(() => {});
    self.icdDeskPrefetch[file] = response;
  }
}
importScripts("./worker.js");
wasm_bindgen("./worker_bg.wasm");
