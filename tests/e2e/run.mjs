// End-to-end tests of ICD Desk's release build, one function per user
// journey, in headless Chromium against the site at ICD_BASE_URL.
//
//   cargo xtask e2e                                    # builds dist/, serves it, runs this
//   ICD_BASE_URL=http://127.0.0.1:8080/ node tests/e2e/run.mjs [name filter]
//
// Over the whole run every request (pages, workers, the service worker) must
// stay on the site's origin and no console error or uncaught exception may
// occur. Screenshots go to tests/e2e/artifacts/. Exit status: 0 all passed,
// 1 a test failed, 2 the run could not start.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import {
  baseUrl,
  countingProxy,
  dropFile,
  encountersCsv,
  ensureArtifacts,
  firstPage,
  launch,
  open,
  plainUrl,
  poll,
  precacheList,
  ROOT,
  resultCodes,
  searchBox,
  waitOfflineReady,
  waitReady,
  waitResults,
} from './lib.mjs';

const BASE = baseUrl();
const ORIGIN = new URL(BASE).origin;
/** A date inside the release's validity (eval/queries.tsv uses the same). */
const DATE_OF_SERVICE = '2026-04-01';

// ---------------------------------------------------------------------------
// Guards over the whole journey: requests to other origins, console errors.

let currentTest = '(startup)';
const foreignRequests = [];
const consoleErrors = [];
const seenErrors = new Set();
let requestCount = 0;

function noteError(kind, text, where) {
  const key = `${currentTest}|${kind}|${text}|${where ?? ''}`;
  if (seenErrors.has(key)) return;
  seenErrors.add(key);
  consoleErrors.push({ test: currentTest, kind, text, where });
}

function watchWorker(worker, kind) {
  worker.on('console', (m) => {
    if (m.type() === 'error') noteError(`${kind} console.error`, m.text(), worker.url());
  });
}

/** Attaches the guards to a browser context (and its pages and workers). */
function guard(context) {
  context.on('request', (r) => {
    requestCount += 1;
    const url = r.url();
    // data: and blob: URLs never leave the device.
    if (/^(data|blob):/.test(url)) return;
    let origin;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = url;
    }
    if (origin !== ORIGIN) {
      const by = r.serviceWorker() ? 'service worker' : 'page or worker';
      foreignRequests.push({ test: currentTest, url, by });
    }
  });
  context.on('console', (m) => {
    if (m.type() === 'error') {
      const loc = m.location();
      noteError('console.error', m.text(), loc?.url ? `${loc.url}:${loc.lineNumber}` : undefined);
    }
  });
  context.on('weberror', (e) => noteError('uncaught exception', String(e.error()?.stack ?? e.error())));
  context.on('serviceworker', (w) => watchWorker(w, 'service worker'));
  const watchPage = (page) => {
    page.on('pageerror', (e) => noteError('uncaught exception', String(e.stack ?? e)));
    page.on('worker', (w) => watchWorker(w, 'worker'));
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  for (const w of context.serviceWorkers()) watchWorker(w, 'service worker');
}

// ---------------------------------------------------------------------------
// A tiny runner: tests run in order, each in its own function.

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  assert(a === e, `${what}: expected ${e}, got ${a}`);
}

/** The browser shared by the journey (test 6 starts its own). */
let journey;
async function newPage() {
  return journey.context.newPage();
}

/** Runs `fn` on a fresh page of the journey's browser, then closes it. */
async function withPage(fn) {
  const page = await newPage();
  try {
    return await fn(page);
  } finally {
    await page.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------
// Steps shared by several tests.

async function search(page, query) {
  await open(page, BASE, '#/');
  const box = searchBox(page);
  await box.waitFor({ state: 'visible' });
  await box.fill(query);
  await waitResults(page);
  return box;
}

/** Radios of the 7th-character picker as [char, meaning] pairs. */
async function seventhOptions(page) {
  const group = page.getByRole('group', { name: '7th character' });
  await group.waitFor({ timeout: 15_000 }).catch(() => {
    throw new Error('no 7th-character picker (a fieldset with the legend "7th character") was shown');
  });
  const radios = group.getByRole('radio');
  const n = await radios.count();
  const names = [];
  for (let i = 0; i < n; i++) {
    const id = await radios.nth(i).getAttribute('id');
    const label = id ? await page.locator(`label[for="${id}"]`).innerText() : await radios.nth(i).innerText();
    names.push(label.trim());
  }
  return names.map((name) => {
    const [ch, ...rest] = name.split(' — ');
    return [ch.trim(), rest.join(' — ').trim()];
  });
}

async function builtCode(page) {
  return (await page.getByTestId('built-code').innerText()).trim();
}

// ---------------------------------------------------------------------------
// The journeys.

test('1 search: "chf" shows I50.9 in the first 5 results', () =>
  withPage(async (page) => {
    await search(page, 'chf');
    const list = page.getByRole('listbox', { name: 'Suggestions' });
    assert(await list.isVisible(), 'the results are not a listbox named "Suggestions"');
    const codes = await resultCodes(page);
    assert(codes.slice(0, 5).includes('I50.9'), `I50.9 is not among the first 5 results for "chf": ${codes.slice(0, 10).join(', ')}`);
    const first = page.getByRole('option').filter({ hasText: 'I50.9' }).first();
    const text = await first.innerText();
    assert(/heart failure/i.test(text), `the I50.9 result does not show its title: ${JSON.stringify(text)}`);
    assert(/billable/i.test(text), `the I50.9 result has no billable badge: ${JSON.stringify(text)}`);
    // The address bar edited from ?q=chf to ?q=copd: the box and the results follow.
    await poll(() => decodeURIComponent(new URL(page.url()).hash) === '#/?q=chf', () => `the URL did not follow the box (at ${page.url()})`);
    await page.evaluate(() => { window.location.hash = '#/?q=copd'; });
    await poll(async () => (await searchBox(page).inputValue()) === 'copd', async () => `the box did not follow the URL to "copd": ${JSON.stringify(await searchBox(page).inputValue())}`, 15_000);
    await poll(async () => (await resultCodes(page)).includes('J44.9'), async () => `the results did not follow the URL to "copd": ${(await resultCodes(page)).slice(0, 10).join(', ')}`, 15_000);
    // The setting is a preference kept in the URL: it survives a reload.
    await page.getByTestId('setting').selectOption('outpatient');
    await poll(() => /[?&]setting=outpatient\b/.test(new URL(page.url()).hash), () => `the outpatient setting is not in the URL (at ${page.url()})`);
    await page.reload();
    await searchBox(page).waitFor();
    await poll(async () => (await page.getByTestId('setting').inputValue()) === 'outpatient', async () => `the setting after a reload: ${await page.getByTestId('setting').inputValue()}`, 15_000);
    same(await searchBox(page).inputValue(), 'copd', 'the box after a reload');
  }));

test('2 code view: S52.521 offers A D G K P S; "initial encounter for closed fracture" builds S52.521A', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/code/S52.521');
    const heading = page.getByRole('heading', { level: 2 }).filter({ hasText: 'S52.521' });
    await heading.first().waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error('no <h2> with the code S52.521 on #/code/S52.521');
    });
    const options = await seventhOptions(page);
    same(
      options.map(([ch]) => ch),
      ['A', 'D', 'G', 'K', 'P', 'S'],
      '7th characters offered for S52.521 (its subcategory S52.52 narrows the list of S52)',
    );
    await page.getByRole('radio', { name: 'A — initial encounter for closed fracture', exact: true }).check();
    same(await builtCode(page), 'S52.521A', 'built code after picking A');
    assert(
      await page.getByRole('button', { name: 'Copy S52.521A', exact: true }).isVisible(),
      'no button "Copy S52.521A" after picking the 7th character',
    );
  }));

test('3 code view: T36.0X1 + "initial encounter" builds T36.0X1A', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/code/T36.0X1');
    const options = await seventhOptions(page);
    const meanings = options.map(([ch, m]) => `${ch} — ${m}`);
    assert(meanings.includes('A — initial encounter'), `no "A — initial encounter" among ${JSON.stringify(meanings)}`);
    await page.getByRole('radio', { name: 'A — initial encounter', exact: true }).check();
    same(await builtCode(page), 'T36.0X1A', 'built code for T36.0X1 + A');
  }));

test('4 index: Index > F > Failure > heart > congestive shows I50.9', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Index', exact: true }).click();
    await page.getByRole('link', { name: 'F', exact: true }).click();
    // The letter's filter narrows the main terms; Enter opens the first.
    const find = page.getByLabel('Find a main term', { exact: true });
    await find.waitFor({ timeout: 15_000 });
    const all = await page.locator('ul.main-terms > li').count();
    await find.fill('failure');
    await poll(async () => { const n = await page.locator('ul.main-terms > li').count(); return n > 0 && n < all; }, 'the filter did not narrow the main terms of F');
    const firstTerm = (await page.locator('ul.main-terms > li a').first().innerText()).trim();
    assert(/^failure/i.test(firstTerm), `the first main term after filtering "failure" is ${JSON.stringify(firstTerm)}`);
    await find.fill('');
    const failure = page.getByRole('link', { name: /^Failure\b/ }).first();
    await failure.waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error('the letter F does not list the main term "Failure" as a link');
    });
    await failure.click();
    await page.getByRole('heading', { level: 1, name: /^Failure/ }).waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error(`the term page of "Failure" has no <h1> "Failure…" (at ${page.url()})`);
    });
    // A subterm with subterms is <details> whose <summary> is its text.
    const subterm = (scope, text) =>
      scope.locator('details').filter({
        has: page.locator(':scope > summary').filter({ hasText: new RegExp(`^\\s*${text}\\b`) }),
      });
    const heart = subterm(page, 'heart').first();
    assert((await heart.count()) > 0, 'no collapsible subterm "heart" (a <details> whose <summary> starts with "heart") under Failure');
    await heart.locator(':scope > summary').click();
    // "congestive" has subterms of its own (with rheumatic fever, newborn...):
    // it is collapsible too, and its code is inside it.
    let congestive = subterm(heart, 'congestive').first();
    if ((await congestive.count()) > 0) {
      // Collapsed, the row already shows its code.
      const collapsed = (await congestive.locator(':scope > summary [data-testid="collapsed-code"]').allInnerTexts()).map((t) => t.trim());
      same(collapsed, ['I50.9'], 'the code on the collapsed "congestive" row');
      await congestive.locator(':scope > summary').click();
    } else {
      congestive = heart.locator('li').filter({ hasText: /^\s*congestive\b/ }).first();
      assert((await congestive.count()) > 0, 'no subterm "congestive" under Failure > heart');
    }
    const code = congestive.locator('a[href*="#/code/"]').filter({ hasText: /^I50\.9$/ }).first();
    assert(await code.isVisible(), 'Failure > heart > congestive does not show the code I50.9 as a visible link');
    same(await code.getAttribute('href').then((h) => h.replace(/^.*#/, '#')), '#/code/I50.9', 'link of I50.9');
  }));

test('5 validator: E11 not billable (with its billable codes), a malformed code invalid, E11.9 valid', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Validator', exact: true }).click();
    await page.getByLabel('Codes', { exact: true }).fill('E11\nE1.19\nE11.9');
    await page.getByLabel('Date of service', { exact: true }).fill(DATE_OF_SERVICE);
    await page.getByRole('button', { name: 'Check codes', exact: true }).click();
    const table = page.getByRole('table');
    await table.first().waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error('"Check codes" showed no table of verdicts');
    });
    const row = (code) => table.first().getByRole('row').filter({ has: page.getByRole('cell', { name: code, exact: true }) });
    const verdicts = {};
    for (const code of ['E11', 'E1.19', 'E11.9']) {
      const r = row(code);
      assert((await r.count()) === 1, `expected one row for ${code}, found ${await r.count()}`);
      verdicts[code] = (await r.innerText()).replace(/\s+/g, ' ').trim();
    }
    assert(/Not billable/.test(verdicts.E11), `E11 is not flagged "Not billable": ${verdicts.E11}`);
    const children = await row('E11').locator('a[href*="#/code/E11."]').allInnerTexts();
    assert(children.length > 0, `the E11 row lists no billable codes below it (links to E11.x): ${verdicts.E11}`);
    assert(/\bInvalid\b/.test(verdicts['E1.19']), `the malformed "E1.19" is not flagged "Invalid": ${verdicts['E1.19']}`);
    assert(/\bValid\b/.test(verdicts['E11.9']) && !/Invalid|Not /.test(verdicts['E11.9']), `E11.9 is not "Valid" on ${DATE_OF_SERVICE}: ${verdicts['E11.9']}`);
    // A system label is no code, a bare trailing dot ends the code, a repeat
    // is said, and the valid codes copy in their printed form, once each.
    await page.getByLabel('Codes', { exact: true }).fill('ICD10:e11.9 I10. E11.9');
    await page.getByRole('button', { name: 'Check codes', exact: true }).click();
    await poll(async () => (await table.first().getByRole('row').count()) === 4, async () => `expected 3 verdict rows for "ICD10:e11.9 I10. E11.9": ${await table.first().innerText()}`, 15_000);
    const rows = (await table.first().getByRole('row').allInnerTexts()).slice(1).map((t) => t.replace(/\s+/g, ' ').trim());
    assert(rows.every((r) => /\bValid\b/.test(r)), `not all of e11.9, I10., E11.9 are valid: ${rows.join(' | ')}`);
    assert(/Repeats code 1/.test(rows[2]), `the second E11.9 is not marked as a repeat: ${rows[2]}`);
    same((await page.getByTestId('copy-valid').innerText()).trim(), 'Copy 2 valid codes', 'the copy button of E11.9 and I10');
    await page.getByTestId('copy-valid').click();
    await poll(async () => /Copied: E11\.9, I10\./.test(await page.locator('.validate-page').innerText()), 'the copy button did not say it copied "E11.9, I10"');
    // A date after the release's coverage is said, with what it means.
    await page.getByLabel('Date of service', { exact: true }).fill('2027-06-01');
    const coverage = (await page.getByTestId('dos-coverage').innerText()).trim();
    assert(/2027-06-01 is after \d{4}-\d{2}-\d{2}, the last day this release covers/.test(coverage), `no coverage warning for 2027-06-01: "${coverage}"`);
  }));

test('6 offline: after one visit the service worker serves the app and search works offline', async () => {
  const browser = await launch();
  guard(browser.context);
  try {
    const page = await firstPage(browser.context);
    await open(page, BASE, '#/');
    const sw = await page.evaluate(async () => {
      if (!('serviceWorker' in navigator)) return { supported: false };
      const regs = await navigator.serviceWorker.getRegistrations();
      return { supported: true, registrations: regs.map((r) => r.scope) };
    });
    assert(sw.supported, 'navigator.serviceWorker is not available on this origin');
    const ready = await page
      .evaluate(() =>
        Promise.race([
          navigator.serviceWorker.ready.then((r) => r.active?.state ?? 'none'),
          new Promise((res) => setTimeout(() => res(null), 20_000)),
        ]),
      );
    assert(ready, `no service worker became ready within 20 s (registrations: ${JSON.stringify(sw.registrations)})`);
    // The first visit is controlled only if the worker claims its clients;
    // a reload always is.
    let controlled = await page.evaluate(() => !!navigator.serviceWorker.controller);
    if (!controlled) {
      await page.reload();
      await waitReady(page);
      controlled = await poll(() => page.evaluate(() => !!navigator.serviceWorker.controller), 'the page is not controlled by the service worker after a reload', 10_000).catch(() => false);
    }
    assert(controlled, 'the page is not controlled by the service worker (navigator.serviceWorker.controller is null) after a reload');
    // Every file, the data included, not only what this page happened to use.
    const missing = await waitOfflineReady(page, await precacheList(BASE), null);
    assert(missing.length === 0, `the service worker's cache lacks ${missing.join(', ')}`);
    await browser.context.setOffline(true);
    await page.reload().catch((e) => {
      throw new Error(`reloading offline failed: ${e.message.split('\n')[0]}`);
    });
    await waitReady(page);
    assert((await page.evaluate(() => navigator.onLine)) === false, 'the browser did not go offline (navigator.onLine is still true)');
    const box = searchBox(page);
    await box.fill('chf');
    await waitResults(page);
    const codes = await resultCodes(page);
    assert(codes.length > 0, 'offline search for "chf" returned nothing');
  } finally {
    await browser.context.setOffline(false).catch(() => {});
    await browser.close();
  }
});

/**
 * One first visit through a counting proxy in front of `target`: search,
 * then wait for the service worker to hold every file. Fails unless every
 * file of the site crossed the network exactly once, whoever fetched it.
 */
async function firstVisitOnce(target, what) {
  const list = await precacheList(target);
  const proxy = await countingProxy(target);
  const browser = await launch();
  // The journey's guards know one origin; this site is on the proxy's.
  const origin = new URL(proxy.url).origin;
  const foreign = [];
  const errors = [];
  browser.context.on('request', (r) => {
    if (!/^(data|blob):/.test(r.url()) && new URL(r.url()).origin !== origin) foreign.push(r.url());
  });
  browser.context.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  browser.context.on('weberror', (e) => errors.push(String(e.error())));
  try {
    const page = await firstPage(browser.context);
    // When the first result appears (the clock Node reads too), as bench.mjs notes it.
    await page.addInitScript(() => {
      const shown = () => document.querySelector('[aria-busy="false"] [role="listbox"] [role="option"]');
      new MutationObserver((_, observer) => {
        if (!window.__firstResultAt && shown()) {
          window.__firstResultAt = Date.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await open(page, proxy.url, '#/');
    const box = searchBox(page);
    await box.fill('chf');
    await waitResults(page);
    // The ICD-10-PCS tables wait for the first CM result.
    const shownAt = await page.evaluate(() => window.__firstResultAt ?? null);
    assert(shownAt, `${what}: the first result's time was not noted`);
    const early = proxy.log.filter((e) => /\/data\/pcs\.icdx$/.test(e.path) && e.start < shownAt);
    assert(early.length === 0, `${what}: pcs.icdx was fetched before the first CM result`);
    const missing = await waitOfflineReady(page, list, proxy);
    assert(missing.length === 0, `${what}: the service worker's cache lacks ${missing.join(', ')} 30 s after the first visit`);
    const counts = new Map();
    for (const e of proxy.log) {
      const key = `${e.method} ${e.path} ${e.status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const twice = [...counts].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
    assert(twice.length === 0, `${what}: fetched more than once on a first visit: ${twice.join(', ')}`);
    const revalidated = proxy.log.filter((e) => e.status === 304).map((e) => e.path);
    assert(revalidated.length === 0, `${what}: revalidated on a first visit (a request each, for nothing): ${revalidated.join(', ')}`);
    const fetched = new Set(proxy.log.filter((e) => e.status === 200).map((e) => e.path));
    const data = list.filter((u) => u.startsWith('./data/'));
    assert(data.some((u) => u.endsWith('.icdx')), `${what}: sw.js lists no ./data/*.icdx file to keep: ${data.join(', ')}`);
    const notFetched = data.filter((u) => !fetched.has(`/${u.slice(2)}`));
    assert(notFetched.length === 0, `${what}: data files never fetched on the first visit: ${notFetched.join(', ')}`);
    assert(foreign.length === 0, `${what}: requests to other origins: ${foreign.join(', ')}`);
    assert(errors.length === 0, `${what}: console errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
    await proxy.close();
  }
}

test('6b first visit: each file crosses the network once, with brotli and on a plain gzip host with no ETag or Last-Modified', async () => {
  await firstVisitOnce(BASE, 'precompressed server');
  const plain = plainUrl();
  assert(plain, 'ICD_PLAIN_URL is not set: run `cargo xtask e2e`, which serves dist/ a second time as a plain host (`cargo xtask serve --plain`)');
  await firstVisitOnce(plain, 'plain gzip host');
});

test('7 keyboard: / focuses search, ArrowDown selects, Enter opens the code', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/');
    const box = searchBox(page);
    await box.waitFor();
    // Start from somewhere else so that `/` has something to do.
    await page.evaluate(() => document.activeElement?.blur());
    assert(!(await box.evaluate((el) => el === document.activeElement)), 'the search box kept the focus after blur()');
    await page.keyboard.press('/');
    const focused = await box.evaluate((el) => el === document.activeElement);
    assert(focused, 'pressing / did not focus the search box');
    // Checked at the end, so that the arrows and Enter are tested too.
    const typed = await box.inputValue();
    const late = typed === '' ? null : `the box holds ${JSON.stringify(typed)} after pressing / (the / must not be typed into it)`;
    if (late) await box.fill('');
    await page.keyboard.type('chf');
    await waitResults(page);
    const options = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option');
    assert((await options.count()) >= 2, 'fewer than 2 results for "chf"');
    const selected = async () =>
      options.evaluateAll((els) => els.map((e, i) => (e.getAttribute('aria-selected') === 'true' ? i : -1)).filter((i) => i >= 0));
    await page.keyboard.press('ArrowDown');
    same(await selected(), [0], 'selected options after one ArrowDown');
    await page.keyboard.press('ArrowDown');
    same(await selected(), [1], 'selected options after two ArrowDowns');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowDown');
    same(await selected(), [1], 'selected options after ArrowUp, ArrowDown');
    const code = (await options.nth(1).locator('.code').innerText()).trim();
    await page.keyboard.press('Enter');
    await poll(() => decodeURIComponent(new URL(page.url()).hash) === `#/code/${code}`, () => `Enter did not open #/code/${code} (at ${page.url()})`);
    await page.getByRole('heading', { level: 2 }).filter({ hasText: code }).first().waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error(`the code view of ${code} has no <h2> with the code`);
    });
    // From any other view `/` comes back to the search, focused.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('/');
    await poll(() => new URL(page.url()).hash === '#/', () => `/ on the code view did not open the search (at ${page.url()})`);
    await poll(() => searchBox(page).evaluate((el) => el === document.activeElement), 'the search box is not focused after / from the code view');
    same(await searchBox(page).inputValue(), '', 'the search box after / from the code view');
    assert(!late, late);
  }));

test('7b keyboard: Tab reaches the results; the arrows move the focus through a code and its billable choices, which are options; Enter opens a choice', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/');
    const box = searchBox(page);
    await box.waitFor();
    await box.focus();
    await page.keyboard.type('E11');
    await waitResults(page);
    const list = page.getByRole('listbox', { name: 'Suggestions' });
    await poll(async () => (await list.getByRole('option').first().locator('.code').innerText().catch(() => '')).trim() === 'E11', 'the first result for "E11" is not E11');
    const cli = icdJson('search', 'E11', '--top', '10');
    const choices = cli.statements[0].suggestions[0].choices;
    assert(choices.length >= 2, `icd search E11 gives E11 fewer than 2 choices: ${JSON.stringify(choices)}`);
    const group = list.getByRole('group', { name: 'Choose a code of E11', exact: true });
    same(await group.getByRole('option').allInnerTexts(), choices, 'the choices of E11 shown as options, against icd search');
    const active = () => page.evaluate(() => ({ id: document.activeElement?.id, role: document.activeElement?.getAttribute('role'), text: document.activeElement?.innerText?.trim() }));
    // Tab from the box, past its own controls (clear, system, setting), reaches the results: one tab stop.
    const tabToResults = async () => {
      const passed = [];
      for (let k = 0; k < 12; k++) {
        await page.keyboard.press('Tab');
        const a = await active();
        if (a.role === 'option') return a;
        passed.push(a.id || a.text || a.role);
      }
      throw new Error(`12 Tabs from the box did not reach a result (passed ${passed.join(', ')})`);
    };
    const first = await tabToResults();
    same(first.id, 'result-0', 'the result Tab reaches first');
    // ↓ goes to the first choice, then the next; ↑ back; ↑ on the first option returns to the box.
    await page.keyboard.press('ArrowDown');
    same(await active(), { id: 'result-1', role: 'option', text: choices[0] }, 'the focus after ↓ from E11');
    await page.keyboard.press('ArrowDown');
    same((await active()).text, choices[1], 'the focus after ↓ ↓ from E11');
    same(await group.getByRole('option', { name: choices[1], exact: true }).getAttribute('aria-selected'), 'true', `${choices[1]} is not marked selected`);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    same((await active()).id, 'result-0', 'the focus after ↑ ↑');
    await page.keyboard.press('ArrowUp');
    assert(await box.evaluate((el) => el === document.activeElement), '↑ on the first result did not return the focus to the box');
    // Tab again reaches the option the arrows were on last; Enter on a choice opens it.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    same((await tabToResults()).text, choices[0], 'Tab after ↓ ↓ in the box reaches the selected choice');
    await page.keyboard.press('Enter');
    await poll(() => decodeURIComponent(new URL(page.url()).hash) === `#/code/${choices[0]}`, () => `Enter on ${choices[0]} did not open its code view (at ${page.url()})`);
  }));

test('8 multi-line paste: one result list per statement (collapsed below the note\'s codes), the negated one marked', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/');
    const box = searchBox(page);
    await box.waitFor();
    const note = 'CHF\nno evidence of pneumonia\nrule out sepsis';
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
    await box.focus();
    await page.evaluate((t) => navigator.clipboard.writeText(t), note);
    await page.keyboard.press('ControlOrMeta+V');
    // A note is read as a whole; its statements are below, collapsed.
    const alternatives = page.getByTestId('alternatives');
    await alternatives.waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error('pasting three lines showed no collapsed statement-by-statement alternatives (data-testid="alternatives")');
    });
    // The box became a text area and kept the focus, the caret at the end.
    const focusAfterPaste = await page.evaluate(() => {
      const el = document.activeElement;
      return { tag: el?.tagName, end: el && 'value' in el ? el.selectionStart === el.value.length : false };
    });
    same(focusAfterPaste, { tag: 'TEXTAREA', end: true }, 'the focus after pasting three lines');
    await alternatives.locator(':scope > summary').click();
    const statements = page.locator('section.statement');
    await poll(async () => (await statements.count()) === 3, async () => {
      const value = await page.locator('#search-box').inputValue().catch(() => '?');
      return `pasting three lines did not give 3 <section class="statement"> (got ${await statements.count()}; the box holds ${JSON.stringify(value)})`;
    }, 15_000);
    await page.waitForSelector('[aria-busy="false"] section.statement', { timeout: 15_000 });
    const texts = (await statements.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    const find = (re) => statements.filter({ has: page.getByRole('heading', { name: re }) }).first();
    const chf = find(/^CHF$/i);
    const neg = find(/no evidence of pneumonia/i);
    const ro = find(/rule out sepsis/i);
    for (const [s, label] of [[chf, 'CHF'], [neg, 'no evidence of pneumonia'], [ro, 'rule out sepsis']]) {
      assert((await s.count()) === 1, `no statement section headed "${label}": ${JSON.stringify(texts)}`);
    }
    const chfCodes = await resultCodes(chf);
    assert(chfCodes.slice(0, 5).includes('I50.9'), `the CHF statement does not suggest I50.9 in its first 5: ${chfCodes.join(', ')}`);
    assert(/\bNegated\b/.test(await neg.innerText()), 'the statement "no evidence of pneumonia" is not marked "Negated"');
    same(await neg.getByRole('option').count(), 0, 'options in the negated statement');
    assert(!/\bNegated\b/.test(await chf.innerText()), 'the CHF statement is marked "Negated"');
    assert(/\bUncertain\b/.test(await ro.innerText()), 'the statement "rule out sepsis" is not marked "Uncertain"');
  }));

test('9 record form: a code typed by words, an Excludes1 conflict found live, gone when its code is removed, findings link to codes', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/record');
    const findings = page.locator('section.findings');
    const ruleIds = async () => (await findings.locator('.authority code').allInnerTexts()).map((t) => t.trim());
    // The principal diagnosis by words: the suggestions list offers billable codes with titles.
    const pdx = page.getByLabel('Principal diagnosis', { exact: true });
    await pdx.waitFor();
    // Typed key by key, as a coder types: spaces stay, suggestions follow.
    await pdx.click();
    await page.keyboard.type('type 2 diabetes without complications', { delay: 15 });
    same(await pdx.inputValue(), 'type 2 diabetes without complications', 'the principal diagnosis box after typing words');
    const suggestions = page.locator('#pdx-options').getByRole('option');
    await poll(async () => (await suggestions.count()) > 0, 'typing words into "Principal diagnosis" offered no suggested codes', 15_000);
    const offered = (await suggestions.locator('.code').allInnerTexts()).map((t) => t.trim());
    assert(offered.includes('E11.9'), `the suggestions for "type 2 diabetes without complications" do not include E11.9: ${offered.join(', ')}`);
    await suggestions.filter({ has: page.locator('.code', { hasText: /^E11\.9$/ }) }).first().click();
    same(await pdx.inputValue(), 'E11.9', 'the principal diagnosis after picking the suggestion');
    same(await suggestions.count(), 0, 'suggestions still shown after picking one');
    // A secondary diagnosis that E11's Excludes1 note rules out.
    // A date that does not exist, typed into a date field, is said to be
    // one (the browser gives the page an empty value).
    await page.locator('#admit-date').focus();
    await page.keyboard.type('02302026');
    // Tab until the field is left (Chromium's date field takes a Tab for its picker).
    for (let i = 0; i < 3 && (await page.evaluate(() => document.activeElement?.id)) === 'admit-date'; i += 1) {
      await page.keyboard.press('Tab');
    }
    await poll(async () => /February 30 does not exist/.test(await page.locator('#admit-date-error').innerText().catch(() => '')), async () => `02/30/2026 typed into the admission date is not called impossible (value ${JSON.stringify(await page.locator('#admit-date').inputValue())})`, 5_000);
    await page.locator('#admit-date').fill('2026-03-02');
    await poll(async () => (await page.locator('#admit-date-error').count()) === 0, 'the date error stayed after a real date was entered');
    await page.getByRole('button', { name: 'Add secondary diagnosis', exact: true }).click();
    const sdx = page.getByLabel('Secondary diagnosis 1', { exact: true });
    await poll(() => sdx.evaluate((el) => el === document.activeElement), '"Add secondary diagnosis" did not move the focus to the new row\'s code box');
    // A word shaped like a code (a letter and five more) is still words.
    await sdx.click();
    await page.keyboard.type('asthma', { delay: 15 });
    const sdxOptions = page.locator('#sdx-0-options').getByRole('option');
    await poll(async () => (await sdxOptions.count()) > 0, '"asthma" typed into a secondary diagnosis offered no suggestions', 15_000);
    const asthma = (await sdxOptions.locator('.code').allInnerTexts()).map((t) => t.trim());
    assert(asthma.includes('J45.909'), `the suggestions for "asthma" do not include J45.909: ${asthma.join(', ')}`);
    // The ARIA combobox pattern: nothing is selected until an arrow key, so
    // ArrowDown then Enter picks the first suggestion, not the second.
    const chosen = () => sdxOptions.evaluateAll((els) => els.filter((e) => e.getAttribute('aria-selected') === 'true').length);
    same(await chosen(), 0, 'suggestions selected before any arrow key');
    same(await sdx.getAttribute('aria-activedescendant'), null, 'aria-activedescendant before any arrow key');
    const firstOffered = (await sdxOptions.first().locator('.code').innerText()).trim();
    await page.keyboard.press('ArrowDown');
    same(await chosen(), 1, 'suggestions selected after one ArrowDown');
    await page.keyboard.press('Enter');
    same(await sdx.inputValue(), firstOffered, 'ArrowDown then Enter picks the first suggestion');
    await page.keyboard.press('Escape');
    await sdx.fill('E10.9');
    await poll(async () => (await ruleIds()).includes('tabular.excludes1'), async () => `no tabular.excludes1 finding for E11.9 with E10.9; rule ids shown: ${(await ruleIds()).join(', ')}`, 15_000);
    const excludes = findings.locator('li.finding').filter({ has: page.locator('.authority code', { hasText: /^tabular\.excludes1$/ }) }).first();
    const linked = (await excludes.locator('.codes a').allInnerTexts()).map((t) => t.trim()).sort();
    same(linked, ['E10.9', 'E11.9'], 'codes linked from the Excludes1 finding');
    // The finding's rule id links to the rule, opened in the Rules page.
    same(await excludes.locator('.authority a').getAttribute('href'), '#/rules/tabular.excludes1', "the Excludes1 finding's rule link");
    // Removing the secondary diagnosis takes the conflict away.
    await page.getByRole('button', { name: 'Remove secondary diagnosis 1', exact: true }).click();
    await poll(async () => !(await ruleIds()).includes('tabular.excludes1'), async () => `the Excludes1 finding stayed after removing E10.9: ${(await ruleIds()).join(', ')}`, 15_000);
    // A header code as principal is reported with its billable children, and its link opens the code view.
    await pdx.fill('E11');
    await poll(async () => (await ruleIds()).includes('tabular.header_code'), async () => `no tabular.header_code finding for E11; rule ids shown: ${(await ruleIds()).join(', ')}`, 15_000);
    const header = findings.locator('li.finding').filter({ has: page.locator('.authority code', { hasText: /^tabular\.header_code$/ }) }).first();
    await header.locator('.codes a', { hasText: /^E11$/ }).first().click();
    await poll(() => decodeURIComponent(new URL(page.url()).hash) === '#/code/E11', () => `the finding's link did not open #/code/E11 (at ${page.url()})`);
  }));

test('10 record JSON: bad JSON keeps the text and says why; a record loads into the form, its unknown field named, and is checked', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/record');
    await page.getByText('Load, copy or clear the record (JSON)', { exact: true }).click();
    const area = page.getByLabel('Record JSON', { exact: true });
    const load = page.getByRole('button', { name: 'Load into the form', exact: true });
    const broken = '{"setting": "inpatient", "principal_dx": ';
    await area.fill(broken);
    await load.click();
    const alert = page.locator('.record-json [role="alert"]');
    await alert.waitFor({ timeout: 5_000 }).catch(() => {
      throw new Error('loading broken JSON showed no alert');
    });
    assert(/not JSON/.test(await alert.innerText()), `the alert does not say the text is not JSON: ${await alert.innerText()}`);
    same(await area.inputValue(), broken, 'the pasted text after a failed load');
    await area.fill('{"principal_dx": "E11.9"}');
    await load.click();
    await poll(async () => /wrong form/.test(await alert.innerText()), async () => `a diagnosis given as a string did not say a field has the wrong form: ${await alert.innerText()}`, 5_000);
    const record = {
      setting: 'inpatient',
      patient: { mrn: 'A-1234', sex: 'F', age: 70, eye_color: 'blue' },
      admission: { date: '2026-04-02', type: 1, source: '1' },
      discharge: { date: '2026-04-05', status: '01' },
      attending: 'Dr. Rivera',
      admitting_dx: 'G63',
      principal_dx: { code: 'G63', poa: 'Y' },
      secondary_dx: [{ code: 'E11.42', poa: 'y' }],
    };
    await area.fill(JSON.stringify(record));
    await load.click();
    const status = page.locator('.record-json [role="status"]');
    await poll(async () => /patient\.eye_color/.test(await status.innerText().catch(() => '')), async () => `the unknown field patient.eye_color was not named: ${await status.innerText().catch(() => '(no status)')}`, 5_000);
    same(await page.getByLabel('MRN', { exact: true }).inputValue(), 'A-1234', 'MRN in the form');
    same(await page.getByLabel('Principal diagnosis', { exact: true }).inputValue(), 'G63', 'principal diagnosis in the form');
    same(await page.getByLabel('Secondary diagnosis 1', { exact: true }).inputValue(), 'E11.42', 'secondary diagnosis in the form');
    same(await page.getByLabel('Type of admission (UB-04)', { exact: true }).inputValue(), '1', 'type of admission in the form');
    same(await page.locator('#sdx-poa-0').inputValue(), 'Y', 'the POA picker of a secondary diagnosis loaded as "y"');
    const ids = async () => (await page.locator('section.findings .authority code').allInnerTexts()).map((t) => t.trim());
    await poll(async () => (await ids()).includes('mce.manifestation_as_pdx'), async () => `no mce.manifestation_as_pdx finding for G63 as principal: ${(await ids()).join(', ')}`, 15_000);
    // Everything the form asks for is filled, so no required-field finding is left.
    assert(!(await ids()).includes('record.required_field'), `a required field is reported missing: ${(await ids()).join(', ')}`);
    // Copy gives back the record as JSON.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
    await page.getByRole('button', { name: 'Copy the record as JSON', exact: true }).click();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    same([copied.patient?.mrn, copied.principal_dx?.code, copied.secondary_dx?.[0]?.code, copied.admission?.type], ['A-1234', 'G63', 'E11.42', '1'], 'MRN, principal, secondary and admission type in the copied JSON');
    assert(!('eye_color' in (copied.patient ?? {})), 'the copied JSON keeps the ignored field eye_color');
    // The walk-through's record: what matters for billing is shown first
    // (no error; the CC first, then the COPD-with-pneumonia combination
    // before any reminder), and the discharge status is a picker.
    const walk = {
      setting: 'inpatient',
      patient: { mrn: 'W-1', age: 78, sex: 'M' },
      admission: { date: '2026-03-02', type: 1, source: '1' },
      discharge: { date: '2026-03-06', status: '01' },
      attending: 'Dr. Rivera',
      admitting_dx: 'J18.9',
      principal_dx: { code: 'J18.9', poa: 'Y' },
      secondary_dx: ['N17.9', 'J44.9', 'E11.9', 'Z79.4', 'I10'].map((code) => ({ code, poa: code === 'Z79.4' ? '1' : 'Y' })),
    };
    await area.fill(JSON.stringify(walk));
    await load.click();
    await poll(async () => (await ids())[0] === 'drg.cc', async () => `the walk-through record does not lead with its CC: ${(await ids()).join(', ')}`, 15_000);
    const shown = await ids();
    const firstReminder = shown.findIndex((id) => id.startsWith('tabular.'));
    const combination = shown.indexOf('combination.copd_lower_respiratory_infection');
    assert(combination > 0 && (firstReminder < 0 || combination < firstReminder), `the COPD-with-pneumonia finding is not before the reminders: ${shown.join(', ')}`);
    assert(!(await page.locator('section.findings li.finding.err').count()), `the walk-through record shows an error: ${shown.join(', ')}`);
    same(await page.locator('#discharge-status').evaluate((el) => el.tagName), 'SELECT', 'the discharge status field');
    same(await page.locator('#discharge-status').inputValue(), '01', 'the discharge status loaded into its picker');
    // The DRG panel: the DRG with its weight, the CC that drives it, and what it would be without it.
    const panel = page.getByTestId('drg-panel');
    await panel.waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error('the record check shows no MS-DRG panel for the walk-through record');
    });
    const final = (await page.getByTestId('drg-final').innerText()).trim();
    assert(/^MS-DRG 194 Simple Pneumonia and Pleurisy with CC$/i.test(final), `the walk-through record's DRG: ${final}`);
    assert(/^\d+\.\d{4}$/.test((await page.getByTestId('drg-weight').innerText()).trim()), 'the DRG weight is not a number');
    const drivers = (await page.getByTestId('drg-drivers').innerText()).replace(/\s+/g, ' ');
    assert(/N17\.?9 is a CC and counts/.test(drivers), `the drivers do not name N17.9 as the CC: ${drivers}`);
    const whatIf = (await page.getByTestId('drg-what-if').innerText()).replace(/\s+/g, ' ');
    assert(/Without N17\.?9: MS-DRG 195 \(changes\)/.test(whatIf), `the what-if list does not show 195 without N17.9: ${whatIf}`);
  }));

/**
 * A second copy of the site on its own port, whose sw.js the test can
 * replace: a new release deployed while a page is open.
 */
async function deployableSite(dist) {
  const types = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.wasm': 'application/wasm',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.webmanifest': 'application/manifest+json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
  };
  const site = { sw: fs.readFileSync(path.join(dist, 'sw.js'), 'utf8') };
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(dist, name);
    let body;
    if (name === 'sw.js') {
      body = site.sw;
    } else if (file.startsWith(dist + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      body = fs.readFileSync(file);
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.url = `http://127.0.0.1:${server.address().port}/`;
  site.close = () => new Promise((resolve) => server.close(resolve));
  return site;
}

test('11 new release: a release deployed under an open page is installed, announced with its data, and used after a reload', async () => {
  const dist = path.resolve(process.env.ICD_DIST || path.join(ROOT, 'dist'));
  const site = await deployableSite(dist);
  const browser = await launch();
  const origin = new URL(site.url).origin;
  const foreign = [];
  const errors = [];
  browser.context.on('request', (r) => {
    if (!/^(data|blob):/.test(r.url()) && new URL(r.url()).origin !== origin) foreign.push(r.url());
  });
  browser.context.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  try {
    const page = await firstPage(browser.context);
    page.on('pageerror', (e) => errors.push(String(e)));
    await open(page, site.url, '#/');
    const version = (s) => /const VERSION = "([^"]+)"/.exec(s)?.[1];
    const first = version(site.sw);
    assert(first, 'dist/sw.js has no `const VERSION = "..."` line');
    const cacheNames = () => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('icd-desk:')));
    await poll(async () => (await cacheNames()).some((k) => k.endsWith(`:${first}`)), async () => `the first release was not cached as ...:${first}: ${JSON.stringify(await cacheNames())}`, 30_000);
    // The next release: new data (here the manifest's revision) and so a new VERSION.
    const next = `${first}-next`;
    const manifestLine = /\["\.\/data\/manifest\.json", "([^"]+)"\]/;
    assert(manifestLine.test(site.sw), 'dist/sw.js does not list ./data/manifest.json with a revision');
    site.sw = site.sw.replace(`const VERSION = "${first}"`, `const VERSION = "${next}"`).replace(manifestLine, '["./data/manifest.json", "changed"]');
    // Browsers look for a new sw.js on navigation and periodically; ask now.
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    const notice = page.locator('.release-notice');
    await notice.waitFor({ timeout: 30_000 }).catch(() => {
      throw new Error('no release notice (.release-notice) appeared after a new sw.js was deployed');
    });
    const text = (await notice.innerText()).replace(/\s+/g, ' ');
    assert(/new data release/.test(text) && /manifest\.json/.test(text), `the notice does not name the changed data: ${JSON.stringify(text)}`);
    assert(!/tabular\.icdx/.test(text), `the notice names data that did not change: ${JSON.stringify(text)}`);
    same(await cacheNames(), [`icd-desk:${site.url}:${next}`], 'caches after the new release activated (the old one deleted)');
    await page.getByRole('button', { name: 'Reload', exact: true }).click();
    await waitReady(page);
    same(await page.locator('.release-notice').count(), 0, 'release notices after the reload');
    const box = searchBox(page);
    await box.fill('chf');
    await waitResults(page);
    assert((await resultCodes(page)).includes('I50.9'), 'search after the reload does not find I50.9 for "chf"');
    assert(foreign.length === 0, `requests to other origins: ${foreign.join(', ')}`);
    assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
    await site.close();
  }
});

/** The discharge note of issue 11. */
const NOTE =
  '78 y/o male admitted with community-acquired pneumonia, right lower lobe. Also acute kidney injury, resolved with fluids. ' +
  'PMH: COPD, type 2 diabetes on insulin, HTN. Denies chest pain. No evidence of sepsis. CT abdomen normal.';

/** Pastes a note into the search box and waits for its codes. */
async function pasteNote(page, note) {
  await open(page, BASE, '#/');
  const box = searchBox(page);
  await box.waitFor();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
  await box.focus();
  await page.evaluate((t) => navigator.clipboard.writeText(t), note);
  await page.keyboard.press('ControlOrMeta+V');
  await page
    .waitForSelector('[aria-busy="false"] [data-testid="note-codes"] [data-testid="note-code"]', { timeout: 15_000 })
    .catch(async () => {
      const value = await page.getByTestId('search-box').inputValue().catch(() => '?');
      throw new Error(`pasting the note showed no code list (data-testid="note-codes"); the box holds ${JSON.stringify(value)}`);
    });
}

test('14 note: codes with their evidence, span and code linked both ways, accept, copy, send to the record check', () =>
  withPage(async (page) => {
    await pasteNote(page, NOTE);
    const items = page.getByTestId('note-code');
    const codes = await items.evaluateAll((els) => els.map((e) => e.dataset.code));
    // COPD with pneumonia is J44.0 with the pneumonia code (the combination rule).
    for (const want of ['J18.9', 'J44.0', 'E11.9', 'Z79.4', 'I10', 'N17.9']) {
      assert(codes.includes(want), `the note's codes do not include ${want}: ${codes.join(', ')}`);
    }
    assert(!codes.includes('J44.9'), `J44.9 is listed beside J44.0: ${codes.join(', ')}`);
    assert(!codes.some((c) => c.startsWith('O24')), `a pregnancy diabetes code for a 78-year-old man: ${codes.join(', ')}`);
    assert(!/pneumonia|insulin/i.test(decodeURIComponent(page.url())), `the note went into the URL: ${page.url()}`);
    const noteText = (await page.getByTestId('note-text').innerText()).replace(/\s+/g, ' ');
    assert(noteText.includes('Denies chest pain'), `the note's text is not shown: ${JSON.stringify(noteText)}`);
    const marked = await page.getByTestId('evidence-span').allInnerTexts();
    assert(marked.length >= 6, `fewer than 6 evidence spans are highlighted: ${JSON.stringify(marked)}`);
    assert(!marked.some((m) => /chest|pain/i.test(m)), `the denied "chest pain" is highlighted as evidence: ${JSON.stringify(marked)}`);
    assert(!marked.some((m) => /sepsis/i.test(m)), `the negated "sepsis" is highlighted as evidence: ${JSON.stringify(marked)}`);

    // A code's evidence → its span in the text is focused; the span → back to the code.
    const item = (code) => page.locator(`[data-testid="note-code"][data-code="${code}"]`);
    const focusedMark = () => page.evaluate(() => document.activeElement?.closest('mark')?.dataset.codes ?? null);
    await item('J18.9').getByTestId('evidence-link').first().click();
    const spanCodes = await focusedMark();
    assert(spanCodes && spanCodes.split(' ').includes('J18.9'), `clicking J18.9's evidence did not focus its span in the note (focused mark: ${spanCodes})`);
    const spanWords = await page.evaluate(() => document.activeElement.innerText);
    assert(/pneumonia/i.test(spanWords), `the span focused for J18.9 reads ${JSON.stringify(spanWords)}`);
    await page.keyboard.press('Enter');
    const back = await page.evaluate(() => document.activeElement?.dataset?.code ?? null);
    same(back, 'J18.9', 'the code focused after pressing Enter on its span');
    const spanLink = page.locator('mark[data-codes~="J18.9"] + sup a').first();
    same(await spanLink.getAttribute('href').then((h) => h.replace(/^.*#/, '#')), '#/code/J18.9', 'the link beside the J18.9 span');

    // Accept two, copy them, send them to the record check.
    const counts = page.getByTestId('note-counts');
    assert(/0 accepted/.test(await counts.innerText()), `codes start accepted: ${await counts.innerText()}`);
    assert(await page.getByTestId('copy-accepted').isDisabled(), '"Copy accepted codes" is enabled with nothing accepted');
    await item('J18.9').getByTestId('accept').click();
    await item('J44.0').getByTestId('accept').click();
    await poll(async () => /2 accepted/.test(await counts.innerText()), async () => `the counts after accepting two codes: ${await counts.innerText()}`);
    same(await item('J18.9').getByTestId('accept').getAttribute('aria-pressed'), 'true', 'aria-pressed of Accept J18.9');
    const accepted = codes.filter((c) => c === 'J18.9' || c === 'J44.0');
    await page.getByTestId('copy-accepted').click();
    await page.getByTestId('copied').waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    same(clip, accepted.join('\n'), 'the clipboard after "Copy accepted codes"');
    await page.getByTestId('send-to-record').click();
    await poll(() => new URL(page.url()).hash === '#/record', () => `"Send to record check" did not open #/record (at ${page.url()})`);
    const pdx = page.getByLabel('Principal diagnosis', { exact: true });
    await pdx.waitFor();
    same(await pdx.inputValue(), accepted[0], 'the principal diagnosis sent from the note');
    same(await page.getByLabel('Secondary diagnosis 1', { exact: true }).inputValue(), accepted[1], 'the secondary diagnosis sent from the note');
    same(await page.getByLabel('Age (years)', { exact: true }).inputValue(), '78', 'the age sent from the note');

    // Back to the search: the note and its verdicts are still in memory.
    await page.goBack();
    await page.getByTestId('note-counts').waitFor();
    same(await page.getByTestId('search-box').inputValue(), NOTE, 'the search box after coming back');
    assert(/2 accepted/.test(await page.getByTestId('note-counts').innerText()), 'the verdicts were lost on the way back');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert(!/pneumonia/i.test(stored), 'the note was written to web storage');
  }));

/** A table view filtered by `words`. */
function tableView(tree, words) {
  return {
    name: `${tree}-table`,
    async open(page) {
      await open(page, BASE, `#/tables/${tree}`);
      await page.getByLabel('Filter the table').fill(words);
      await page.waitForSelector('table th', { timeout: 15_000 });
      await page.waitForTimeout(500);
    },
  };
}

// The main views, each opened and brought to a state worth looking at.
const VIEWS = [
  {
    name: 'search',
    async open(page) {
      await search(page, 'chf');
    },
  },
  {
    name: 'note',
    async open(page) {
      await pasteNote(page, NOTE);
      await page.getByTestId('alternatives').locator(':scope > summary').click();
    },
  },
  {
    name: 'code',
    async open(page) {
      await open(page, BASE, '#/code/S52.521');
      await page.getByRole('group', { name: '7th character' }).waitFor({ timeout: 15_000 });
      await page.getByRole('radio', { name: 'A — initial encounter for closed fracture', exact: true }).check();
    },
  },
  {
    name: 'index-term',
    async open(page) {
      await open(page, BASE, '#/index/F');
      await page.getByRole('link', { name: /^Failure\b/ }).first().click();
      await page.getByRole('heading', { level: 1, name: /^Failure/ }).waitFor({ timeout: 15_000 });
      const heart = page.locator('details').filter({ has: page.locator(':scope > summary').filter({ hasText: /^\s*heart\b/ }) }).first();
      if ((await heart.count()) > 0) await heart.locator(':scope > summary').click();
    },
  },
  tableView('neoplasm', 'lung'),
  tableView('drug', 'acetaminophen'),
  {
    name: 'validator',
    async open(page) {
      await open(page, BASE, '#/validate');
      await page.getByLabel('Codes', { exact: true }).fill('E11 E1.19 E11.9 S52.521A');
      await page.getByLabel('Date of service', { exact: true }).fill(DATE_OF_SERVICE);
      await page.getByRole('button', { name: 'Check codes', exact: true }).click();
      await page.getByRole('table').first().waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'record',
    async open(page) {
      await open(page, BASE, '#/record');
      const pdx = page.getByLabel('Principal diagnosis', { exact: true });
      await pdx.fill('E11');
      await page.keyboard.press('Tab');
      await page.getByText('Load, copy or clear the record (JSON)', { exact: true }).click();
      await page.getByRole('heading', { name: 'Findings' }).waitFor({ timeout: 15_000 });
      await page.waitForTimeout(500);
    },
  },
  {
    name: 'pcs-builder',
    async open(page) {
      await open(page, BASE, '#/pcs/0DTJ');
      await page.getByTestId('pcs-current').waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'pcs-code',
    async open(page) {
      await open(page, BASE, '#/pcs/0DTJ4ZZ');
      await page.getByTestId('pcs-title').waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'pcs-search',
    async open(page) {
      await open(page, BASE, '#/?system=pcs&q=laparoscopic%20appendectomy');
      await waitResults(page);
    },
  },
  {
    name: 'batch',
    async open(page) {
      await importBatch(page, 300);
      await page.locator('[data-testid="batch-row"]').first().locator('button').first().click();
      await page.locator('[data-testid="batch-detail"]').waitFor();
    },
  },
  {
    name: 'practice',
    async open(page) {
      await open(page, BASE, '#/practice?seed=7&count=3');
      await page.getByTestId('practice-prompt').waitFor({ timeout: 20_000 });
      await page.getByTestId('practice-answer').fill('1');
      await page.getByTestId('practice-submit').click();
      await page.getByTestId('practice-explanation').waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'batch-report',
    async open(page) {
      await importBatch(page, 300);
      await page.locator('[data-testid="batch-report-link"]').click();
      await page.locator('[data-testid="figure"]').first().waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="figure-numerator"]').first().click();
      await page.locator('[data-testid="members"] li').first().waitFor();
    },
  },
];

/** Opens #/batch, drops `rows` generated encounters and imports them. */
async function importBatch(page, rows) {
  await open(page, BASE, '#/batch');
  await dropFile(page, '[data-testid="batch-drop"]', 'encounters.csv', encountersCsv(rows, 5));
  await page.locator('[data-testid="batch-start"]').click();
  await page.locator('[data-testid="batch-progress"][data-done="true"]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="batch-row"]').first().waitFor();
}

test('14b note procedures: a procedure statement gets the ICD-10-PCS codes `icd search` gives, once the PCS tables arrive; no diagnosis code; a code opens in the builder', () =>
  withPage(async (page) => {
    const note = 'Acute appendicitis.\nLaparoscopic appendectomy was performed.\nNo biopsy was taken.';
    const cli = icdJson('search', note);
    same(cli.procedures.length, 1, 'icd search --json: procedure statements of the note');
    const want = cli.procedures[0].hits.map((h) => h.code);
    assert(want[0] === '0DTJ4ZZ', `icd search --json leads the appendectomy with ${want[0]}`);
    await pasteNote(page, note);
    const section = page.getByTestId('note-procedures');
    await section.waitFor({ timeout: 15_000 });
    // The PCS tables are fetched for it (a first visit has not got them yet).
    const codes = () => page.getByTestId('note-procedure-0').locator('.pcs-choices .code').allInnerTexts();
    await poll(async () => (await codes()).length === want.length, async () => `the procedure's codes never came: ${JSON.stringify(await codes())} (want ${want.join(' ')})`, 20_000);
    same(await codes(), want, 'the procedure codes in the page against icd search --json');
    same(await page.locator('[data-testid^="note-procedure-"]').count(), 1, 'procedure statements shown (the negated biopsy is not one)');
    const diagnoses = await page.getByTestId('note-code').evaluateAll((els) => els.map((e) => e.dataset.code));
    assert(diagnoses.includes('K35.80'), `the diagnosis K35.80 is not among the note's codes: ${diagnoses.join(', ')}`);
    assert(!diagnoses.some((c) => want.includes(c)), `a PCS code among the diagnoses: ${diagnoses.join(', ')}`);
    // The builder opens at the code before the first axis the statement
    // left open (as the PCS search's results do), filled where the table
    // allows one value.
    const first = cli.procedures[0].hits[0];
    const target = first.open.length ? first.code.slice(0, Math.min(...first.open) - 1) : first.code;
    await page.getByTestId('note-procedure-0').locator('.pcs-choices .code').first().click();
    await poll(() => {
      const hash = decodeURIComponent(new URL(page.url()).hash);
      const at = hash.replace('#/pcs/', '');
      return hash.startsWith('#/pcs/') && at.startsWith(target) && first.code.startsWith(at);
    }, () => `the builder is not at ${target} (or filled on toward ${first.code}): ${page.url()}`, 15_000);
    await page.locator('#pcs-current').waitFor({ timeout: 15_000 });
  }));

test('15 tables: the filter is in the URL and survives opening a code and going back', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/tables/drug');
    const filter = page.getByLabel('Filter the table', { exact: true });
    await filter.fill('acetaminophen');
    await poll(() => /[?&]filter=acetaminophen/.test(decodeURIComponent(new URL(page.url()).hash)), () => `the filter is not in the URL (at ${page.url()})`);
    const firstRow = async () => (await page.locator('table.term-table tbody tr').first().innerText().catch(() => '')).toLowerCase();
    await poll(async () => (await firstRow()).includes('acetaminophen'), async () => `the rows are not filtered by "acetaminophen": ${await firstRow()}`, 15_000);
    const codeLink = page.locator('table.term-table td a.code').first();
    await codeLink.click();
    await poll(() => new URL(page.url()).hash.startsWith('#/code/'), () => `a table cell did not open a code (at ${page.url()})`);
    await page.goBack();
    await poll(async () => (await filter.inputValue()) === 'acetaminophen', async () => `the filter after going back: ${JSON.stringify(await filter.inputValue())}`, 10_000);
    await poll(async () => (await firstRow()).includes('acetaminophen'), async () => `the rows after going back are not filtered: ${await firstRow()}`, 15_000);
  }));

test('16 practice: a seeded set answered wrong is scored, each item explained, the same seed gives the same set, nothing stored', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/practice?seed=7&count=3');
    const prompt = page.getByTestId('practice-prompt');
    await prompt.waitFor({ timeout: 20_000 });
    const first = (await prompt.innerText()).trim();
    const answer = page.getByTestId('practice-answer');
    for (let i = 0; i < 3; i += 1) {
      await answer.fill('ZZZ');
      await answer.press('Enter');
      const feedback = page.getByTestId('practice-feedback');
      await feedback.waitFor({ timeout: 5_000 });
      const explanation = (await page.getByTestId('practice-explanation').innerText()).trim();
      assert(explanation.length > 20, `item ${i + 1} has no explanation: ${JSON.stringify(explanation)}`);
      await page.getByTestId('practice-submit').click();
    }
    const total = (await page.getByTestId('practice-total').innerText()).trim();
    assert(/^Done: 0 of \d+ points\.$/.test(total), `three wrong answers are not scored 0: ${total}`);
    const stored = await page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      idb: indexedDB.databases ? (await indexedDB.databases()).length : 0,
    }));
    same(stored, { local: 0, session: 0, idb: 0 }, 'storage after a practice session');
    await page.reload();
    await prompt.waitFor({ timeout: 20_000 });
    same((await prompt.innerText()).trim(), first, 'the first item of seed 7 after a reload');
  }));

/**
 * The items `icd practice` gives for a session, one object per item: the
 * app's worker and the CLI run the same generator, so the same seed, kinds
 * and chapters give the same items in both.
 */
function cliItems(args) {
  const icd = path.join(ROOT, 'target', 'release', process.platform === 'win32' ? 'icd.exe' : 'icd');
  assert(fs.existsSync(icd), `${icd} not found: build it with cargo build --release -p icd-cli`);
  const out = execFileSync(icd, ['practice', '--json', '--index', path.join(ROOT, 'static', 'data'), ...args], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

/** What the page keeps on the device: localStorage keys and IndexedDB database names. */
async function storedOnDevice(page) {
  return page.evaluate(async () => ({
    local: Object.keys(localStorage),
    idb: indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [],
  }));
}

test('16b practice session: kinds, chapters and feedback at the end from the URL; 10 items, 4 wrong, scored 6 of 10, every item reviewed with its explanation', () =>
  withPage(async (page) => {
    const expected = cliItems(['--seed', '7', '--count', '10', '--kind', 'seventh', '--kind', 'excludes1', '--kind', 'tables', '--chapter', '19']);
    same(expected.length, 10, 'items the CLI gives');
    await open(page, BASE, '#/practice?seed=7&count=10&kinds=seventh,excludes1,tables&chapters=19&feedback=end');
    const prompt = page.getByTestId('practice-prompt');
    const answer = page.getByTestId('practice-answer');
    const wrong = new Set([1, 4, 6, 9]);
    for (let i = 0; i < 10; i += 1) {
      await poll(async () => (await prompt.innerText().catch(() => '')).trim() === expected[i].prompt,
        async () => `item ${i + 1} is not the CLI's: ${JSON.stringify(await prompt.innerText().catch(() => ''))} vs ${JSON.stringify(expected[i].prompt)}`, 20_000);
      await answer.fill(wrong.has(i) ? 'ZZZ' : expected[i].answers[0]);
      await answer.press('Enter');
      // Feedback at the end: none after the item.
      assert(await page.getByTestId('practice-feedback').count() === 0, `feedback shown after item ${i + 1} of an end-feedback set`);
    }
    const total = (await page.getByTestId('practice-total').innerText()).trim();
    same(total, 'Done: 6 of 10 points.', 'the score of 6 right and 4 wrong');
    const reviewed = page.getByTestId('practice-review-item');
    same(await reviewed.count(), 10, 'items in the review');
    for (let i = 0; i < 10; i += 1) {
      const row = reviewed.nth(i);
      const text = await row.innerText();
      assert(text.includes(wrong.has(i) ? 'Not quite.' : 'Correct.'), `review of item ${i + 1}: ${text}`);
      const explanation = (await row.getByTestId('practice-explanation').innerText()).trim();
      same(explanation, expected[i].explanation, `the explanation of item ${i + 1}`);
    }
    same(await storedOnDevice(page), { local: [], idb: [] }, 'storage after a session without the opt-in');
  }));

test('16e practice ICD-10-PCS: items from the root operation definitions, the same as the CLI gives, a wrong code explained by its own operation', () =>
  withPage(async (page) => {
    const expected = cliItems(['--seed', '5', '--count', '3', '--kind', 'pcs']);
    same(expected.length, 3, 'PCS items the CLI gives');
    await open(page, BASE, '#/practice?seed=5&count=3&kinds=pcs&feedback=end');
    const prompt = page.getByTestId('practice-prompt');
    const answer = page.getByTestId('practice-answer');
    const given = [expected[0].answers[0], expected[1].wrong[0].answer, expected[2].answers[0].toLowerCase()];
    for (let i = 0; i < 3; i += 1) {
      await poll(async () => (await prompt.innerText().catch(() => '')).trim() === expected[i].prompt,
        async () => `PCS item ${i + 1} is not the CLI's: ${JSON.stringify(await prompt.innerText().catch(() => ''))} vs ${JSON.stringify(expected[i].prompt)}`, 30_000);
      assert(/^ICD-10-PCS: /.test(expected[i].prompt), `not a PCS prompt: ${expected[i].prompt}`);
      await answer.fill(given[i]);
      await answer.press('Enter');
    }
    same((await page.getByTestId('practice-total').innerText()).trim(), 'Done: 2 of 3 points.', 'two right, one wrong');
    const second = page.getByTestId('practice-review-item').nth(1);
    const text = await second.innerText();
    assert(text.includes(expected[1].wrong[0].why), `the wrong code's reason is not shown: ${text}`);
    same((await second.getByTestId('practice-explanation').innerText()).trim(), expected[1].explanation, 'the explanation of item 2');
  }));

test('16c practice timed set: a countdown, answers locked at time-up, the unanswered items score nothing', async () => {
  const browser = await launch();
  guard(browser.context);
  try {
    await browser.context.clock.install();
    const page = await firstPage(browser.context);
    await open(page, BASE, '#/practice?seed=5&count=4&kinds=seventh&timed=1');
    const countdown = page.getByTestId('practice-countdown');
    await countdown.waitFor({ timeout: 20_000 });
    assert(/^Time left: (1:00|0:5\d)$/.test((await countdown.innerText()).trim()), `countdown at the start: ${await countdown.innerText()}`);
    const answer = page.getByTestId('practice-answer');
    await answer.fill('ZZZ');
    await answer.press('Enter');
    await page.getByTestId('practice-submit').click();
    await browser.context.clock.runFor(30_000);
    await poll(async () => /^Time left: 0:[23]\d$/.test((await countdown.innerText()).trim()), async () => `countdown after 30 s: ${await countdown.innerText()}`);
    await browser.context.clock.runFor(31_000);
    const up = page.getByTestId('practice-time-up');
    await up.waitFor({ timeout: 5_000 });
    assert((await up.innerText()).includes('3 item(s) left unanswered'), `time-up message: ${await up.innerText()}`);
    same((await page.getByTestId('practice-total').innerText()).trim(), 'Done: 0 of 4 points.', 'the score at time-up');
    same(await page.getByTestId('practice-answer').count(), 0, 'answer fields after time-up');
    same(await page.getByTestId('practice-review-item').count(), 4, 'items in the review at time-up');
  } finally {
    await browser.close();
  }
});

test('16d practice progress: kept only after the opt-in, survives a reload, drills the weak spots, and Delete leaves nothing', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/practice?seed=11&count=3&kinds=seventh&chapters=19');
    const prompt = page.getByTestId('practice-prompt');
    await prompt.waitFor({ timeout: 20_000 });
    const answer = page.getByTestId('practice-answer');
    // Without the opt-in: one item answered, nothing stored.
    await answer.fill('ZZZ');
    await answer.press('Enter');
    await page.getByTestId('practice-feedback').waitFor();
    same(await storedOnDevice(page), { local: [], idb: [] }, 'storage before the opt-in');
    await page.getByTestId('practice-submit').click();
    await page.getByTestId('practice-keep').check();
    await page.getByTestId('practice-progress-items').waitFor();
    for (let i = 0; i < 2; i += 1) {
      await answer.fill('ZZZ');
      await answer.press('Enter');
      await page.getByTestId('practice-feedback').waitFor();
      await page.getByTestId('practice-submit').click();
    }
    await poll(async () => (await page.getByTestId('practice-progress-items').innerText()).trim() === '2 items answered.',
      async () => `progress after two items: ${await page.getByTestId('practice-progress-items').innerText()}`);
    const kept = await storedOnDevice(page);
    assert(kept.idb.includes('icd-desk-practice') && kept.local.includes('icd-desk.practice.keep-progress'), `after the opt-in: ${JSON.stringify(kept)}`);
    await page.reload();
    await waitReady(page);
    await poll(async () => (await page.getByTestId('practice-progress-items').innerText().catch(() => '')).trim() === '2 items answered.',
      async () => `progress after a reload: ${await page.getByTestId('practice-progress-items').innerText().catch(() => '(none)')}`, 20_000);
    assert(await page.getByTestId('practice-keep').isChecked(), 'the switch after a reload');
    same((await page.getByTestId('practice-weak').innerText()).trim(), 'seventh in chapter 19: 2 items, 0 of 2 points (0%)', 'weak spots');
    await page.getByTestId('practice-drill').click();
    await poll(() => /kinds=seventh/.test(page.url()) && /chapters=19/.test(page.url()), () => `the drill's URL: ${page.url()}`);
    await page.getByTestId('practice-delete').click();
    await poll(async () => JSON.stringify(await storedOnDevice(page)) === JSON.stringify({ local: [], idb: [] }),
      async () => `storage after Delete: ${JSON.stringify(await storedOnDevice(page))}`);
    assert(!(await page.getByTestId('practice-keep').isChecked()), 'the switch after Delete');
  }));

// ---------------------------------------------------------------------------
// ICD-10-PCS: the code builder and procedure search. What an axis must offer
// is read from `icd lookup ... --json` (the release build `cargo xtask dist`
// makes, over the same static/data), never typed here.

function icdJson(...args) {
  const icd = path.join(ROOT, 'target', 'release', 'icd');
  if (!fs.existsSync(icd)) throw new Error(`${icd} not found: run \`cargo xtask dist\` (it builds icd and the data)`);
  return JSON.parse(execFileSync(icd, [...args, '--json'], { cwd: ROOT, encoding: 'utf8' }));
}

/** `icd report FILE --json`, whose exit status is 1 when a unit could not be read: the JSON is printed all the same. */
function icdReport(file) {
  try {
    return icdJson('report', file);
  } catch (e) {
    if (e.status === 1 && e.stdout) return JSON.parse(e.stdout);
    throw e;
  }
}

/** The values a table's rows allow at position `pos` (4 to 7) given `prefix`, as sorted [ch, label]. */
function tableAllows(table, prefix, pos) {
  const rest = prefix.slice(3);
  const values = new Map();
  for (const row of table.rows) {
    const fits = [...rest].every((c, i) => row.axes[i][1].some((v) => v.ch === c));
    if (!fits) continue;
    for (const v of row.axes[pos - 4][1]) values.set(v.ch, v.label);
  }
  return [...values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** `prefix` and then every value that is the only one table `table` allows at the next positions. */
function filled(table, prefix) {
  let code = prefix;
  while (code.length >= 3 && code.length < 7) {
    const next = tableAllows(table, code, code.length + 1);
    if (next.length !== 1) break;
    code += next[0][0];
  }
  return code;
}

/** The builder's step to choose, once the answer to the URL's code is shown. */
async function pcsStep(page, pos) {
  await poll(
    async () =>
      (await page.locator(`[data-testid="pcs-step-${pos}"].current`).count()) === 1 &&
      (await page.locator('.pcs-builder[aria-busy="false"]').count()) === 1,
    async () => `the builder did not come to step ${pos} (at ${page.url()})`,
    15_000,
  );
  return page.getByTestId('pcs-current');
}

/** The options of the step to choose as [ch, label]. */
async function pcsOffers(page) {
  return page
    .getByTestId('pcs-current')
    .getByRole('option')
    .evaluateAll((els) => els.map((e) => [e.dataset.ch, e.querySelector('.label').textContent.trim()]));
}

async function pcsHash(page, code) {
  await poll(() => decodeURIComponent(new URL(page.url()).hash) === `#/pcs/${code}`, () => `the URL is not #/pcs/${code} (at ${page.url()})`, 15_000);
}

test('17 PCS builder: 0DTJ4ZZ built with the keyboard, each axis offering exactly what table 0DT allows; Backspace, Back, deep links, an MCE-only code, add to the record', () =>
  withPage(async (page) => {
    const table = icdJson('lookup', '0DT');
    const report = icdJson('lookup', '0DTJ4ZZ');
    assert(report.title, `icd lookup 0DTJ4ZZ gave no title: ${JSON.stringify(report)}`);
    await open(page, BASE, '#/pcs');
    // Each axis found with the arrows and taken with Enter, unless the
    // table allows one value there, which the builder fills in.
    const target = '0DTJ4ZZ';
    let code = '';
    while (code.length < 7) {
      const pos = code.length + 1;
      const list = await pcsStep(page, pos);
      await poll(() => page.evaluate(() => document.activeElement?.id === 'pcs-current'), `step ${pos}: the listbox does not have the focus`);
      const offers = await pcsOffers(page);
      if (pos >= 4) same(offers, tableAllows(table, code, pos), `step ${pos} at ${code}: the values offered against icd lookup 0DT`);
      const at = offers.findIndex(([c]) => c === target[pos - 1]);
      assert(at >= 0, `step ${pos}: ${target[pos - 1]} is not offered: ${offers.map(([c]) => c).join(' ')}`);
      await page.keyboard.press('Home');
      for (let k = 0; k < at; k++) await page.keyboard.press('ArrowDown');
      const active = await list.getAttribute('aria-activedescendant');
      same(await page.locator(`#${active}`).getAttribute('data-ch'), target[pos - 1], `step ${pos}: the option the arrows are on`);
      await page.keyboard.press('Enter');
      const next = filled(table, target.slice(0, pos));
      same(next, target.slice(0, next.length), `what the table fills in after ${target.slice(0, pos)}`);
      await pcsHash(page, next);
      code = next;
    }
    await pcsHash(page, '0DTJ4ZZ');
    await page.getByTestId('pcs-title').waitFor();
    same((await page.getByTestId('pcs-title').innerText()).trim(), report.title, 'the title of 0DTJ4ZZ');
    assert(/Valid \(Medicare Code Editor\)/.test(await page.getByTestId('pcs-validity').innerText()), 'no validity line for 0DTJ4ZZ');
    // Backspace goes one axis back, past the values that were the only ones.
    await poll(() => page.evaluate(() => document.activeElement?.id === 'pcs-copy'), 'the finished code\'s Copy button does not have the focus');
    await page.keyboard.press('Backspace');
    let back = target;
    while (back.length > 3 && tableAllows(table, back.slice(0, -1), back.length).length === 1) back = back.slice(0, -1);
    back = back.slice(0, -1);
    await pcsHash(page, back);
    await pcsStep(page, back.length + 1);
    await page.goBack();
    await pcsHash(page, '0DTJ4ZZ');
    await page.getByTestId('pcs-title').waitFor();
    // A deep link; and a code only the MCE lists (no row: valid, no title).
    await open(page, BASE, '#/pcs/0DTJ4ZZ');
    await poll(async () => (await page.getByTestId('pcs-title').innerText().catch(() => '')).trim() === report.title, 'the deep link #/pcs/0DTJ4ZZ does not show its title', 15_000);
    const mceOnly = icdJson('lookup', '02HM3JZ');
    same([mceOnly.in_tables, mceOnly.validity_periods.length > 0], [false, true], 'icd lookup 02HM3JZ (valid in the MCE, no row)');
    await open(page, BASE, '#/pcs/02HM3JZ');
    await page.getByTestId('pcs-mce-only').waitFor({ timeout: 15_000 });
    assert(/Valid \(Medicare Code Editor\)/.test(await page.getByTestId('pcs-validity').innerText()), '02HM3JZ is not shown as valid');
    // The finished code goes to the record check's procedures.
    // From #/pcs/02HM3JZ this is a change of the hash only: until the page
    // shows 0DTJ4ZZ, the Add button there is still 02HM3JZ's.
    await open(page, BASE, '#/pcs/0DTJ4ZZ');
    await poll(async () => (await page.getByTestId('pcs-result-code').innerText().catch(() => '')).trim() === '0DTJ4ZZ', 'the builder does not show 0DTJ4ZZ after its link', 15_000);
    await page.getByTestId('pcs-add').click();
    await poll(() => new URL(page.url()).hash === '#/record', () => `Add did not open the record check (at ${page.url()})`);
    await poll(async () => (await page.locator('#px-0').inputValue().catch(() => '')) === '0DTJ4ZZ', async () => `procedure 1 of the record is ${JSON.stringify(await page.locator('#px-0').inputValue().catch(() => 'missing'))}, not 0DTJ4ZZ`, 15_000);
  }));

test('18 PCS search: the CM / PCS switch is in the URL; "laparoscopic appendectomy" leads with 0DTJ4ZZ, which opens in the builder', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/?system=pcs');
    const box = page.getByTestId('search-box');
    await box.waitFor();
    assert(await page.getByTestId('system-pcs').isChecked(), 'the PCS switch is not on for #/?system=pcs');
    await box.fill('laparoscopic appendectomy');
    await waitResults(page);
    await poll(async () => (await resultCodes(page))[0] === '0DTJ4ZZ', async () => `the first result is not 0DTJ4ZZ: ${(await resultCodes(page)).join(', ')}`, 15_000);
    const first = page.getByRole('option').first();
    assert((await first.innerText()).includes('Resection of Appendix'), `the first result shows no title: ${await first.innerText()}`);
    const hash = decodeURIComponent(new URL(page.url()).hash);
    assert(/system=pcs/.test(hash) && /q=laparoscopic appendectomy/.test(hash.replace(/\+/g, ' ')), `the URL does not keep the switch and the query: ${hash}`);
    await box.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    // 0DTJ4ZZ left the device and qualifier open: the builder opens before them.
    await pcsHash(page, filled(icdJson('lookup', '0DT'), '0DTJ4'));
    await page.getByTestId('pcs-current').waitFor();
    await page.goBack();
    await page.getByTestId('search-box').waitFor();
    await poll(() => page.getByTestId('system-pcs').isChecked(), 'Back did not keep the PCS switch');
    await page.getByTestId('system-cm').check();
    await poll(() => !/system=/.test(new URL(page.url()).hash), () => `CM is still in the URL: ${page.url()}`);
    await searchBox(page).waitFor();
  }));

test('12 accessibility: no serious or critical axe violation in the main views', async () => {
  const problems = [];
  for (const view of VIEWS) {
    await withPage(async (page) => {
      await view.open(page);
      const result = await new AxeBuilder({ page }).analyze();
      for (const v of result.violations) {
        if (v.impact !== 'serious' && v.impact !== 'critical') continue;
        const targets = v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`);
        problems.push(`  [${view.name}] ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes)\n${targets.join('\n')}`);
      }
    });
  }
  assert(problems.length === 0, `axe found serious or critical violations:\n${problems.join('\n')}`);
});

test('13 screenshots: every main view, and search at 1366x768 and 390x844', async () => {
  const dir = ensureArtifacts();
  const written = [];
  for (const view of VIEWS) {
    await withPage(async (page) => {
      await view.open(page);
      const file = path.join(dir, `${view.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      written.push(file);
    });
  }
  for (const [w, h] of [
    [1366, 768],
    [390, 844],
  ]) {
    await withPage(async (page) => {
      await page.setViewportSize({ width: w, height: h });
      await VIEWS[0].open(page);
      const file = path.join(dir, `search-${w}x${h}.png`);
      await page.screenshot({ path: file, fullPage: true });
      written.push(file);
    });
  }
  for (const f of written) assert(fs.statSync(f).size > 1000, `screenshot ${f} is empty`);
});

test('17 batch: drop a 10,000-row CSV, watch the progress, filter, open a record, export, open the report and a numerator list', () =>
  withPage(async (page) => {
    const rows = 10_000;
    const csv = encountersCsv(rows, 17);
    await open(page, BASE, '#/batch');
    await page.getByText('Nothing is uploaded').first().waitFor();
    await dropFile(page, '[data-testid="batch-drop"]', 'day.csv', csv);
    const format = page.locator('[data-testid="batch-format"]');
    await format.waitFor();
    same(await format.inputValue(), 'csv', 'the format guessed for day.csv');
    // Progress: a count below the total is shown before the end. Every
    // count the page shows is noted as it is rendered (a fast machine
    // shows an intermediate count for a few milliseconds only).
    await page.evaluate(() => {
      window.__batchCounts = [];
      new MutationObserver(() => {
        const n = document.querySelector('[data-testid="batch-progress"]')?.getAttribute('data-records');
        if (n !== null && n !== undefined) window.__batchCounts.push(Number(n));
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-records'] });
    });
    await page.locator('[data-testid="batch-start"]').click();
    const seen = new Set();
    const progress = page.locator('[data-testid="batch-progress"]');
    await poll(
      async () => {
        const done = await progress.getAttribute('data-done').catch(() => null);
        for (const n of await page.evaluate(() => window.__batchCounts)) seen.add(n);
        return done === 'true';
      },
      () => `the import did not finish; counts seen: ${[...seen].join(', ')}`,
      60_000,
      20,
    );
    same(Number(await progress.getAttribute('data-records')), rows, 'records imported');
    assert([...seen].some((n) => n > 0 && n < rows), `no progress between 0 and ${rows} was shown (seen: ${[...seen].join(', ')})`);
    // Virtualised: only the rows in view are in the page.
    const tableRows = page.locator('[data-testid="batch-row"]');
    await tableRows.first().waitFor();
    const inPage = await tableRows.count();
    assert(inPage > 5 && inPage <= 60, `the table should render only the rows in view, rendered ${inPage}`);
    await page.locator('[data-testid="batch-scroll"]').evaluate((el) => {
      el.scrollTop = 36 * 5000;
      el.dispatchEvent(new Event('scroll'));
    });
    await poll(
      async () => (await tableRows.first().getAttribute('aria-rowindex')) > 4000,
      'scrolling to row 5000 did not bring its rows',
    );
    // A filter answered by the worker.
    const total = page.locator('[data-testid="batch-total"]');
    await page.locator('[data-testid="filter-severity"]').selectOption('error');
    await poll(async () => {
      const n = Number((await total.innerText()).split(' ')[0]);
      return n > 0 && n < rows;
    }, 'filtering by severity error did not narrow the table');
    await page.locator('[data-testid="filter-search"]').fill('E0000042');
    // The rows as they are now (a locator's innerText would wait for a row
    // that the filter's answer may just have removed).
    await poll(async () => {
      const shown = await tableRows.allInnerTexts();
      return shown.length === 0 || shown.every((t) => t.includes('E0000042'));
    }, async () => `searching by record id: ${(await tableRows.allInnerTexts()).slice(0, 3).join(' | ')}`);
    await page.locator('[data-testid="filter-search"]').fill('');
    await page.locator('[data-testid="filter-severity"]').selectOption('');
    await poll(async () => (await total.innerText()).startsWith(`${rows} `), 'clearing the filters');
    // Export the records with their DRG: one line per record, and a header.
    const download = page.waitForEvent('download');
    await page.locator('[data-testid="export-records-csv"]').click();
    const file = await (await download).path();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    same(lines.length, rows + 1, 'lines in the exported records CSV');
    assert(lines[0].startsWith('record_id,') && lines[0].includes(',drg,'), `the export's header: ${lines[0]}`);
    // Mark a finding reviewed, then open the record in the record check.
    await tableRows.first().locator('button').first().click();
    const detail = page.locator('[data-testid="batch-detail"]');
    await detail.waitFor();
    const mark = detail.locator('[data-testid="batch-mark"]').first();
    if (await mark.count()) {
      // The box is the worker's state: it turns checked when the worker has
      // marked the finding, so click and wait rather than check().
      await mark.click();
      await poll(async () => mark.isChecked(), 'marking a finding reviewed');
    }
    await detail.locator('[data-testid="batch-open"]').click();
    await page.waitForURL(/#\/record$/);
    const pdx = page.locator('#pdx');
    await poll(async () => (await pdx.inputValue()).length > 0, 'the record check was not filled with the opened record');
    // The report, its figures and a numerator's records.
    await page.goBack();
    await page.goto(new URL('#/batch/report', BASE).href);
    const figures = page.locator('[data-testid="figure"]');
    await figures.first().waitFor({ timeout: 20_000 });
    const members = page.locator('[data-testid="figure-numerator"]').first();
    await members.click();
    const list = page.locator('[data-testid="members"] li');
    await list.first().waitFor();
    assert((await list.count()) > 0, 'the numerator lists no record');
    const violations = (await new AxeBuilder({ page }).analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    same(violations.map((v) => v.id), [], 'serious axe violations on the report');
  }));

test('18 batch: broken rows are listed with their place, a foreign CSV is mapped, the mapping is stored only when asked', () =>
  withPage(async (page) => {
    await open(page, BASE, '#/batch');
    const csv = 'Account,Dx1,Other Dx,Type\nA1,I10,E11.9:Y,inpatient\nA2,I10,E11.9,inpatient,extra,extra\nA3,J18.9,,outpatient\n';
    await dropFile(page, '[data-testid="batch-drop"]', 'export.csv', csv);
    const selects = page.locator('[data-testid="batch-map-select"]');
    await selects.first().waitFor();
    same(await selects.count(), 4, 'one field menu per column');
    await selects.nth(0).selectOption('id');
    await selects.nth(1).selectOption('principal_dx');
    await selects.nth(2).selectOption('secondary_dx');
    await selects.nth(3).selectOption('setting');
    await page.locator('[data-testid="batch-start"]').click();
    const progress = page.locator('[data-testid="batch-progress"][data-done="true"]');
    await progress.waitFor({ timeout: 20_000 });
    const broken = page.locator('[data-testid="batch-broken"] li');
    assert((await broken.count()) >= 1, 'the unreadable row is listed');
    assert(/line \d/.test(await broken.first().innerText()), `the broken row names its line: ${await broken.first().innerText()}`);
    const records = Number(await progress.getAttribute('data-records'));
    assert(records >= 2, `the readable rows are still imported (${records})`);
    same(await page.evaluate(() => localStorage.length), 0, 'localStorage without "remember"');
    // With "remember", the next file with that header is mapped already.
    await dropFile(page, '[data-testid="batch-drop"]', 'export.csv', csv);
    await selects.first().waitFor();
    await selects.nth(0).selectOption('id');
    await page.locator('[data-testid="batch-remember"]').check();
    await page.locator('[data-testid="batch-start"]').click();
    await progress.waitFor({ timeout: 20_000 });
    same(await page.evaluate(() => localStorage.length), 1, 'localStorage after "remember this mapping"');
    await page.evaluate(() => localStorage.clear());
  }));

/** A report figure's value as the report page writes it (src/batch.rs `value_text`). */
function figureText(f) {
  if (f.value === null || f.value === undefined) return 'not computed';
  const v = f.value;
  if (f.unit === 'percent') return `${v.toFixed(2)}%`;
  if (f.unit === 'days') return `${v.toFixed(2)} days`;
  if (f.unit === 'weight') return v.toFixed(4);
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

test('19 batch: JSON Lines, a FHIR Bundle and an HL7 v2 file are dropped, guessed, imported and reported as `icd report` reports them; their broken entries and messages are listed with their places', () =>
  withPage(async (page) => {
    const fixtures = path.join(ROOT, 'crates', 'icd-cli', 'tests', 'fixtures', 'batch');
    const figures = ['discharges', 'alos', 'gross_death_rate', 'case_mix_index', 'cc_mcc_capture_rate', 'unspecified_code_rate'];
    for (const [name, format, type] of [
      ['encounters.jsonl', 'record', 'application/x-ndjson'],
      ['encounters.fhir.json', 'fhir', 'application/fhir+json'],
      ['encounters.hl7', 'hl7', 'text/plain'],
    ]) {
      const file = path.join(fixtures, name);
      const cli = icdReport(file);
      await open(page, BASE, '#/batch');
      await page.getByText('Nothing is uploaded').first().waitFor();
      await dropFile(page, '[data-testid="batch-drop"]', name, fs.readFileSync(file, 'utf8'), type);
      const picked = page.locator('[data-testid="batch-format"]');
      await picked.waitFor();
      same(await picked.inputValue(), format, `the format guessed for ${name}`);
      await page.locator('[data-testid="batch-start"]').click();
      const progress = page.locator('[data-testid="batch-progress"][data-done="true"]');
      await progress.waitFor({ timeout: 20_000 });
      same(Number(await progress.getAttribute('data-records')), cli.reviewed, `${name}: records imported against icd report's "reviewed"`);
      same(await page.locator('[data-testid="batch-broken"] li').count(), cli.rejected, `${name}: unreadable entries against icd report's "rejected"`);
      await page.locator('[data-testid="batch-report-link"]').click();
      await page.locator('[data-testid="figure"]').first().waitFor({ timeout: 20_000 });
      for (const id of figures) {
        const shown = (await page.locator(`[data-testid="figure"][data-figure="${id}"] .value`).first().innerText()).trim();
        same(shown, figureText(cli[id]), `${name}: the ${id} figure against icd report --json`);
      }
    }
    // A broken entry and a broken message: each listed with its place, as
    // `icd report` lists them, and the rest imported.
    for (const [name, place, type] of [
      ['broken.fhir.json', /^entry 2\b/, 'application/fhir+json'],
      ['broken.hl7', /^message 2\b/, 'text/plain'],
    ]) {
      const file = path.join(fixtures, name);
      const cli = icdReport(file);
      assert(cli.rejected_units.some((u) => place.test(u.place)), `icd report does not list ${place} of ${name}: ${JSON.stringify(cli.rejected_units)}`);
      await open(page, BASE, '#/batch');
      await page.getByText('Nothing is uploaded').first().waitFor();
      await dropFile(page, '[data-testid="batch-drop"]', name, fs.readFileSync(file, 'utf8'), type);
      await page.locator('[data-testid="batch-format"]').waitFor();
      await page.locator('[data-testid="batch-start"]').click();
      const progress = page.locator('[data-testid="batch-progress"][data-done="true"]');
      await progress.waitFor({ timeout: 20_000 });
      const listed = await page.locator('[data-testid="batch-broken"] li').allInnerTexts();
      same(listed.length, cli.rejected_units.length, `${name}: unreadable entries listed (${listed.join(' | ')})`);
      cli.rejected_units.forEach((u, i) =>
        assert(listed[i].includes(u.place), `${name}: item ${i + 1} of the list does not name ${u.place}: ${listed[i]}`),
      );
      same(Number(await progress.getAttribute('data-records')), cli.reviewed, `${name}: the readable entries are still imported (icd report's "reviewed")`);
    }
  }));

// ---------------------------------------------------------------------------

async function main() {
  const filter = process.argv[2] ? new RegExp(process.argv[2], 'i') : null;
  const selected = tests.filter((t) => !filter || filter.test(t.name));
  try {
    journey = await launch();
  } catch (e) {
    console.error(`could not start Chromium: ${e.message}`);
    process.exit(2);
  }
  guard(journey.context);
  // The persistent context opens with one blank page; keep it for the guards.
  const results = [];
  const started = Date.now();
  for (const t of selected) {
    currentTest = t.name;
    const errorsBefore = consoleErrors.length;
    const foreignBefore = foreignRequests.length;
    const t0 = Date.now();
    let error = null;
    try {
      await t.fn();
    } catch (e) {
      error = e;
    }
    // Errors logged during a test fail that test too, so they are easy to place.
    const newErrors = consoleErrors.slice(errorsBefore);
    const newForeign = foreignRequests.slice(foreignBefore);
    const extra = [
      ...newErrors.map((e) => `${e.kind}: ${e.text}${e.where ? ` (${e.where})` : ''}`),
      ...newForeign.map((r) => `request to another origin by ${r.by}: ${r.url}`),
    ];
    const ms = Date.now() - t0;
    if (!error && extra.length === 0) {
      console.log(`ok    ${t.name} (${ms} ms)`);
      results.push({ name: t.name, ok: true });
    } else {
      const message = [error ? error.message : null, ...extra].filter(Boolean).join('\n');
      console.log(`FAIL  ${t.name} (${ms} ms)\n${message.replace(/^/gm, '      ')}`);
      results.push({ name: t.name, ok: false, message });
    }
  }
  currentTest = '(shutdown)';
  await journey.close();

  // The journey-wide guards, as their own lines in the summary.
  const journeyChecks = [
    ['no request to another origin', foreignRequests.map((r) => `[${r.test}] ${r.by}: ${r.url}`)],
    ['no console error or uncaught exception', consoleErrors.map((e) => `[${e.test}] ${e.kind}: ${e.text}`)],
  ];
  for (const [name, found] of journeyChecks) {
    if (found.length === 0) {
      console.log(`ok    journey: ${name} (${requestCount} requests seen)`);
      results.push({ name, ok: true });
    } else {
      console.log(`FAIL  journey: ${name}\n${found.map((f) => `      ${f}`).join('\n')}`);
      results.push({ name, ok: false });
    }
  }
  const failed = results.filter((r) => !r.ok);
  console.log(
    `\n${failed.length === 0 ? 'PASS' : 'FAIL'}: ${results.length - failed.length} passed, ${failed.length} failed ` +
      `(${selected.length} tests + 2 journey checks) in ${((Date.now() - started) / 1000).toFixed(1)} s against ${BASE}`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
