// ICD Desk's service worker: keeps the whole site (app, data, icons) so it
// works offline after the first visit, and replaces it when a new release is
// deployed.
//
// This file is a template. `cargo xtask dist` writes dist/sw.js from it,
// filling in VERSION (a hash of every file) and PRECACHE ([url, revision]
// for every file, the revision a hash of its bytes). A new release changes
// VERSION, so the browser installs the new worker, which fetches only the
// files whose revision changed and copies the others from the old cache.
// On a first visit it takes every file from the HTTP cache, where the page
// and the data worker just put them, checked against its revision: each
// byte is downloaded once, on any static host. Nothing is ever requested
// from another origin.

const VERSION = "{{VERSION}}";
const PRECACHE = ["{{PRECACHE}}"];

// Caches are per origin: the scope in the name keeps two deployments on one
// origin (different paths) from deleting each other's.
const PREFIX = `icd-desk:${self.registration.scope}:`;
const CACHE = PREFIX + VERSION;
// Stored with each cached response: the CRC-32 of the bytes it holds, so
// the next release can tell whether its copy is still current.
const REVISION = "x-icd-desk-revision";
/** url ("./data/tabular.icdx") -> revision. */
const REVISIONS = new Map(PRECACHE);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The revision of some bytes: their CRC-32 in 8 hex digits, as xtask/src/site.rs writes it. */
function revisionOf(buffer) {
  const bytes = new Uint8Array(buffer);
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, "0");
}

/** A copy of `response` holding `body`, marked with the revision of `body`. */
function stamped(response, body) {
  const headers = new Headers(response.headers);
  headers.set(REVISION, revisionOf(body));
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** "./" and "./index.html" are one file: the navigation fetched the first. */
function aliases(url) {
  if (url === "./" || url === "./index.html") return [url, url === "./" ? "./index.html" : "./"];
  return [url];
}

/**
 * `url` as the page and the data worker fetched it, from the HTTP cache and
 * never the network ("only-if-cached"), if its bytes have `revision`. On a
 * first visit this is every file: boot.js registers this worker once the
 * data worker has fetched all of them. It works on a host that sends no
 * ETag or Last-Modified (where revalidating would download every file
 * again), and costs no request on one that does.
 */
async function fromHttpCache(url, revision) {
  for (const name of aliases(url)) {
    try {
      const response = await fetch(new Request(name, { cache: "only-if-cached", mode: "same-origin" }));
      if (!response.ok) continue;
      const body = await response.arrayBuffer();
      if (revisionOf(body) === revision) return stamped(response, body);
    } catch {
      // Not in the HTTP cache.
    }
  }
  return null;
}

/**
 * Fills this release's cache: each file from an older release's cache when
 * its revision is unchanged, else from the HTTP cache when it holds this
 * revision, else from the network. So a first visit downloads each file
 * once (the page and the data worker did), and a new release only the files
 * that changed.
 */
async function precache() {
  const cache = await caches.open(CACHE);
  const older = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE);
  await Promise.all(
    PRECACHE.map(async ([url, revision]) => {
      if (await cache.match(url, { ignoreVary: true })) {
        // Stored by the fetch handler of this release, or an earlier try.
        return;
      }
      for (const name of older) {
        const kept = await (await caches.open(name)).match(url, { ignoreVary: true });
        if (kept && kept.headers.get(REVISION) === revision) {
          await cache.put(url, kept);
          return;
        }
      }
      const cached = await fromHttpCache(url, revision);
      if (cached) {
        await cache.put(url, cached);
        return;
      }
      // "reload": the HTTP cache has no copy of this revision, so the
      // network, never a 304 that would confirm a stale copy.
      const response = await fetch(new Request(url, { cache: "reload" }));
      if (!response.ok) {
        throw new Error(`${url}: HTTP ${response.status}`);
      }
      await cache.put(url, stamped(response, await response.arrayBuffer()));
    }),
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

/** The URLs whose revision no older cache holds. */
async function changedSince(older) {
  const previous = await Promise.all(older.map((name) => caches.open(name)));
  const changed = [];
  for (const [url, revision] of PRECACHE) {
    const kept = await Promise.all(previous.map((cache) => cache.match(url, { ignoreVary: true })));
    if (!kept.some((response) => response && response.headers.get(REVISION) === revision)) {
      changed.push(url);
    }
  }
  return changed;
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const older = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE);
      const changed = older.length > 0 ? await changedSince(older) : [];
      await Promise.all(older.map((name) => caches.delete(name)));
      await self.clients.claim();
      // static/boot.js turns this into the page event "icd-desk:release".
      // `replaced` is false on the first visit; `changed` lists the files
      // that differ from the release replaced (a new data release changes
      // "./data/..."; Trunk's minifier alone changes the JavaScript).
      const message = { type: "icd-desk:activated", version: VERSION, replaced: older.length > 0, changed };
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        client.postMessage(message);
      }
    })(),
  );
});

/** The PRECACHE name of a request's URL ("./data/tabular.icdx"), or null. */
function siteUrl(requestUrl) {
  const scope = new URL(self.registration.scope);
  const url = new URL(requestUrl);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname) || url.search) return null;
  const name = `./${url.pathname.slice(scope.pathname.length)}`;
  return REVISIONS.has(name) ? name : null;
}

/**
 * The cached copy, else the network; a file of this release that passes
 * through is kept (when its bytes have the listed revision), so nothing is
 * fetched twice even if the install has not stored it yet.
 */
async function fromCache(event, key) {
  const request = event.request;
  const cache = await caches.open(CACHE);
  // The server varies on Accept-Encoding, which scripts never see or set.
  const hit = await cache.match(key, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  const url = request.mode === "navigate" ? "./index.html" : siteUrl(request.url);
  if (url && response.ok && !request.headers.has("range")) {
    const copy = response.clone();
    event.waitUntil(
      (async () => {
        const body = await copy.arrayBuffer();
        if (revisionOf(body) === REVISIONS.get(url)) {
          await cache.put(url, stamped(copy, body));
        }
      })().catch(() => {}),
    );
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  // Routes are hash URLs: every page of the app is index.html.
  const key = request.mode === "navigate" ? "./index.html" : request;
  event.respondWith(fromCache(event, key));
});
