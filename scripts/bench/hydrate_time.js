// Time to hydrated on a throttled link (issue 15): run by
// scripts/bench/weight.sh as `node hydrate_time.js BASE MACHINE_PATH`, BASE a
// server whose master account is bench@example.com / "a benchmark password"
// (weight.sh makes it and stores 206 machines with fleet_seed.py).
//
// In headless Chromium (/usr/bin/chromium, Playwright from end2end/), each of
// the sign-in page (signed out), the Machines page and one machine's page
// (signed in) is loaded on a 10 Mbit/s link, up and down, with 40 ms latency
// and the cache disabled; the time from navigation start to hydrated, median
// of 3, and the bytes fetched by then. Then the same page twice with the
// cache enabled in the same context; the second visit's time, its bytes and
// the WebAssembly it downloaded (none once /pkg is cached as immutable).
//
// "Hydrated": the moment <html> gets its data-page-hydrated attribute: the
// page's own code (its group's modules) has loaded and hydrated the page,
// so its buttons work. An older build has only data-hydrated, which the app
// sets once the entry has hydrated the layout (the page's modules may still
// be on their way); without either, the moment the main WebAssembly module
// finished instantiating plus one task. Which signal was used is printed
// with each line, and the layout's data-hydrated beside it. Figures only;
// nothing is asserted.
const { chromium } = require('../../end2end/node_modules/@playwright/test');

const [BASE, MACHINE_PATH] = process.argv.slice(2);
const EMAIL = 'bench@example.com', PASS = 'a benchmark password';
const RUNS = 3;
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = bytes => `${(bytes / 1000).toFixed(0)} KB`;

// Installed in every page before its scripts: records when <html> gets
// data-hydrated and data-page-hydrated, and when a WebAssembly
// instantiation settles (plus a task).
function marks() {
  const bench = (window.__bench = {});
  const mark = k => { if (!(k in bench)) bench[k] = performance.now(); };
  const hydrated = () => {
    const set = document.documentElement ? document.documentElement.dataset : {};
    if (set.hydrated !== undefined && set.hydrated !== 'false') mark('hydrated');
    if (set.pageHydrated !== undefined) mark('page');
  };
  new MutationObserver(hydrated).observe(document, {
    attributes: true, subtree: true, attributeFilter: ['data-hydrated', 'data-page-hydrated'],
  });
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = WebAssembly[name];
    if (!original) continue;
    WebAssembly[name] = function (...args) {
      return original.apply(this, args).then(r => { setTimeout(() => { mark('instantiated'); hydrated(); }); return r; });
    };
  }
}

async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function newContext(browser) {
  const context = await browser.newContext();
  await context.addInitScript(marks);
  return context;
}

/** One load of PATH: { ms, signal, bytes, wasm } (wasm: WebAssembly bytes over the wire). */
async function load(context, path, { cache, signal }) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: !cache });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8,
  });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  const response = await page.goto(BASE + path, { waitUntil: 'commit', timeout: 120000 });
  if (!response || response.status() >= 400) throw new Error(`GET ${path}: ${response && response.status()}`);
  // Which signal: the one asked for, else data-page-hydrated when it comes
  // within 20 s of the instantiation, else data-hydrated within 2 s (the
  // first load decides for the later ones).
  let used = signal;
  if (!used) {
    await page.waitForFunction(() => window.__bench.instantiated || window.__bench.hydrated, null, { timeout: 120000, polling: 50 });
    used = await page.waitForFunction(() => window.__bench.page, null, { timeout: 20000, polling: 50 })
      .then(() => 'page', () => page.waitForFunction(() => window.__bench.hydrated, null, { timeout: 2000, polling: 50 })
        .then(() => 'hydrated', () => 'instantiated'));
  }
  await page.waitForFunction(k => window.__bench[k], used, { timeout: 120000, polling: 50 });
  const seen = await page.evaluate(k => {
    const at = window.__bench[k];
    const entries = performance.getEntries().filter(e => e.entryType === 'navigation' || e.entryType === 'resource');
    const size = e => e.transferSize || 0;
    return {
      ms: at,
      layout: window.__bench.hydrated,
      bytes: entries.filter(e => e.responseEnd <= at).reduce((s, e) => s + size(e), 0),
      wasm: entries.filter(e => /\.wasm(\?|$)/.test(e.name)).reduce((s, e) => s + size(e), 0),
    };
  }, used);
  await page.close();
  if (errors.length) throw new Error(`page errors on ${path}: ${errors.join('; ')}`);
  return { ...seen, signal: used };
}

const SIGNALS = {
  page: 'data-page-hydrated on <html>',
  hydrated: 'data-hydrated on <html>',
  instantiated: 'no data-hydrated: main .wasm instantiated + one task',
};

async function measure(browser, label, path, signedIn) {
  const context = await newContext(browser);
  if (signedIn) {
    const page = await context.newPage();
    await page.goto(BASE + '/signin');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASS);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(u => !u.pathname.startsWith('/signin'));
    await page.close();
  }
  // The first load picks the signal; it is counted as one of the runs.
  const runs = [await load(context, path, { cache: false })];
  const signal = runs[0].signal;
  while (runs.length < RUNS) runs.push(await load(context, path, { cache: false, signal }));
  const r = runs.sort((a, b) => a.ms - b.ms)[Math.floor(RUNS / 2)];
  const layout = signal === 'page' && r.layout ? `; layout hydrated at ${Math.round(r.layout)} ms` : '';
  console.log(`${label.padEnd(36)} ${String(Math.round(r.ms)).padStart(6)} ms  ${kb(r.bytes).padStart(8)} fetched (${kb(r.wasm)} of it .wasm)  [${SIGNALS[signal]}${layout}]`);
  await load(context, path, { cache: true, signal });
  const again = await load(context, path, { cache: true, signal });
  console.log(`${(label + ', second visit (cache)').padEnd(36)} ${String(Math.round(again.ms)).padStart(6)} ms  ${kb(again.bytes).padStart(8)} fetched (${kb(again.wasm)} of it .wasm)`);
  await context.close();
}

(async () => {
  if (!BASE || !MACHINE_PATH) throw new Error('usage: node hydrate_time.js BASE MACHINE_PATH');
  const browser = await launch();
  console.log(`navigation to hydrated on 10 Mbit/s + 40 ms, cache disabled (median of ${RUNS}); the machine page is ${MACHINE_PATH}:`);
  await measure(browser, 'sign-in page', '/signin', false);
  await measure(browser, 'Machines page', '/machines', true);
  await measure(browser, 'machine page', MACHINE_PATH, true);
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
