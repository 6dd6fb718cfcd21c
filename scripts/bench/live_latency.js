// Prints the latency from a change stored by the server to the Machines
// page's row showing it, in headless Chromium: a libvirt `test:///default`
// machine is stopped and started through the REST API while the page is
// open (hydrated, following /events); each sample is the time from the API
// call's answer (the change is stored and its event appended by then) to
// the row's state cell changing. Run by scripts/bench/live_latency.sh.
const { chromium } = require('../../end2end/node_modules/@playwright/test');

const BASE = process.argv[2];
const SAMPLES = Number(process.argv[3] || 40);
const EMAIL = 'bench@example.com', PASS = 'a benchmark password';
const auth = 'Basic ' + Buffer.from(`${EMAIL}:${PASS}`).toString('base64');

async function api(method, path, body) {
  const r = await fetch(BASE + path, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  await page.goto(BASE + '/');
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password (at least 10 characters)').fill(PASS);
  await page.getByLabel('Password again').fill(PASS);
  await page.getByRole('button', { name: 'Create master account' }).click();
  await page.waitForURL(u => !u.pathname.startsWith('/setup'));
  const backend = await api('POST', '/backends', { title: 'kvm', provider: 'libvirt', apiurl: 'test:///default' });
  const machine = (await api('GET', `/backends/${backend.id}/machines`))[0];
  await page.goto(BASE + '/machines');
  const cell = page.locator('table[data-testid=machines] tbody tr td:nth-child(3)').first();
  await cell.waitFor();
  await page.waitForTimeout(2000); // hydrated and subscribed
  const times = [];
  const SEL = 'table[data-testid=machines] tbody tr td:nth-child(3)';
  for (let i = 0; i < SAMPLES; i++) {
    // The machine settles (the next poll says `running` or `stopped`).
    await page.waitForFunction(
      sel => ['running', 'stopped'].includes(document.querySelector(sel)?.textContent.trim()),
      SEL,
      { timeout: 60000 },
    );
    const before = (await cell.textContent()).trim();
    const action = before === 'running' ? 'stop' : 'start';
    await api('POST', `/backends/${backend.id}/machines/${machine.id}`, { action });
    const t0 = Date.now();
    await page.waitForFunction(
      ([sel, was]) => document.querySelector(sel)?.textContent.trim() !== was,
      [SEL, before],
      { polling: 'raf', timeout: 10000 },
    );
    times.push(Date.now() - t0);
  }
  times.sort((a, b) => a - b);
  const pct = p => times[Math.floor((times.length - 1) * p)];
  console.log(`change stored -> Machines row changed in the browser (one instance, ${times.length} samples): p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${times[times.length - 1]} ms`);
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
