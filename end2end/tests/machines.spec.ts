import { expect, test } from "./fixtures";
import { needsPeer } from "./peers";
import { ROW_STATE, SSH, addBackend, hydrated, importSshdKey, open, removeBackendsAndKey, signIn, needsSshd } from "./steps";

// Runs after foundation.spec.ts and identity.spec.ts on the same server (the
// master exists) and leaves nothing behind for the later specs. run.sh
// starts a throwaway sshd (the bare-metal host) and moto (EC2).
const MOTO = process.env.OVERCAST_E2E_MOTO_URL ?? "";
const KEY = "inventory-key";
const HOST = "Inventory host";
const EC2 = "Inventory EC2";

test.describe.configure({ mode: "serial" });

needsSshd();
needsPeer(!MOTO, "the moto run.sh starts (OVERCAST_MOTO)", "source scripts/peers.sh && ensure_moto");

test("EC2 and bare metal in one list: a machine is created, changes state without a reload, and is destroyed", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await importSshdKey(page, KEY);

  await addBackend(page, HOST, async (form) => {
    await form.locator("select[name=provider]").selectOption("bare_metal");
    await form.getByLabel("Host address").fill("127.0.0.1");
    await form.getByLabel("Key that opens it").selectOption(KEY);
    await form.getByLabel("User to log in as").fill(SSH.user);
    await form.getByLabel("SSH port").fill(SSH.port);
  });
  await addBackend(page, EC2, async (form) => {
    await form.locator("select[name=provider]").selectOption("ec2_us_east");
    await form.getByLabel(/API key, access key|Access key id/).fill("AKIAEXAMPLE");
    await form.getByLabel(/API secret|Secret access key/).fill("secret");
    await form.getByLabel(/API URL/).fill(MOTO);
  });

  // The Machines page leads to the same Create machine page as the
  // backend's row (for every backend that creates machines).
  const createHref = await page
    .getByTestId("backends")
    .locator("tr", { hasText: EC2 })
    .getByRole("link", { name: "Create machine" })
    .getAttribute("href");
  await open(page, "/machines");
  const offered = await page
    .locator("a[data-testid=create-machine], [data-testid=create-machine] a")
    .evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  expect(offered).toContain(createHref);
  await open(page, "/backends");

  // Create on EC2 from moto's own sizes and images.
  const name = `e2e-${test.info().project.name}`;
  await page.getByTestId("backends").locator("tr", { hasText: EC2 }).getByRole("link", { name: "Create machine" }).click();
  const create = page.locator("#create-machine");
  // Refused by Overcast: beside the field (spaces pass the browser's own
  // `required` check).
  await create.getByLabel("Name").fill("   ");
  await create.getByLabel("Size").selectOption("t2.micro");
  await create.getByRole("button", { name: "Create machine" }).click();
  await expect(create.locator('.field-error[data-field="name"]')).toHaveText("is required");
  // Refused by the provider (an image EC2 does not have): at the top.
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Size").selectOption("t2.micro");
  await create.getByLabel("Image").evaluate((select: HTMLSelectElement) => {
    select.add(new Option("gone", "ami-00000000"));
    select.value = "ami-00000000";
  });
  await create.getByRole("button", { name: "Create machine" }).click();
  await expect(create.locator(".form-error")).toContainText("InvalidAMIID");
  await expect(page).toHaveURL(/\/create/);

  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Size").selectOption("t2.micro");
  await create.getByLabel("Image").selectOption({ index: 0 });
  await create.getByRole("button", { name: "Create machine" }).click();
  await expect(page.locator("h1")).toHaveText(name);

  // A tag the service refuses says why, beside the field.
  const tags = page.getByTestId("machine-tags");
  await tags.getByLabel("Tags").fill("x".repeat(129));
  await tags.getByRole("button", { name: "Save tags" }).click();
  await expect(page.getByTestId("machine-tags").locator('.field-error[data-field="tags"]')).toContainText(
    "a tag is at most 128 printable characters",
  );

  // Both backends in one list; the filters narrow it.
  await open(page, "/machines");
  const table = page.getByTestId("machines");
  await expect(table.locator("tr", { hasText: HOST })).toHaveCount(1);
  const row = table.locator("tr", { hasText: name });
  await expect(row).toContainText(EC2);
  const filters = page.getByTestId("machine-filters");
  await filters.getByLabel("Search").fill(name);
  await filters.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(new RegExp(`q=${name}`));
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(page.getByTestId("machine-count")).toHaveText("1–1 of 1");

  // moto reports the new instance pending, then running on the next poll.
  const state = row.locator(ROW_STATE);
  if (hydrated()) {
    await page.evaluate(() => ((window as any).__sameDocument = true));
    await expect(state).toHaveText("running", { timeout: 30_000 });
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  } else {
    await expect
      .poll(async () => {
        await page.reload();
        return (await state.textContent()) ?? "";
      }, { timeout: 30_000, intervals: [1_000, 2_000] })
      .toBe("running");
  }

  // Destroy asks first, then the row says so.
  await row.locator("summary", { hasText: "Destroy" }).click();
  await row.getByRole("button", { name: "Destroy this machine" }).click();
  await expect(table.locator("tr", { hasText: name }).locator(ROW_STATE)).toHaveText(
    /terminated|shutting-down/,
    { timeout: 20_000 },
  );

  // Leave nothing behind for the later specs.
  await removeBackendsAndKey(page, [EC2, HOST], KEY);
  await expect(page.getByTestId("no-keys")).toBeVisible();
});
