import { expect, test } from "./fixtures";
import { needsPeer } from "./peers";
import { MASTER, addBackend, hydrated, importSshdKey, open, removeBackendsAndKey, signIn, needsSshd } from "./steps";

// A machine's page, in both modes: its name in the title and breadcrumb,
// sections reached by the nav's anchors, the state followed until the
// provider says running, its activity, the terminated view after Destroy
// offering only "Remove from list", and the not-found page. Runs on the
// same server as the other specs (the master exists) and leaves nothing
// behind. run.sh starts moto (EC2) and a throwaway sshd (its key).
const MOTO = process.env.OVERCAST_E2E_MOTO_URL ?? "";
const KEY = "machine-page-key";
const EC2 = "Machine page EC2";

test.describe.configure({ mode: "serial" });

needsSshd();
needsPeer(!MOTO, "the moto run.sh starts (OVERCAST_MOTO)", "source scripts/peers.sh && ensure_moto");

test("a machine's page: title, breadcrumb, sections, live state, activity, terminated view, not found", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await importSshdKey(page, KEY);
  await addBackend(page, EC2, async (form) => {
    await form.locator("select[name=provider]").selectOption("ec2_us_east");
    await form.getByLabel(/API key, access key|Access key id/).fill("AKIAEXAMPLE");
    await form.getByLabel(/API secret|Secret access key/).fill("secret");
    await form.getByLabel(/API URL/).fill(MOTO);
  });

  // A backend or machine that does not exist: the not-found page, 404,
  // nothing to run.
  const missing = await page.goto("/machines/no-such-backend/i-00000000");
  expect(missing?.status()).toBe(404);
  await expect(page.getByTestId("machine-not-found")).toBeVisible();
  await expect(page).toHaveTitle("Not found · Overcast");
  await expect(page.locator("#run-command")).toHaveCount(0);

  // Created from the backend's page: lands on the machine's page.
  const name = `page-${test.info().project.name}`;
  await open(page, "/backends");
  await page.getByTestId("backends").locator("tr", { hasText: EC2 }).getByRole("link", { name: "Create machine" }).click();
  const create = page.locator("#create-machine");
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Size").selectOption("t2.micro");
  await create.getByLabel("Image").selectOption({ index: 0 });
  await create.getByRole("button", { name: "Create machine" }).click();
  await expect(page.locator("h1")).toHaveText(name);
  await expect(page).toHaveTitle(`${name} · Overcast`);
  const crumbs = page.getByTestId("breadcrumb");
  await expect(crumbs).toContainText(`Machines › ${EC2} › ${name}`);
  await expect(crumbs.getByRole("link", { name: EC2 })).toHaveAttribute("href", /^\/machines\?backend=/);

  // An unknown machine of a backend that exists: not found too.
  const machinePath = new URL(page.url()).pathname;
  const unknown = machinePath.replace(/[^/]+$/, "i-00000000");
  expect((await page.goto(unknown))?.status()).toBe(404);
  await expect(page.getByTestId("machine-not-found")).toBeVisible();
  await open(page, machinePath);

  // moto reports it pending, then running: the page follows (hydrated) or
  // says so on a reload, never stuck on pending.
  const state = page.getByTestId("machine-state");
  if (hydrated()) {
    await expect(state).toHaveText("running", { timeout: 30_000 });
  } else {
    await expect
      .poll(async () => {
        await page.reload();
        return (await state.textContent()) ?? "";
      }, { timeout: 30_000, intervals: [1_000, 2_000] })
      .toBe("running");
  }

  // Every section is reached from the nav, with JavaScript or without.
  const sections = page.getByTestId("machine-sections");
  for (const [label, id] of [["Overview", "overview"], ["Console", "console"], ["Scripts", "scripts"], ["Activity", "activity"]]) {
    await sections.getByRole("link", { name: label, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`#${id}$`));
    await expect(page.locator(`#${id}`)).toBeInViewport();
  }
  await expect(page.locator("#run-command")).toBeVisible();
  // The terminal's controls are there; they show once terminal.js has run
  // (JavaScript), else stay hidden and the <noscript> says why.
  await expect(page.locator("[data-terminal-open]")).toHaveCount(1);
  if (hydrated()) {
    await expect(page.getByRole("button", { name: "Open terminal" })).toBeVisible();
  } else {
    await expect(page.getByRole("button", { name: "Open terminal" })).toBeHidden();
    expect(await page.content()).toContain("The terminal needs JavaScript.");
  }

  // The activity says who created it, newest first.
  const activity = page.getByTestId("machine-activity");
  await expect(activity.locator("tbody tr").first()).toContainText("create");
  await expect(activity).toContainText(MASTER.email);

  // Destroyed: a terminated view, nothing to run or act on but removal.
  const actions = page.getByTestId("machine-actions");
  await actions.locator("summary", { hasText: "Destroy" }).click();
  await actions.getByRole("button", { name: "Destroy this machine" }).click();
  const terminated = page.getByTestId("machine-terminated");
  await expect(terminated).toBeVisible({ timeout: 20_000 });
  await expect(state).toHaveText("terminated");
  await expect(page.getByTestId("machine-actions")).toHaveCount(0);
  await expect(page.locator("#run-command")).toHaveCount(0);
  await expect(page.locator("[data-terminal]")).toHaveCount(0);
  await expect(page.locator("[data-terminal-open]")).toHaveCount(0);
  await expect(sections.getByRole("link", { name: "Console" })).toHaveCount(0);
  await expect(page.getByTestId("machine-activity").locator("tbody tr").first()).toContainText("destroy");

  // Removed from the list: back on the Machines page.
  await terminated.getByRole("button", { name: "Remove from list" }).click();
  await expect(page).toHaveURL(/\/machines$/);

  await removeBackendsAndKey(page, [EC2], KEY);
});
