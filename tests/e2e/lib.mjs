// Shared by run.mjs and bench.mjs: where the site is, how Chromium is
// started, and small waiting helpers. Playwright's own browser download does
// not work offline, so Debian's /usr/bin/chromium is launched instead; each
// browser gets a fresh profile so the service worker and caches start empty.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const ARTIFACTS = path.join(HERE, 'artifacts');

/** The site under test (`cargo xtask e2e` sets it; it must end with `/`). */
export function baseUrl() {
  const url = process.env.ICD_BASE_URL;
  if (!url) {
    console.error(
      'ICD_BASE_URL is not set. Run `cargo xtask e2e`, or serve a release build and set\n' +
        '  ICD_BASE_URL=http://127.0.0.1:<port>/ node tests/e2e/run.mjs',
    );
    process.exit(2);
  }
  return url.endsWith('/') ? url : `${url}/`;
}

export const CHROMIUM = process.env.ICD_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A browser with a fresh, throwaway profile. `close()` closes it and deletes
 * the profile.
 */
export async function launch(options = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set ICD_CHROMIUM`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icd-e2e-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    serviceWorkers: 'allow',
    ...options,
  });
  // A missing element fails in 15 s rather than Playwright's 30.
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The one page a persistent context opens with. */
export async function firstPage(context) {
  return context.pages()[0] ?? (await context.newPage());
}

/** Waits until the app says its data is loaded (`<body data-ready="true">`). */
export async function waitReady(page, timeout = 60_000) {
  try {
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout });
  } catch (e) {
    const alert = await page
      .locator('[role="alert"]')
      .allInnerTexts()
      .catch(() => []);
    throw new Error(
      `the app never set data-ready="true" on <body> within ${timeout} ms` +
        (alert.length ? `; the page shows an alert: ${alert.join(' | ')}` : ''),
    );
  }
}

/** Opens a route (`#/code/E11.9`) of the site and waits for the data. */
export async function open(page, base, hash = '#/') {
  await page.goto(new URL(hash, base).href);
  await waitReady(page);
}

/**
 * Calls `fn` until it returns a truthy value or `timeout` ms pass; then
 * throws `message` (a string or a function of the last value).
 */
export async function poll(fn, message, timeout = 10_000, interval = 100) {
  const end = Date.now() + timeout;
  let last;
  let error;
  for (;;) {
    try {
      last = await fn();
      error = undefined;
      if (last) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > end) {
      const text = typeof message === 'function' ? await message(last) : message;
      throw new Error(error ? `${text} (last error: ${error.message.split('\n')[0]})` : text);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** The search box, found by its label. */
export function searchBox(page) {
  return page.getByRole('searchbox', { name: 'Search diagnoses, terms or codes' });
}

/** Codes of the options of the first (or only) result list, in order. */
export async function resultCodes(scope) {
  return scope
    .getByRole('listbox')
    .first()
    .getByRole('option')
    .locator('.code')
    .allInnerTexts()
    .then((list) => list.map((s) => s.trim()));
}

/** Waits until the results shown are the answer to what is in the box. */
export async function waitResults(page, timeout = 15_000) {
  await page.waitForSelector('[aria-busy="false"] [role="listbox"] [role="option"]', { timeout }).catch(() => {
    throw new Error(`no search result was shown within ${timeout} ms`);
  });
}

export function ensureArtifacts() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

/** The plain-host copy of the site (`cargo xtask e2e` sets it), or null. */
export function plainUrl() {
  const url = process.env.ICD_PLAIN_URL;
  if (!url) return null;
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * A counting HTTP proxy in front of `target` (a site URL): what it relays is
 * exactly what crossed the network, whoever asked (page, data worker,
 * service worker), and nothing the browser took from its HTTP cache or its
 * service worker. `url` is the proxied site; `total()` the bytes relayed so
 * far (status line, headers and body as sent); `log` one entry per request:
 * { path, status, bytes, start, end }; `close()` stops it.
 */
export async function countingProxy(target) {
  const { default: http } = await import('node:http');
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const log = [];
  let total = 0;
  const server = http.createServer((req, res) => {
    const entry = { path: req.url, method: req.method, status: 0, bytes: 0, start: Date.now(), end: null };
    log.push(entry);
    const add = (n) => {
      entry.bytes += n;
      total += n;
    };
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        entry.status = answer.statusCode;
        let head = `HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\n`;
        for (let i = 0; i < answer.rawHeaders.length; i += 2) head += `${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}\r\n`;
        add(Buffer.byteLength(`${head}\r\n`));
        res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
        answer.on('data', (chunk) => add(chunk.length));
        answer.on('end', () => (entry.end = Date.now()));
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}${upstream.pathname}`,
    log,
    total: () => total,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}

/**
 * The files the service worker keeps (`PRECACHE` of dist/sw.js at `base`),
 * as paths from the site root ("./data/tabular.icdx"), "./" included.
 */
export async function precacheList(base) {
  const text = await (await fetch(new URL('sw.js', base))).text();
  const start = text.indexOf('const PRECACHE = ');
  const end = text.indexOf('];', start);
  if (start < 0 || end < 0) throw new Error('sw.js has no `const PRECACHE = [...];`: was it written by `cargo xtask dist`?');
  return JSON.parse(text.slice(start + 'const PRECACHE = '.length, end + 1).replace(/,\s*\]$/, ']')).map(([url]) => url);
}

/**
 * Waits until the service worker is active, its cache holds every file of
 * `list`, and the network through `proxy` (if not null) has been quiet for
 * `quietMs` (background fetches done); returns the cached URLs missing after `timeout` ms (none when all
 * is well).
 */
export async function waitOfflineReady(page, list, proxy, { timeout = 30_000, quietMs = 1_000 } = {}) {
  const end = Date.now() + timeout;
  let missing = list;
  for (;;) {
    missing = await page.evaluate(async (urls) => {
      if (!('serviceWorker' in navigator)) return urls;
      const reg = await navigator.serviceWorker.getRegistration();
      if (!reg || !reg.active || reg.active.state !== 'activated') return urls;
      const names = (await caches.keys()).filter((k) => k.startsWith('icd-desk:'));
      const have = new Set();
      for (const name of names) {
        const cache = await caches.open(name);
        for (const r of await cache.keys()) have.add(new URL(r.url).pathname);
      }
      const scope = new URL(reg.scope).pathname;
      return urls.filter((u) => !have.has(scope + u.replace(/^\.\//, '')));
    }, list);
    const log = proxy ? proxy.log : [];
    const lastEnd = Math.max(0, ...log.map((e) => e.end ?? Date.now()));
    const inFlight = log.some((e) => e.end === null);
    if (missing.length === 0 && !inFlight && Date.now() - lastEnd >= quietMs) return [];
    if (Date.now() > end) return missing;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------
// Generated encounters for the batch journeys (run.mjs) and the scale
// benchmark (bench.mjs): valid ICD-10-CM and ICD-10-PCS codes of the 2026
// release, combined by a seeded generator, so nothing big is committed.

const PRINCIPAL = [
  'I50.9', 'J18.9', 'N39.0', 'A41.9', 'I21.4', 'J44.1', 'K80.20', 'I63.9', 'E11.65', 'N17.9',
  'K35.80', 'S72.001A', 'M17.11', 'I48.91', 'R07.9', 'O80', 'Z38.00', 'K56.609', 'C34.90', 'F32.9',
];
const SECONDARY = [
  'I10', 'E11.9', 'E78.5', 'Z79.4', 'N18.30', 'E87.1', 'D64.9', 'J96.01', 'I25.10', 'E66.9',
  'Z87.891', 'F17.210', 'R65.20', 'E44.0', 'I11.0', 'K21.9', 'G47.33', 'E03.9', 'Z95.1', 'R41.82',
];
const PROCEDURES = ['0DTJ4ZZ', '0SRC0J9', '02703ZZ', '5A1955Z', '0BH17EZ', '3E033VJ', 'B2111ZZ', '0FT44ZZ'];
const STATUS = ['01', '01', '01', '01', '03', '06', '02', '20', '07', '62'];

/** A deterministic generator of numbers in [0, 1) (mulberry32). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` encounters as the record CSV `icd check` reads (a header and one row
 * each), the same for the same `seed`. About one in ten is outpatient, one
 * in a hundred has a principal code that does not exist (a finding, not a
 * broken row).
 */
export function encountersCsv(n, seed = 1) {
  const r = random(seed);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const lines = ['id,setting,mrn,age,sex,admission_date,admission_time,discharge_date,discharge_time,discharge_status,attending,admitting_dx,principal_dx,secondary_dx,procedures,reason_for_visit'];
  for (let i = 1; i <= n; i += 1) {
    const outpatient = r() < 0.1;
    const pdx = r() < 0.01 ? 'E11.99' : pick(PRINCIPAL);
    const sex = pdx === 'O80' ? 'F' : r() < 0.5 ? 'F' : 'M';
    const age = pdx === 'Z38.00' ? 0 : pdx === 'O80' ? 18 + Math.floor(r() * 25) : 20 + Math.floor(r() * 70);
    const day = 1 + Math.floor(r() * 20);
    const los = Math.floor(r() * 8);
    const pad = (x) => String(x).padStart(2, '0');
    const sdx = [];
    for (let k = Math.floor(r() * 6); k > 0; k -= 1) sdx.push(`${pick(SECONDARY)}:${r() < 0.9 ? 'Y' : 'N'}`);
    const px = !outpatient && r() < 0.3 ? pick(PROCEDURES) : '';
    lines.push(
      [
        `E${String(i).padStart(7, '0')}`,
        outpatient ? 'outpatient' : 'inpatient',
        `M${String(1 + Math.floor(r() * 900_000)).padStart(7, '0')}`,
        age,
        sex,
        `2026-03-${pad(day)}`,
        `${pad(Math.floor(r() * 24))}:${pad(Math.floor(r() * 60))}`,
        `2026-03-${pad(day + (outpatient ? 0 : los))}`,
        `${pad(Math.floor(r() * 24))}:${pad(Math.floor(r() * 60))}`,
        outpatient ? '01' : pick(STATUS),
        `Dr ${1 + Math.floor(r() * 40)}`,
        outpatient ? '' : pdx,
        `${pdx}:Y`,
        [...new Set(sdx)].join(';'),
        px,
        outpatient ? 'follow-up visit' : '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Drops a file on an element (a real `drop` event with a `DataTransfer`). */
export async function dropFile(page, selector, name, text, type = 'text/csv') {
  const transfer = await page.evaluateHandle(
    ([t, n, m]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n, { type: m }));
      return dt;
    },
    [text, name, type],
  );
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}
