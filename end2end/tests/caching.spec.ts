import { expect, test } from "./fixtures";
import { resolve } from "node:path";
import { hydrated } from "./steps";

// The site's files carry their content's hash in their names and are cached
// for a year: a second visit fetches none of them again.

/** The page's own code hydrated it, or (without JavaScript) its preloads
 * finished. */
async function settled(page: import("./fixtures").Page) {
  if (hydrated()) await page.locator("html[data-page-hydrated]").waitFor();
  else await page.waitForLoadState("networkidle");
}

/** The page's resources whose path matches, as the browser timed them. */
async function resources(page: import("./fixtures").Page, pattern: RegExp) {
  const entries = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((e) => e as PerformanceResourceTiming)
      .map((e) => ({ name: new URL(e.name).pathname, transferSize: e.transferSize })),
  );
  return entries.filter((e) => pattern.test(e.name));
}

test("a second visit downloads none of the site's files again", async ({ page }) => {
  // Every /pkg answer and its Cache-Control.
  const caching = new Map<string, string>();
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/pkg/")) caching.set(path, r.headers()["cache-control"] ?? "");
  });
  await page.goto("/");
  const landed = new URL(page.url()).pathname; // /setup or /signin
  await settled(page);
  // Hashed names: `<name>.<22 characters>.<ext>` (the module, its
  // WebAssembly, the stylesheet, and the split build's loader and chunks).
  const hashed = /^\/pkg\/[A-Za-z0-9_]+\.[A-Za-z0-9_-]{22}\.(css|js|wasm)$/;
  const first = await resources(page, /^\/pkg\//);
  expect(first.length).toBeGreaterThan(0);
  for (const r of first) expect(r.name).toMatch(hashed);
  for (const [name, policy] of caching) {
    expect(policy, name).toBe("public, max-age=31536000, immutable");
  }
  if (hydrated()) {
    const names = first.map((r) => r.name);
    expect(names.filter((n) => /^\/pkg\/overcast\.[^.]+\.(js|wasm)$/.test(n))).toHaveLength(2);
    // Sign-in and setup are plain forms, no island: the entry alone.
    expect(names.filter((n) => /^\/pkg\/(chunk|split)_/.test(n)), names.join(" ")).toEqual([]);
  }
  // Every module the page fetched was preloaded by the head, so a first
  // visit fetches it beside the entry, not after it (a page with an island
  // preloads its group's modules and the splitter's loader: the server's
  // tests/api/split_preloads.rs).
  const preloaded = await page
    .locator('head link[rel="preload"][as="fetch"]')
    .evaluateAll((links) => links.map((l) => new URL((l as HTMLLinkElement).href).pathname));
  for (const r of first.filter((r) => r.name.endsWith(".wasm"))) {
    expect(preloaded, `${r.name} fetched but not preloaded`).toContain(r.name);
  }

  // A new navigation to the same page (not a reload): all from the cache.
  await page.goto(`${landed}?again=1`);
  await settled(page);
  const second = await resources(page, /^\/pkg\//);
  expect(second.length).toBeGreaterThan(0);
  const before = new Set(first.map((r) => r.name));
  for (const r of second) expect(before.has(r.name), `${r.name} new on the second visit`).toBe(true);
  for (const r of second) expect(r.transferSize, `${r.name} fetched again`).toBe(0);
});

test("the browser code names no folder of the machine that built it", async ({ page }) => {
  await page.goto("/");
  await settled(page);
  // The WebAssembly the page fetched (without JavaScript: its preloads).
  const wasm = (await resources(page, /^\/pkg\/.*\.wasm$/)).map((r) => r.name);
  expect(wasm.length).toBeGreaterThan(0);
  const folders = [process.env.CARGO_HOME ?? `${process.env.HOME}/.cargo`, resolve(__dirname, "..", "..")];
  for (const name of wasm) {
    const body = await (await page.request.get(name)).body();
    for (const folder of folders) expect(body.includes(folder), `${name} names ${folder}`).toBe(false);
  }
});
