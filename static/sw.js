// ICD Desk's service worker: keeps the whole site (app, data, icons) so it
// works offline after the first visit, and replaces it when a new release is
// deployed.
//
// This file is a template. `cargo xtask dist` writes dist/sw.js from it,
// filling in VERSION (a hash of every file) and PRECACHE ([url, revision]
// for every file, the revision a hash of its bytes). A new release changes
// VERSION, so the browser installs the new worker, which fetches only the
// files whose revision changed and copies the others from the old cache.
// Nothing is ever requested from another origin.

const VERSION = "{{VERSION}}";
const PRECACHE = ["{{PRECACHE}}"];

// Caches are per origin: the scope in the name keeps two deployments on one
// origin (different paths) from deleting each other's.
const PREFIX = `icd-desk:${self.registration.scope}:`;
const CACHE = PREFIX + VERSION;
// Stored with each cached response, so the next release can tell whether
// its copy is still current.
const REVISION = "x-icd-desk-revision";

async function precache() {
  const cache = await caches.open(CACHE);
  const older = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE);
  await Promise.all(
    PRECACHE.map(async ([url, revision]) => {
      for (const name of older) {
        const kept = await (await caches.open(name)).match(url, { ignoreVary: true });
        if (kept && kept.headers.get(REVISION) === revision) {
          await cache.put(url, kept);
          return;
        }
      }
      // "no-cache": revalidate with the server (a 304 when the HTTP cache
      // holds the same file), never a stale copy under the same name.
      const response = await fetch(new Request(url, { cache: "no-cache" }));
      if (!response.ok) {
        throw new Error(`${url}: HTTP ${response.status}`);
      }
      const headers = new Headers(response.headers);
      headers.set(REVISION, revision);
      await cache.put(
        url,
        new Response(response.body, {
          status: response.status,
          statusText: response.statusText,
          headers,
        }),
      );
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

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  // The server varies on Accept-Encoding, which scripts never see or set.
  const hit = await cache.match(key, { ignoreVary: true });
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  // Routes are hash URLs: every page of the app is index.html.
  const key = request.mode === "navigate" ? "./index.html" : request;
  event.respondWith(fromCache(key, request));
});
