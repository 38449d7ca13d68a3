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
