import { readFileSync } from "node:fs";
import { expect, test, type Page } from "./fixtures";
import { needsPeer } from "./peers";

// Runs after foundation.spec.ts and identity.spec.ts on the same server (the
// master exists) and leaves nothing behind for the later specs. run.sh
// starts a throwaway sshd (the bare-metal host) and moto (EC2).
const MASTER = { email: "owner@example.com", password: "correct horse battery staple" };
const SSH = {
  port: process.env.OVERCAST_E2E_SSH_PORT ?? "",
  keyFile: process.env.OVERCAST_E2E_SSH_KEY_FILE ?? "",
  user: process.env.OVERCAST_E2E_SSH_USER ?? "",
};
const MOTO = process.env.OVERCAST_E2E_MOTO_URL ?? "";
const KEY = "inventory-key";
const HOST = "Inventory host";
const EC2 = "Inventory EC2";

const hydrated = () => test.info().project.name === "hydrated";

async function open(page: Page, path: string) {
  await page.goto(path);
  if (hydrated()) await page.waitForLoadState("networkidle");
}

async function addBackend(page: Page, fill: (form: ReturnType<Page["locator"]>) => Promise<void>, title: string) {
  await open(page, "/backends");
  const form = page.locator("#add-backend");
  await form.getByLabel("Title").fill(title);
  await fill(form);
  await form.getByRole("button", { name: "Add backend" }).click();
  await expect(page.getByTestId("backends").locator("tr", { hasText: title })).toContainText("online");
}

test.describe.configure({ mode: "serial" });

needsPeer(
  !SSH.port || !SSH.keyFile || !SSH.user,
  "the throwaway sshd run.sh starts (/usr/sbin/sshd)",
  "apt-get install openssh-server (scripts/test.sh installs it)",
);
needsPeer(!MOTO, "the moto run.sh starts (OVERCAST_MOTO)", "source scripts/peers.sh && ensure_moto");

test("EC2 and bare metal in one list: a machine is created, changes state without a reload, and is destroyed", async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, "/signin");
  await page.getByLabel("Email").fill(MASTER.email);
  await page.getByLabel("Password").fill(MASTER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(MASTER.email);

  await open(page, "/keys");
  const importForm = page.locator("#import-key");
  await importForm.getByLabel("Name").fill(KEY);
  await importForm.getByLabel("Private key").fill(readFileSync(SSH.keyFile, "utf8"));
  await importForm.getByRole("button", { name: "Import key" }).click();
  await expect(page.getByTestId("keys").locator(`tr[data-key="${KEY}"]`)).toBeVisible();

  await addBackend(page, async (form) => {
    await form.locator("select[name=provider]").selectOption("bare_metal");
    await form.getByLabel("Host address").fill("127.0.0.1");
    await form.getByLabel("Key that opens it").selectOption(KEY);
    await form.getByLabel("User to log in as").fill(SSH.user);
    await form.getByLabel("SSH port").fill(SSH.port);
  }, HOST);
  await addBackend(page, async (form) => {
    await form.locator("select[name=provider]").selectOption("ec2_us_east");
    await form.getByLabel(/API key/).fill("AKIAEXAMPLE");
    await form.getByLabel(/API secret/).fill("secret");
    await form.getByLabel(/API URL/).fill(MOTO);
  }, EC2);

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
  await expect(page.getByTestId("machine-count")).toContainText(/^1 of \d+ machines$/);

  // moto reports the new instance pending, then running on the next poll.
  const state = row.getByTestId("machine-state");
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
  await expect(table.locator("tr", { hasText: name }).getByTestId("machine-state")).toHaveText(
    /terminated|shutting-down/,
    { timeout: 20_000 },
  );

  // Leave nothing behind for the later specs.
  for (const title of [EC2, HOST]) {
    await open(page, "/backends");
    const added = page.getByTestId("backends").locator("tr", { hasText: title });
    await added.locator("summary", { hasText: "Delete" }).click();
    await added.getByRole("button", { name: /nothing is destroyed at the provider/ }).click();
    await expect(page.getByTestId("backends").locator("tr", { hasText: title })).toHaveCount(0);
  }
  await open(page, "/keys");
  const key = page.getByTestId("keys").locator(`tr[data-key="${KEY}"]`);
  await key.locator("summary", { hasText: "Delete" }).click();
  await key.getByRole("button", { name: new RegExp(`Delete ${KEY} for good`) }).click();
  await expect(page.getByTestId("no-keys")).toBeVisible();
});
