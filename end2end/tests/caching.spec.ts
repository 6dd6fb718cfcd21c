import { expect, test } from "./fixtures";
import { hydrated } from "./steps";

// The site's files carry their content's hash in their names and are cached
// for a year: a second visit fetches none of them again.

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
  const immutable: string[] = [];
  page.on("response", (r) => {
    if (/\/pkg\//.test(r.url()) && r.headers()["cache-control"]?.includes("immutable")) {
      immutable.push(new URL(r.url()).pathname);
    }
  });
  await page.goto("/");
  if (hydrated()) await page.locator("html[data-hydrated]").waitFor();
  // Hashed names: `overcast.<22 characters>.css` (and .js, .wasm).
  const hashed = /^\/pkg\/overcast\.[A-Za-z0-9_-]{22}\.(css|js|wasm)$/;
  const first = await resources(page, /^\/pkg\//);
  expect(first.length).toBeGreaterThan(0);
  for (const r of first) expect(r.name).toMatch(hashed);
  expect(immutable.length).toBe(first.length);
  if (hydrated()) {
    expect(first.map((r) => r.name.split(".").pop()).sort()).toEqual(["css", "js", "wasm"]);
  }

  // A new navigation (not a reload): everything from the cache.
  await page.goto("/signin?again=1");
  if (hydrated()) await page.locator("html[data-hydrated]").waitFor();
  const second = await resources(page, /^\/pkg\//);
  expect(second.map((r) => r.name).sort()).toEqual(first.map((r) => r.name).sort());
  for (const r of second) expect(r.transferSize, `${r.name} fetched again`).toBe(0);
});
