import { expect, test, type Page } from "./fixtures";
import { hydrated, open, signIn } from "./steps";

// The Home dashboard on a new installation: its checklist ticks itself as
// the operator adds a key and a backend (libvirt's built-in test
// hypervisor, test:///default, whose domain "test" is running, so the
// third step is done by the backend's first poll), then gives way to the
// backends and machines it counts. Named to run right after
// foundation.spec.ts (which creates the master on the fresh server) and
// before every other spec, which may add keys and backends; it removes
// what it added.
const KEY = "dashboard-key";
const BACKEND = "Dashboard hypervisor";

test.describe.configure({ mode: "serial" });

/** The checklist's step `step` ("key", "backend", "machine"). */
const step = (page: Page, name: string) => page.getByTestId("checklist").locator(`li[data-step="${name}"]`);

test("the checklist ticks itself as a key and a backend are added", async ({ page }) => {
  await signIn(page);
  await open(page, "/");
  await expect(page.getByRole("heading", { level: 1, name: "Welcome to Overcast" })).toBeVisible();
  for (const name of ["key", "backend", "machine"]) {
    await expect(step(page, name)).toHaveAttribute("data-done", "false");
  }
  await expect(page.getByTestId("dash-backends")).toContainText("No backends to show.");
  await expect(page.getByTestId("machines-total")).toHaveText("0 machines");

  // Each step links to where it is done.
  await step(page, "key").getByRole("link", { name: "Add a key" }).click();
  await expect(page).toHaveURL(/\/keys$/);
  if (hydrated()) await page.waitForLoadState("networkidle");
  const generate = page.locator("#generate-key");
  await generate.getByLabel("Name").fill(KEY);
  await generate.getByRole("button", { name: "Generate key" }).click();
  await expect(page.getByTestId("keys").locator(`tr[data-key="${KEY}"]`)).toBeVisible();

  await open(page, "/");
  await expect(step(page, "key")).toHaveAttribute("data-done", "true");
  await expect(step(page, "key")).toContainText("(done)");
  await expect(step(page, "backend")).toHaveAttribute("data-done", "false");
  // The key's creation is the master's activity.
  await expect(page.getByTestId("dash-activity")).toContainText(`key/${KEY}`);

  await step(page, "backend").getByRole("link", { name: "Add a backend" }).click();
  await expect(page).toHaveURL(/\/backends$/);
  if (hydrated()) await page.waitForLoadState("networkidle");
  const form = page.locator("#add-backend");
  await form.getByLabel("Title").fill(BACKEND);
  await form.locator("select[name=provider]").selectOption("libvirt");
  await form.getByLabel(/API URL|libvirt URI/).fill("test:///default");
  await form.getByRole("button", { name: "Add backend" }).click();
  await expect(page.getByTestId("backends").locator("tr", { hasText: BACKEND })).toContainText("online");

  // Every step is done: the checklist gives way to what it counts.
  await open(page, "/");
  await expect(page.getByTestId("dashboard")).toBeVisible();
  await expect(page.getByTestId("checklist")).toHaveCount(0);
  const backend = page.getByTestId("dash-backends").locator("li", { hasText: BACKEND });
  await expect(backend.getByTestId("backend-state")).toHaveText("online");
  await expect(backend.getByTestId("backend-machines")).toHaveText(/^[1-9]\d* machines?$/);
  const running = page.getByTestId("dash-machines").locator('li[data-state="running"]');
  await expect(running).toBeVisible();
  await running.getByRole("link").click();
  await expect(page).toHaveURL(/\/machines\?state=running$/);
  await expect(page.getByTestId("machines").locator("tr", { hasText: BACKEND }).first()).toBeVisible();
});

test("the dashboard fits a phone, and follows a backend's removal once hydrated", async ({ page, context }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  await open(page, "/");
  const backend = page.getByTestId("dash-backends").locator("li", { hasText: BACKEND });
  await expect(backend).toBeVisible();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide, `the dashboard is ${wide} px wide`).toBeLessThanOrEqual(390);

  // Forget the backend (from another tab once hydrated: the dashboard
  // hears of it by itself), then delete the key, so later specs start
  // without them.
  const other = hydrated() ? await context.newPage() : page;
  await open(other, "/backends");
  const added = other.getByTestId("backends").locator("tr", { hasText: BACKEND });
  await added.locator("summary", { hasText: "Delete" }).click();
  await added.getByRole("button", { name: /nothing is destroyed at the provider/ }).click();
  await expect(other.getByTestId("backends").locator("tr", { hasText: BACKEND })).toHaveCount(0);
  if (hydrated()) {
    await expect(backend).toHaveCount(0, { timeout: 15_000 });
  }
  await open(other, "/keys");
  const row = other.getByTestId("keys").locator(`tr[data-key="${KEY}"]`);
  await row.locator("summary", { hasText: "Delete" }).click();
  await row.getByRole("button", { name: new RegExp(`Delete ${KEY} for good`) }).click();
  await expect(other.getByTestId("keys").locator(`tr[data-key="${KEY}"]`)).toHaveCount(0);
  if (hydrated()) await other.close();

  // Nothing is left: the checklist is back, unticked.
  await open(page, "/");
  await expect(step(page, "key")).toHaveAttribute("data-done", "false");
  await expect(step(page, "backend")).toHaveAttribute("data-done", "false");
});
