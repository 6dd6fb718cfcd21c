// Run by scripts/bench/fleet_page.sh. `setup BASE` makes the master
// account; `measure BASE N` signs in and prints the Machines page's cost:
// the server's time to first and last byte and its bytes (median of 5,
// signed in), then in headless Chromium the time from navigation to a usable
// page (hydrated and following events: its first /events request) and the
// bytes fetched until then, unthrottled and on a 10 Mbit/s, 40 ms link.
const { chromium } = require('../../end2end/node_modules/@playwright/test');

const [MODE, BASE, N] = process.argv.slice(2);
const EMAIL = 'bench@example.com', PASS = 'a benchmark password';
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = bytes => `${(bytes / 1024).toFixed(0)} KB`;

async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function signIn(page) {
  await page.goto(BASE + '/signin');
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASS);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(u => !u.pathname.startsWith('/signin'));
}

/** One load of /machines: ms to the first /events request, bytes fetched. */
async function load(context, throttled) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttled) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8,
    });
  }
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  const usable = page.waitForRequest(r => new URL(r.url()).pathname.startsWith('/events'), { timeout: 120000 });
  const t0 = Date.now();
  await page.goto(BASE + '/machines', { waitUntil: 'commit' });
  await usable;
  const ms = Date.now() - t0;
  // What the page fetched by then: the document and every finished resource.
  const seen = await page.evaluate(() => performance.getEntries()
    .filter(e => e.entryType === 'navigation' || e.entryType === 'resource')
    .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0));
  await page.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return { ms, bytes: seen };
}

(async () => {
  const browser = await launch();
  const context = await browser.newContext();
  const page = await context.newPage();
  if (MODE === 'setup') {
    await page.goto(BASE + '/');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password (at least 10 characters)').fill(PASS);
    await page.getByLabel('Password again').fill(PASS);
    await page.getByRole('button', { name: 'Create master account' }).click();
    await page.waitForURL(u => !u.pathname.startsWith('/setup'));
    await browser.close();
    return;
  }
  await signIn(page);
  await page.close();
  const cookie = (await context.cookies()).map(c => `${c.name}=${c.value}`).join('; ');
  const first = [], last = [];
  let size = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(BASE + '/machines', { headers: { cookie, accept: 'text/html', 'accept-encoding': 'identity' } });
    first.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const body = Buffer.from(await res.arrayBuffer());
    last.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!res.ok) throw new Error(`GET /machines: ${res.status}`);
    size = body.length;
  }
  console.log(`${N} machines: GET /machines (server, median of 5): first byte ${median(first).toFixed(1)} ms, last byte ${median(last).toFixed(1)} ms, ${kb(size)} of HTML`);
  for (const throttled of process.env.FLEET_THROTTLED === '1' ? [false, true] : [false]) {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await load(context, throttled));
    const r = runs.sort((a, b) => a.ms - b.ms)[1];
    console.log(`${N} machines: navigation to usable (hydrated, following events)${throttled ? ' on 10 Mbit/s + 40 ms' : ', unthrottled'} (median of 3): ${r.ms} ms, ${kb(r.bytes)} fetched`);
  }
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
