import { expect, test, type Page } from "./fixtures";
import { needsPeer } from "./peers";
import { addBackend, hydrated, makeReader, open, signIn } from "./steps";

// A stack on moto's EC2 from the pages alone: the template written in the
// editor (a fault marked as it is typed once hydrated; on submit without
// JavaScript), planned, applied, followed to CREATE_COMPLETE (without a
// reload once hydrated), updated to two machines, its two versions
// compared side by side, and deleted; a read-only user (one of its own)
// sees it without an action. Runs after machines.spec.ts on the same server
// and leaves no backend behind.
const MOTO = process.env.OVERCAST_E2E_MOTO_URL ?? "";
const EC2 = "Stacks EC2";

test.describe.configure({ mode: "serial" });

needsPeer(!MOTO, "the moto run.sh starts (OVERCAST_MOTO)", "source scripts/peers.sh && ensure_moto");

/** The editor's template, changed by `edit`, typed back in. */
async function editTemplate(page: Page, form: ReturnType<Page["locator"]>, edit: (t: any) => void) {
  const area = form.getByTestId("template-text");
  const template = JSON.parse(await area.inputValue());
  edit(template);
  await area.fill(JSON.stringify(template, null, 2));
}

/** Waits for the stack's status: live once hydrated, by reloading without JavaScript. */
async function statusReaches(page: Page, status: string | RegExp) {
  const shown = page.getByTestId("stack").getByTestId("stack-status");
  if (hydrated()) {
    await expect(shown).toHaveText(status, { timeout: 60_000 });
  } else {
    await expect
      .poll(async () => {
        await page.reload();
        return (await shown.textContent()) ?? "";
      }, { timeout: 60_000, intervals: [1_000, 2_000] })
      .toMatch(status);
  }
}

test("a stack is written, planned, applied, updated, compared and deleted", async ({ page, context, browser, request }) => {
  test.setTimeout(240_000);
  await signIn(page);
  await addBackend(page, EC2, async (form) => {
    await form.locator("select[name=provider]").selectOption("ec2_ap_northeast");
    await form.getByLabel(/API key, access key|Access key id/).fill("AKIASTACKSE2E");
    await form.getByLabel(/API secret|Secret access key/).fill("secret");
    await form.getByLabel(/API URL/).fill(MOTO);
  });

  // The list offers a new stack to the master.
  await open(page, "/stacks");
  await page.getByTestId("new-stack").click();
  await expect(page.locator("h1")).toHaveText("New stack");
  if (hydrated()) await page.waitForLoadState("networkidle");

  // The picker fills vendor and the first layer's size and image from the backend.
  const picker = page.getByTestId("picker");
  await picker.getByLabel("Backend (vendor)").selectOption({ label: EC2 });
  if (!hydrated()) await picker.getByRole("button", { name: "Fill in the template" }).click();
  await picker.getByLabel("Size").selectOption("m3.medium");
  // One of moto's images (a ${computed} image needs the backend's default).
  await picker.getByLabel("Image").selectOption({ index: 1 });
  await picker.getByRole("button", { name: "Fill in the template" }).click();
  const form = page.locator("#new-stack");
  const area = form.getByTestId("template-text");
  await expect(area).toHaveValue(/"aws": \{\s*"cred": "[^"]+"/);
  await expect(area).toHaveValue(/"instance_type": "m3.medium"/);
  await expect(area).toHaveValue(/"image": "ami-[0-9a-f]+"/);

  // A fault, beside the text: as it is typed once hydrated, after a submit
  // without JavaScript (the text kept).
  const faults = form.getByTestId("template-faults");
  await editTemplate(page, form, (t) => {
    t.configurations[0].provision.instance_count = 101;
    t.configurations[0].provision.instance_type = "t2.micro";
  });
  if (!hydrated()) {
    await form.getByRole("button", { name: "Plan", exact: true }).click();
    await expect(form.locator(".form-error").first()).toBeVisible();
  }
  await expect(faults.getByTestId("template-fault")).toContainText("/configurations/0/provision/instance_count");
  await expect(area).toHaveValue(/"instance_count": 101/);
  await editTemplate(page, form, (t) => {
    t.configurations[0].provision.instance_count = 1;
    t.label = "one web machine";
  });
  if (hydrated()) await expect(faults.getByTestId("template-valid")).toBeVisible();
  await expect(form.getByRole("button", { name: "Apply", exact: true })).toHaveCount(0);

  // The plan, then Apply.
  await form.getByRole("button", { name: "Plan", exact: true }).click();
  const plan = form.getByTestId("plan");
  await expect(plan.locator('tr[data-flag="Web01"]').getByTestId("plan-action")).toHaveText("create");
  await expect(plan.locator('tr[data-flag="Web01"]').getByTestId("plan-count")).toHaveText("0 → 1");
  await form.getByRole("button", { name: "Apply", exact: true }).click();
  await expect(page).toHaveURL(/\/stacks\/[0-9a-f]{32}$/);
  const stackUrl = page.url();
  // Hydrated, the stack's page shows once its code (a route of its own) is in.
  await expect(page.locator("h1")).toHaveText(/^\w+-\w+-\w+$/);
  const nickname = (await page.locator("h1").textContent()) ?? "";

  // CREATE_COMPLETE: without a reload once hydrated.
  if (hydrated()) await page.evaluate(() => ((window as any).__sameDocument = true));
  await statusReaches(page, "CREATE_COMPLETE");
  if (hydrated()) expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  const layer = page.getByTestId("stack-layers").locator('[data-flag="Web01"]');
  if (hydrated()) await page.reload();
  await expect(layer.locator("tbody tr")).toHaveCount(1);
  await expect(layer.getByRole("link", { name: `${nickname}-Web01-1` })).toBeVisible();
  await expect(page.getByTestId("stack-events")).toContainText("CREATE_COMPLETE");

  // A read-only user sees the stack, and no action on it.
  const readerContext = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: hydrated(),
  });
  const reader = await readerContext.newPage();
  await signIn(reader, await makeReader(request, `stacks-${test.info().project.name}`));
  await open(reader, "/stacks");
  await expect(reader.getByTestId("stacks").locator("tr", { hasText: nickname })).toContainText("CREATE_COMPLETE");
  await expect(reader.getByTestId("new-stack")).toHaveCount(0);
  await open(reader, stackUrl.replace(/^https?:\/\/[^/]+/, ""));
  await expect(reader.getByTestId("stack").getByTestId("stack-status")).toHaveText("CREATE_COMPLETE");
  await expect(reader.getByTestId("versions")).toBeVisible();
  await expect(reader.locator("#update-stack")).toHaveCount(0);
  await expect(reader.getByTestId("delete-stack")).toHaveCount(0);
  await readerContext.close();

  // The machine names its stack, in the list (a column and a filter) and on its page.
  await open(page, "/machines");
  const row = page.getByTestId("machines").locator("tr", { hasText: `${nickname}-Web01-1` });
  await expect(row.getByTestId("machine-stack")).toHaveText(nickname);
  const filters = page.getByTestId("machine-filters");
  await filters.locator("select[name=stack]").selectOption({ label: nickname });
  await filters.getByRole("button", { name: "Show" }).click();
  await expect(page.getByTestId("machines").locator("tbody tr")).toHaveCount(1);
  await row.getByRole("link", { name: `${nickname}-Web01-1` }).click();
  await expect(page.getByTestId("machine").getByTestId("machine-stack")).toHaveText(nickname);

  // A second page, opened now, will be stale after the update.
  const stale = await context.newPage();
  await stale.goto(stackUrl);
  if (hydrated()) await stale.waitForLoadState("networkidle");

  // Update the count: the plan first, then apply.
  await open(page, stackUrl.replace(/^https?:\/\/[^/]+/, ""));
  const update = page.locator("#update-stack");
  await editTemplate(page, update, (t) => {
    t.label = "two web machines";
    t.configurations[0].provision.instance_count = 2;
  });
  await update.getByRole("button", { name: "Plan the update" }).click();
  const row1 = update.getByTestId("plan").locator('tr[data-flag="Web01"]');
  await expect(row1.getByTestId("plan-action")).toHaveText("scale");
  await expect(row1.getByTestId("plan-count")).toHaveText("1 → 2");
  await expect(row1.getByTestId("plan-create")).toHaveText(`${nickname}-Web01-2`);
  await update.getByRole("button", { name: "Apply the update" }).click();
  // Begun (without JavaScript: the post has landed) before any reload.
  await expect(page.getByTestId("stack").getByTestId("stack-status")).toHaveText(/^UPDATE_/);
  await statusReaches(page, "UPDATE_COMPLETE");
  if (hydrated()) await page.reload();
  await expect(layer.locator("tbody tr")).toHaveCount(2);

  // The stale page planned against the version it showed: 409, said in the form.
  const staleForm = stale.locator("#update-stack");
  await staleForm.getByRole("button", { name: "Plan the update" }).click();
  await expect(staleForm.locator(".form-error")).toContainText("moved on");
  await stale.close();

  // Two versions; compared side by side, the newest against the one before.
  const versions = page.getByTestId("versions");
  await expect(versions.locator("tbody tr")).toHaveCount(2);
  await expect(versions.locator("tbody tr").first()).toContainText("latest");
  await page.getByTestId("compare-form").getByRole("button", { name: "Compare" }).click();
  await expect(page).toHaveURL(/source=[0-9a-f]+&target=[0-9a-f]+/);
  const sideBySide = page.getByTestId("side-by-side");
  await expect(sideBySide.locator("tr.changed", { hasText: '"instance_count": 2' })).toHaveCount(1);
  await expect(sideBySide.locator("tr.changed", { hasText: '"label": "two web machines"' })).toHaveCount(1);
  const diff = page.getByTestId("structured-diff");
  await expect(diff.locator('tr[data-change="edited"]', { hasText: "/configurations/0/provision/instance_count" })).toContainText("1");
  await expect(diff.locator('tr[data-change="edited"]', { hasText: "/label" })).toContainText("two web machines");
  await expect(page.getByTestId("comparison").getByTestId("plan-action")).toHaveText("scale");

  // Delete names how many machines go; then DELETE_COMPLETE and no more actions.
  const del = page.getByTestId("delete-stack");
  await del.locator("summary", { hasText: "Delete this stack" }).click();
  await expect(del).toContainText("destroys its 2 machines");
  await del.getByRole("button", { name: `Delete ${nickname} and destroy 2 machines` }).click();
  await expect(page.getByTestId("stack").getByTestId("stack-status")).toHaveText(/^DELETE_/);
  await statusReaches(page, "DELETE_COMPLETE");
  await expect(page.locator("#update-stack")).toHaveCount(0);
  await expect(page.getByTestId("delete-stack")).toHaveCount(0);

  // Gone from the list, but kept: listed when deleted stacks are asked for.
  await open(page, "/stacks");
  await expect(page.locator(`tr:has-text("${nickname}")`)).toHaveCount(0);
  await page.getByRole("link", { name: "Show deleted stacks too" }).click();
  await expect(page.getByTestId("stacks").locator("tr", { hasText: nickname })).toContainText("DELETE_COMPLETE");

  // Leave no backend behind for the later specs.
  await open(page, "/backends");
  const added = page.getByTestId("backends").locator("tr", { hasText: EC2 });
  await added.locator("summary", { hasText: "Delete" }).click();
  await added.getByRole("button", { name: /nothing is destroyed at the provider/ }).click();
  await expect(page.getByTestId("backends").locator("tr", { hasText: EC2 })).toHaveCount(0);
});
