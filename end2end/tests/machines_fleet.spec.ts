import { expect, test, type Page } from "./fixtures";
import { needsPeer } from "./peers";
import { MASTER, ROW_STATE, addBackend, basic, hydrated, makeReader, open, signIn } from "./steps";

// The Machines page as a fleet table: 1,000 machines on moto's EC2 paged on
// the server, a state counter as a filter, a bulk stop of three machines
// (hydrated), a refused stop said beside its row (both modes), and a
// read-only user's page without a write action (a user of its own). Leaves
// nothing behind but that user (its backend is deleted; its instances live
// in a region of moto that no other spec uses, one region per project,
// since moto outlives a project).
const MOTO = process.env.OVERCAST_E2E_MOTO_URL ?? "";
const EC2 = "Fleet EC2";
const MACHINES = 1000;

test.describe.configure({ mode: "serial" });

needsPeer(!MOTO, "the moto run.sh starts (OVERCAST_MOTO)", "source scripts/peers.sh && ensure_moto");

/** This project's region of moto, and the catalogue entry that speaks to it. */
const region = () =>
  hydrated() ? { provider: "ec2_ca_central", name: "ca-central-1" } : { provider: "ec2_eu_north", name: "eu-north-1" };

/** One call of moto's EC2 query API in this project's region; its XML answer. */
async function ec2(page: Page, action: string, params: Record<string, string> = {}): Promise<string> {
  const answer = await page.request.post(`${MOTO}/`, {
    form: { Action: action, Version: "2016-11-15", ...params },
    headers: {
      // moto reads the region from the credential scope; it checks no signature.
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/${region().name}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
  });
  const text = await answer.text();
  expect(answer.ok(), text).toBe(true);
  return text;
}

const ids = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, "g"))].map((m) => m[1]);

/** The machines' page filtered to the fleet's backend, plus `more`. */
let backendId = "";
const fleetPath = (more = "") => `/machines?backend=${encodeURIComponent(backendId)}${more}`;

test("1,000 machines are paged on the server", async ({ page }) => {
  test.setTimeout(180_000);
  // 1,000 instances in this project's region (topped up if a run left some).
  const running = ids(
    await ec2(page, "DescribeInstances", { "Filter.1.Name": "instance-state-name", "Filter.1.Value.1": "pending", "Filter.1.Value.2": "running", "Filter.1.Value.3": "stopped" }),
    "instanceId",
  ).length;
  if (running < MACHINES) {
    const image = ids(await ec2(page, "DescribeImages"), "imageId")[0];
    const want = String(MACHINES - running);
    await ec2(page, "RunInstances", { ImageId: image, InstanceType: "t3.micro", MinCount: want, MaxCount: want });
  }

  await signIn(page);
  await addBackend(page, EC2, async (form) => {
    await form.locator("select[name=provider]").selectOption(region().provider);
    await form.getByLabel(/API key, access key|Access key id/).fill("AKIAEXAMPLE");
    await form.getByLabel(/API secret|Secret access key/).fill("secret");
    await form.getByLabel(/API URL/).fill(MOTO);
    await form.getByLabel(/Poll every/).fill("5000");
  });

  // The backend's id, from the Backend filter's choices.
  await open(page, "/machines");
  backendId = (await page
    .getByTestId("machine-filters")
    .locator("select[name=backend] option", { hasText: EC2 })
    .getAttribute("value"))!;
  expect(backendId).toBeTruthy();

  await open(page, fleetPath());
  const count = page.getByTestId("machine-count");
  const rows = page.getByTestId("machines").locator("tbody tr");
  await expect(count).toHaveText("1–50 of 1,000");
  await expect(rows).toHaveCount(50);
  await expect(page.getByTestId("machines").getByRole("columnheader", { name: "Actions" })).toBeVisible();
  await expect(page.getByTestId("state-counters").locator('a[data-state="all"]')).toHaveText("all 1,000");

  // The last page, by its link.
  await page.getByTestId("pager").getByRole("link", { name: "Last »" }).click();
  await expect(page).toHaveURL(/page=20/);
  await expect(count).toHaveText("951–1,000 of 1,000");
  await expect(rows).toHaveCount(50);
  await expect(page.getByTestId("pager").getByRole("link", { name: "Next ›" })).toHaveCount(0);

  // 200 a page: back to the first page, then the next.
  await page.getByTestId("per-page-200").click();
  await expect(page).toHaveURL(/per_page=200/);
  await expect(count).toHaveText("1–200 of 1,000");
  await expect(rows).toHaveCount(200);
  await page.getByTestId("pager").getByRole("link", { name: "Next ›" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(count).toHaveText("201–400 of 1,000");

  // Sorted by a column's heading, the other way on a second click.
  await open(page, fleetPath());
  const first = await rows.first().getAttribute("data-machine");
  await page.getByTestId("machines").getByRole("link", { name: /^Name/ }).click();
  await expect(page).toHaveURL(/desc=1/);
  await expect(rows.first()).not.toHaveAttribute("data-machine", first!);
  // A phone's width: the page does not scroll sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  // Each cell of a stacked row is named by its column's heading (the
  // column chooser's words), which the style sheet puts before it.
  const headings = await page
    .getByTestId("column-chooser")
    .locator('input[name="columns"]')
    .evaluateAll((inputs) => inputs.map((i) => [(i as HTMLInputElement).value, i.parentElement!.textContent!.trim()]));
  const named = await rows.first().evaluate(
    (tr, headings) =>
      headings
        .filter(([column]) => tr.querySelector(`td.${column}`))
        .map(([column, heading]) => [getComputedStyle(tr.querySelector(`td.${column}`)!, "::before").content, `"${heading}: "`]),
    headings,
  );
  expect(named.length).toBeGreaterThanOrEqual(7);
  for (const [shown, heading] of named) expect(shown).toBe(heading);
  await page.setViewportSize({ width: 1280, height: 720 });
});

test("typing in the search filters on the server without a reload, the focus kept", async ({ page }) => {
  await signIn(page);
  await open(page, fleetPath());
  const rows = page.getByTestId("machines").locator("tbody tr");
  const wanted = (await rows.nth(7).getAttribute("data-machine"))!;
  if (!hydrated()) {
    // Without JavaScript the search is a GET form: Show submits it, and the
    // answer is the server's filtered page with the search still in its box.
    const search = page.getByTestId("machine-filters").getByLabel("Search");
    await search.fill(wanted);
    await page.getByTestId("machine-filters").getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(new RegExp(`q=${wanted}`));
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-machine", wanted);
    await expect(page.getByTestId("machine-count")).toHaveText("1–1 of 1");
    await expect(search).toHaveValue(wanted);
    return;
  }
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const search = page.getByTestId("machine-filters").getByLabel("Search");
  await search.click();
  await search.pressSequentially(wanted, { delay: 20 });
  await expect(page).toHaveURL(new RegExp(`q=${wanted}`));
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-machine", wanted);
  await expect(page.getByTestId("machine-count")).toHaveText("1–1 of 1");
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe("q");
  await expect(search).toHaveValue(wanted);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  // Show submits the form through the router, in the same document, to the
  // address a browser would open (the unnamed button adds no empty pair).
  await page.getByTestId("machine-filters").getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/[?&]per_page=/);
  expect(new URL(page.url()).searchParams.get("q")).toBe(wanted);
  expect(page.url()).not.toMatch(/[?&]=(&|$)/);
  await expect(rows).toHaveCount(1);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  // Typing, then leaving the page before the address follows: the pending
  // search is dropped with the page (no read of its disposed state, which
  // the fixture would see as a console error).
  await search.press("End");
  await search.pressSequentially("x");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Keys" }).click();
  await expect(page).toHaveURL(/\/keys$/);
  await page.waitForTimeout(600);
  await expect(page).toHaveURL(/\/keys$/);
});

test("the column choice is remembered", async ({ page }) => {
  await signIn(page);
  await open(page, fleetPath());
  const heads = page.getByTestId("machines").locator("thead");
  await expect(heads).toContainText("Size");
  await expect(heads).not.toContainText("Image");
  const chooser = page.getByTestId("column-chooser");
  await chooser.locator("summary").click();
  await chooser.getByLabel("Image").check();
  await chooser.getByLabel("Size").uncheck();
  if (hydrated()) {
    // At once, and saved.
    await expect(heads).toContainText("Image");
    await expect(heads).not.toContainText("Size");
    await page.waitForLoadState("networkidle");
  } else {
    await chooser.getByRole("button", { name: "Use these columns" }).click();
    await expect(page).toHaveURL(/backend=/);
  }
  await open(page, fleetPath());
  await expect(heads).toContainText("Image");
  await expect(heads).not.toContainText("Size");
  await expect(page.getByTestId("machines").locator("tbody tr").first().locator("td.image")).toHaveText(/^ami-/);
});

test("a state counter filters the table", async ({ page }) => {
  test.setTimeout(120_000);
  // Three instances stopped at the provider; the next poll sees it.
  const all = ids(await ec2(page, "DescribeInstances", { "Filter.1.Name": "instance-state-name", "Filter.1.Value.1": "running", "Filter.1.Value.2": "pending" }), "instanceId");
  const stopped = all.slice(0, 3);
  await ec2(page, "StopInstances", Object.fromEntries(stopped.map((id, i) => [`InstanceId.${i + 1}`, id])));

  await signIn(page);
  await open(page, fleetPath());
  const counters = page.getByTestId("state-counters");
  const stoppedCounter = counters.locator('a[data-state="stopped"]');
  if (hydrated()) {
    // The page follows the poll by itself.
    await expect(stoppedCounter).toHaveText(/^stopped \d+$/, { timeout: 30_000 });
  } else {
    await expect
      .poll(async () => {
        await page.reload();
        return stoppedCounter.count();
      }, { timeout: 30_000, intervals: [1_000, 2_000] })
      .toBe(1);
  }
  const n = Number((await stoppedCounter.textContent())!.replace(/\D/g, ""));
  expect(n).toBeGreaterThanOrEqual(3);

  await stoppedCounter.click();
  await expect(page).toHaveURL(/state=stopped/);
  await expect(page.getByTestId("state-counters").locator('a[data-state="stopped"]')).toHaveAttribute("aria-current", "true");
  const rows = page.getByTestId("machines").locator("tbody tr");
  await expect(rows).toHaveCount(n);
  for (const id of stopped) await expect(page.locator(`tr[data-machine="${id}"]`)).toHaveCount(1);
  await expect(rows.locator(ROW_STATE).filter({ hasNotText: /^stopped$/ })).toHaveCount(0);
  // Every state's badge says its state in words.
  await expect(rows.first().locator(ROW_STATE)).toHaveClass(/badge stopped/);
  await expect(page.getByTestId("machine-count")).toHaveText(`1–${n} of ${n}`);
});

test("three machines stopped at once, each row saying how it went", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await open(page, fleetPath("&state=running&per_page=10"));
  const picked = (await page.getByTestId("machines").locator("tbody tr").evaluateAll((rows) =>
    rows.slice(0, 3).map((r) => r.getAttribute("data-machine")!),
  )) as string[];
  expect(picked).toHaveLength(3);
  if (!hydrated()) {
    // Selection needs JavaScript: without it no checkbox or bar is offered
    // that could not work, and each row keeps its own Stop, a plain form.
    await expect(page.getByTestId("select-machine")).toHaveCount(0);
    await expect(page.getByTestId("bulk-bar")).toHaveCount(0);
    for (const id of picked) {
      const stop = page.locator(`tr[data-machine="${id}"]`).getByRole("button", { name: "Stop", exact: true });
      await expect(stop).toBeVisible();
      expect(await stop.evaluate((b) => (b as HTMLButtonElement).form?.method)).toBe("post");
    }
    return;
  }
  // Unfiltered by state (the rows stay on the page once stopped), the picked three selected.
  await open(page, fleetPath(`&q=`));
  for (const id of picked) {
    await page.locator(`tr[data-machine="${id}"]`).getByTestId("select-machine").check();
  }
  const bar = page.getByTestId("bulk-bar");
  await expect(bar.getByTestId("selected-count")).toHaveText("3 machines selected");
  // Only what every selected machine allows: running machines stop, none starts.
  await expect(bar.getByRole("button", { name: "Start" })).toHaveCount(0);
  await bar.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(bar.getByTestId("bulk-confirm")).toContainText("Stop 3 machines?");
  await bar.getByRole("button", { name: "Stop 3 machines" }).click();
  // The activity area says it, then fades.
  await expect(page.getByTestId("toasts")).toContainText("stopping 3 machines… stopped", { timeout: 20_000 });
  for (const id of picked) {
    await expect(page.locator(`tr[data-machine="${id}"]`).getByTestId("row-status")).toHaveText("stopped");
  }
  await expect(page.getByTestId("toasts").locator(".toast")).toHaveCount(0, { timeout: 10_000 });
  // The next poll shows them stopped, the result still beside each row.
  for (const id of picked) {
    const row = page.locator(`tr[data-machine="${id}"]`);
    await expect(row.locator(ROW_STATE)).toHaveText(/stopping|stopped/, { timeout: 30_000 });
    await expect(row.getByTestId("row-status")).toHaveText("stopped");
  }
  await expect(page.getByTestId("bulk-bar")).toHaveCount(0);
});

test("a refused row action is said beside its row, with or without JavaScript", async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page);
  await open(page, fleetPath("&state=running&per_page=10"));
  const id = (await page.getByTestId("machines").locator("tbody tr").first().getAttribute("data-machine"))!;
  expect(id).toBeTruthy();
  // moto refuses to stop an instance whose API stop is disabled.
  await ec2(page, "ModifyInstanceAttribute", { InstanceId: id, "DisableApiStop.Value": "true" });
  try {
    const row = page.locator(`tr[data-machine="${id}"]`);
    await row.getByRole("button", { name: "Stop", exact: true }).click();
    // Without JavaScript the form's post comes back to the page, naming the machine it kept.
    if (!hydrated()) await expect(page).toHaveURL(new RegExp(`__kept\\.act=stop(\\+|%20)[^&]+(\\+|%20)${id}`));
    await expect(row.getByTestId("row-status")).toContainText(/disableApiStop|may not be|not permitted/i, { timeout: 20_000 });
    await expect(row).toHaveAttribute("data-failed", "");
    await expect(page.locator(".fleet .form-error")).toHaveCount(0);
    await expect(page.getByTestId("machines").locator("tr[data-failed]")).toHaveCount(1);
  } finally {
    await ec2(page, "ModifyInstanceAttribute", { InstanceId: id, "DisableApiStop.Value": "false" });
  }
});

test("a read-only user sees the fleet without a write action", async ({ page, request }) => {
  await signIn(page, await makeReader(request, `fleet-${test.info().project.name}`));
  await open(page, fleetPath());
  await expect(page.getByTestId("machine-count")).toHaveText(/of 1,000$/);
  const table = page.getByTestId("machines");
  await expect(table.locator("tbody tr")).toHaveCount(50);
  await expect(table.locator("button")).toHaveCount(0);
  await expect(table.locator("summary")).toHaveCount(0);
  await expect(table.locator("input[type=checkbox]")).toHaveCount(0);
  await expect(page.getByTestId("bulk-bar")).toHaveCount(0);
  // Nothing to act with: no Actions column.
  await expect(table.getByRole("columnheader", { name: "Actions" })).toBeHidden();
  await expect(table.locator("td.actions").first()).toBeHidden();
});

test("the fleet's backend is deleted", async ({ page }) => {
  await signIn(page);
  await open(page, "/backends");
  const added = page.getByTestId("backends").locator("tr", { hasText: EC2 });
  await added.locator("summary", { hasText: "Delete" }).click();
  await added.getByRole("button", { name: /nothing is destroyed at the provider/ }).click();
  await expect(page.getByTestId("backends").locator("tr", { hasText: EC2 })).toHaveCount(0);
});

// A spec stopped midway still removes its backend: left behind, its poll of
// 1,000 machines would go on for every spec after this one.
test.afterAll(async ({ playwright }, info) => {
  if (!backendId) return;
  const request = await playwright.request.newContext({ baseURL: info.project.use.baseURL });
  const answer = await request.delete(`/backends/${encodeURIComponent(backendId)}`, {
    headers: { Authorization: basic(MASTER), Accept: "application/json" },
  });
  // Already deleted by the last test: 404.
  expect([200, 404]).toContain(answer.status());
  await request.dispose();
  backendId = "";
});
