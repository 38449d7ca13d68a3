// Measures ICD Desk's release build in headless Chromium: bytes on the wire,
// time to the first search result, search latency in the worker, wasm
// memory. It prints figures; it asserts nothing (timings belong here, never
// in a test).
//
//   cargo xtask bench-web
//   ICD_BASE_URL=http://127.0.0.1:8080/ node tests/e2e/bench.mjs
//
// Prints a human table and a JSON object, and writes the JSON to
// tests/e2e/artifacts/bench.json. Figures the app does not publish on
// `window.__icdDesk` are printed as "not reported by the app".

import fs from 'node:fs';
import path from 'node:path';
import { baseUrl, ensureArtifacts, firstPage, launch, ROOT, searchBox, waitReady } from './lib.mjs';

const BASE = baseUrl();
const RUNS = Number(process.env.ICD_BENCH_RUNS || 5);
const QUERY_COUNT = 30;
const NOT_REPORTED = 'not reported by the app';

// ---------------------------------------------------------------------------
// Bytes on the wire.
//
// Two views of one load. The page's own requests are summed straight from
// CDP (`Network.loadingFinished.encodedDataLength` on a session attached to
// the page). Dedicated workers and the service worker have CDP targets of
// their own that Playwright attaches to but does not hand out, so the total
// over every target uses Playwright's per-request sizes, which it takes from
// the same `encodedDataLength` of each target (response headers + encoded
// body = transfer size).

/** Starts counting a page's CDP network traffic; `stop()` returns the sums. */
async function cdpCounter(context, page) {
  const cdp = await context.newCDPSession(page);
  const requests = new Map();
  let bytes = 0;
  let finished = 0;
  let fromServiceWorker = 0;
  let fromCache = 0;
  cdp.on('Network.requestWillBeSent', (e) => requests.set(e.requestId, e.request.url));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromServiceWorker) fromServiceWorker += 1;
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) fromCache += 1;
  });
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    finished += 1;
  });
  await cdp.send('Network.enable');
  return {
    async stop() {
      await cdp.detach().catch(() => {});
      return { requests: requests.size, finished, bytes, fromServiceWorker, fromCache };
    },
  };
}

/** Counts every request of a context (pages, workers, service worker). */
function contextCounter(context) {
  const pending = [];
  const all = [];
  const onFinished = (r) => {
    pending.push(
      (async () => {
        const response = await r.response().catch(() => null);
        const sizes = await r.sizes().catch(() => null);
        all.push({
          url: r.url(),
          by: r.serviceWorker() ? 'service worker' : 'page or worker',
          fromServiceWorker: response ? response.fromServiceWorker() : false,
          bytes: sizes ? sizes.responseHeadersSize + sizes.responseBodySize : 0,
        });
      })(),
    );
  };
  let failed = 0;
  const onFailed = () => (failed += 1);
  context.on('requestfinished', onFinished);
  context.on('requestfailed', onFailed);
  return {
    async stop() {
      context.off('requestfinished', onFinished);
      context.off('requestfailed', onFailed);
      await Promise.all(pending);
      // A response the service worker gave was counted where the worker
      // fetched it (or not at all, from its cache): never twice.
      const sum = (list) => list.filter((r) => !r.fromServiceWorker).reduce((s, r) => s + r.bytes, 0);
      const sw = all.filter((r) => r.by === 'service worker');
      return {
        requests: all.length + failed,
        networkRequests: all.filter((r) => !r.fromServiceWorker).length,
        failed,
        bytes: sum(all),
        serviceWorkerRequests: sw.length,
        serviceWorkerBytes: sum(sw),
        answeredByServiceWorker: all.filter((r) => r.fromServiceWorker).length,
        largest: all
          .filter((r) => r.bytes > 0 && !r.fromServiceWorker)
          .sort((a, b) => b.bytes - a.bytes)
          .slice(0, 12)
          .map((r) => ({ url: r.url.replace(BASE, ''), by: r.by, bytes: r.bytes })),
      };
    },
  };
}

/** Waits for the service worker (if the site has one) to be active. */
async function serviceWorkerState(page) {
  return page.evaluate(async () => {
    if (!('serviceWorker' in navigator)) return 'unsupported';
    const regs = await navigator.serviceWorker.getRegistrations();
    if (regs.length === 0) return 'none registered';
    const r = await Promise.race([navigator.serviceWorker.ready, new Promise((res) => setTimeout(() => res(null), 20_000))]);
    if (!r) return 'registered, never ready';
    return navigator.serviceWorker.controller ? 'active, controlling' : 'active, not controlling';
  });
}

/** Lets the network go quiet (the service worker may still be precaching). */
async function quiet(context, ms = 1500, max = 30_000) {
  let last = Date.now();
  const bump = () => (last = Date.now());
  context.on('request', bump);
  context.on('requestfinished', bump);
  const end = Date.now() + max;
  while (Date.now() - last < ms && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  context.off('request', bump);
  context.off('requestfinished', bump);
}

async function measureLoads() {
  const browser = await launch();
  try {
    const context = browser.context;
    const page = await firstPage(context);

    const all1 = contextCounter(context);
    const cdp1 = await cdpCounter(context, page);
    const t0 = Date.now();
    await page.goto(BASE);
    await waitReady(page);
    const readyMs = Date.now() - t0;
    const sw = await serviceWorkerState(page);
    await quiet(context);
    const first = { ...(await all1.stop()), page: await cdp1.stop(), readyMs, serviceWorker: sw };

    // Second visit: a new tab of the same profile, as a returning user.
    const page2 = await context.newPage();
    const all2 = contextCounter(context);
    const cdp2 = await cdpCounter(context, page2);
    const t1 = Date.now();
    await page2.goto(BASE);
    await waitReady(page2);
    const readyMs2 = Date.now() - t1;
    await quiet(context);
    const second = { ...(await all2.stop()), page: await cdp2.stop(), readyMs: readyMs2 };
    return { first, second };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------
// Time to the first result: navigation start to "chf" answered, fresh profile.

async function timeToFirstResult() {
  const browser = await launch();
  try {
    const page = await firstPage(browser.context);
    const t0 = Date.now();
    await page.goto(BASE, { waitUntil: 'commit' });
    const box = searchBox(page);
    await box.waitFor({ state: 'visible', timeout: 60_000 });
    await poll(() => box.isEnabled());
    const boxMs = Date.now() - t0;
    await box.fill('chf');
    await page.waitForSelector('[aria-busy="false"] [role="listbox"] [role="option"]', { timeout: 60_000 });
    const resultMs = Date.now() - t0;
    const loadMs = await page.evaluate(() => window.__icdDesk?.loadMs ?? null);
    return { boxMs, resultMs, loadMs };
  } finally {
    await browser.close();
  }
}

async function poll(fn, timeout = 60_000) {
  const end = Date.now() + timeout;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---------------------------------------------------------------------------
// Search latency in the worker, per keystroke; wasm memory.

function benchQueries() {
  const lines = fs
    .readFileSync(path.join(ROOT, 'eval', 'queries.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t')[0].trim())
    .filter(Boolean);
  const step = lines.length / QUERY_COUNT;
  return Array.from({ length: Math.min(QUERY_COUNT, lines.length) }, (_, i) => lines[Math.floor(i * step)]);
}

async function keystrokes() {
  const browser = await launch();
  try {
    const page = await firstPage(browser.context);
    await page.goto(BASE);
    await waitReady(page);
    const memory = await page.evaluate(() => ({
      worker: window.__icdDesk?.workerMemoryBytes ?? null,
      page: window.__icdDesk?.pageMemoryBytes ?? null,
      loadMs: window.__icdDesk?.loadMs ?? null,
      hasTimings: Array.isArray(window.__icdDesk?.searchTimings),
    }));
    const box = searchBox(page);
    const queries = benchQueries();
    const roundTrips = [];
    let keys = 0;
    for (const q of queries) {
      await box.fill('');
      await box.focus();
      for (let i = 0; i < q.length; i++) {
        const t = Date.now();
        await page.keyboard.type(q[i]);
        keys += 1;
        // Each keystroke is answered before the next one (past the debounce),
        // so every prefix is searched once.
        if (q.slice(0, i + 1).trim()) {
          await page
            .waitForFunction(
              (value) => {
                const box = document.querySelector('input[type="search"], textarea');
                const results = document.querySelector('[aria-busy]');
                return box && box.value === value && results && results.getAttribute('aria-busy') === 'false';
              },
              await box.inputValue(),
              { timeout: 5_000, polling: 5 },
            )
            .then(() => roundTrips.push(Date.now() - t))
            .catch(() => {});
        }
      }
    }
    const timings = await page.evaluate(() => (Array.isArray(window.__icdDesk?.searchTimings) ? window.__icdDesk.searchTimings.slice() : null));
    const memoryAfter = await page.evaluate(() => ({
      worker: window.__icdDesk?.workerMemoryBytes ?? null,
      page: window.__icdDesk?.pageMemoryBytes ?? null,
    }));
    return { queries, keys, timings, roundTrips, memory, memoryAfter };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function stats(list) {
  if (!list || list.length === 0) return null;
  const s = [...list].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(quantile(s, 0.5)), p95: r(quantile(s, 0.95)), max: r(s[s.length - 1]) };
}

function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const kb = (n) => (typeof n === 'number' ? `${(n / 1024).toFixed(1)} KiB` : n);
const mb = (n) => (typeof n === 'number' ? `${(n / 1048576).toFixed(1)} MiB` : n);
const ms = (n) => (typeof n === 'number' ? `${n} ms` : n);

async function main() {
  const started = new Date().toISOString();
  console.error(`bench: ${BASE} (Chromium at ${process.env.ICD_CHROMIUM || '/usr/bin/chromium'}, ${RUNS} runs for the first result)`);

  console.error('bench: first and second load…');
  const loads = await measureLoads();

  console.error('bench: time to first result…');
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timeToFirstResult());

  console.error('bench: keystrokes…');
  const keys = await keystrokes();

  const report = {
    base_url: BASE,
    date: started,
    chromium: '/usr/bin/chromium',
    first_load: {
      requests: loads.first.requests,
      network_requests: loads.first.networkRequests,
      bytes: loads.first.bytes,
      page_requests_cdp: loads.first.page.requests,
      page_bytes_cdp: loads.first.page.bytes,
      service_worker_requests: loads.first.serviceWorkerRequests,
      service_worker_bytes: loads.first.serviceWorkerBytes,
      failed_requests: loads.first.failed,
      ready_ms: loads.first.readyMs,
      service_worker: loads.first.serviceWorker,
      largest: loads.first.largest,
    },
    second_load: {
      requests: loads.second.requests,
      network_requests: loads.second.networkRequests,
      bytes: loads.second.bytes,
      page_requests_cdp: loads.second.page.requests,
      page_bytes_cdp: loads.second.page.bytes,
      answered_by_service_worker: loads.second.answeredByServiceWorker,
      page_from_service_worker_cdp: loads.second.page.fromServiceWorker,
      page_from_disk_cache_cdp: loads.second.page.fromCache,
      failed_requests: loads.second.failed,
      ready_ms: loads.second.readyMs,
      largest: loads.second.largest,
    },
    first_result_chf: {
      runs: runs.length,
      median_ms: median(runs.map((r) => r.resultMs)),
      all_ms: runs.map((r) => r.resultMs),
      search_box_visible_median_ms: median(runs.map((r) => r.boxMs)),
      worker_load_ms_median: runs.every((r) => typeof r.loadMs === 'number') ? median(runs.map((r) => r.loadMs)) : NOT_REPORTED,
    },
    worker_search_ms: keys.timings ? { queries: keys.queries.length, keystrokes: keys.keys, ...stats(keys.timings) } : NOT_REPORTED,
    keystroke_to_results_shown_ms: { note: 'from the key press to aria-busy="false", measured from Node (includes CDP round trips)', ...stats(keys.roundTrips) },
    memory: {
      worker_wasm_bytes: keys.memoryAfter.worker ?? keys.memory.worker ?? NOT_REPORTED,
      page_wasm_bytes: keys.memoryAfter.page ?? keys.memory.page ?? NOT_REPORTED,
      worker_wasm_bytes_after_load: keys.memory.worker ?? NOT_REPORTED,
      page_wasm_bytes_after_load: keys.memory.page ?? NOT_REPORTED,
    },
    queries: keys.queries,
  };

  const rows = [
    ['first load: requests (all targets)', `${report.first_load.requests} (${report.first_load.network_requests} not answered by the service worker)`],
    ['first load: bytes transferred (all targets)', kb(report.first_load.bytes)],
    ['  of which page (CDP encodedDataLength)', `${kb(report.first_load.page_bytes_cdp)} in ${report.first_load.page_requests_cdp} requests`],
    ['  of which service worker', `${kb(report.first_load.service_worker_bytes)} in ${report.first_load.service_worker_requests} requests`],
    ['first load: data ready', ms(report.first_load.ready_ms)],
    ['service worker', report.first_load.service_worker],
    ['second load: requests (all targets)', `${report.second_load.requests} (${report.second_load.network_requests} not answered by the service worker)`],
    ['second load: bytes transferred', kb(report.second_load.bytes)],
    ['  page (CDP encodedDataLength)', `${kb(report.second_load.page_bytes_cdp)} in ${report.second_load.page_requests_cdp} requests`],
    ['  answered by the service worker', report.second_load.answered_by_service_worker],
    ['second load: data ready', ms(report.second_load.ready_ms)],
    [`first result for "chf" (median of ${runs.length})`, `${ms(report.first_result_chf.median_ms)} (${report.first_result_chf.all_ms.join(', ')})`],
    ['worker load time (median, loadMs)', ms(report.first_result_chf.worker_load_ms_median)],
    [
      'worker search per keystroke p50 / p95 / max',
      typeof report.worker_search_ms === 'string'
        ? report.worker_search_ms
        : `${report.worker_search_ms.p50} / ${report.worker_search_ms.p95} / ${report.worker_search_ms.max} ms (${report.worker_search_ms.n} searches, ${keys.queries.length} queries)`,
    ],
    [
      'keystroke to results shown p50 / p95 / max',
      report.keystroke_to_results_shown_ms.n
        ? `${report.keystroke_to_results_shown_ms.p50} / ${report.keystroke_to_results_shown_ms.p95} / ${report.keystroke_to_results_shown_ms.max} ms (harness included)`
        : 'not measured',
    ],
    ['worker wasm memory', mb(report.memory.worker_wasm_bytes)],
    ['page wasm memory', mb(report.memory.page_wasm_bytes)],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'));
  console.log();
  const json = JSON.stringify(report, null, 2);
  console.log(json);
  const file = path.join(ensureArtifacts(), 'bench.json');
  fs.writeFileSync(file, `${json}\n`);
  console.error(`bench: wrote ${path.relative(ROOT, file)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
