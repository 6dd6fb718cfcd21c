import { createServer, type AddressInfo } from "node:net";
import { expect, test, type Page } from "./fixtures";
import { needsPeer } from "./peers";
import { hydrated, open, removeBackendsAndKey, signIn } from "./steps";

// The add-backend form (the catalogue grouped by provider, only the chosen
// provider's fields) and the create wizard on moto's EC2 (sizes with their
// figures, images searched as one types, first choices, a count, the
// summary, a refusal that keeps what was entered), with JavaScript and
// without. Runs after foundation.spec.ts (the master exists: Playwright
// takes the files in alphabetical order, hence this file's name) and
// leaves no backend behind.
const MOTO = process.env.OVERCAST_E2E_MOTO_URL ?? "";
const EC2 = "Wizard EC2";

test.describe.configure({ mode: "serial" });

needsPeer(!MOTO, "the moto run.sh starts (OVERCAST_MOTO)", "source scripts/peers.sh && ensure_moto");

/** The page at a desktop's and a phone's width fits without sideways
 * scrolling; a screenshot of each when OVERCAST_E2E_SCREENSHOTS names a folder. */
async function shoot(page: Page, name: string) {
  const project = test.info().project.name;
  const folder = process.env.OVERCAST_E2E_SCREENSHOTS;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    if (folder) {
      await page.screenshot({ path: `${folder}/wizard-${name}-${project}-${width}.png`, fullPage: true });
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The text of a select's chosen option. */
async function chosen(page: Page, name: string) {
  return (await page.locator(`#create-machine select[name=${name}] option:checked`).textContent()) ?? "";
}

test("the add form groups the catalogue by provider and asks only for the chosen provider's fields", async ({ page }) => {
  await signIn(page);
  await open(page, "/backends");
  const form = page.locator("#add-backend");
  const select = form.locator("select[name=provider]");
  expect(await select.locator("optgroup").count()).toBeGreaterThan(5);
  await expect(select.locator('optgroup[label^="Amazon EC2"] option')).toHaveCount(17);
  await expect(select.locator('optgroup[label^="Amazon EC2"] option[value="ec2_us_east"]')).toHaveCount(1);

  if (hydrated()) {
    // Switching the provider switches the fields at once.
    await select.selectOption("libvirt");
    await expect(form.getByLabel("libvirt URI")).toBeVisible();
    await expect(form.getByText("Access key id")).toBeHidden();
    await expect(form.getByTestId("bare-metal-fields")).toBeHidden();
    await select.selectOption("ec2_us_east");
    await expect(form.getByLabel("Access key id")).toBeVisible();
    await expect(form.getByLabel("Secret access key")).toBeVisible();
    await expect(form.getByText("libvirt URI")).toBeHidden();
    await expect(form.getByText("Tenant")).toBeHidden();
    await select.selectOption("bare_metal");
    await expect(form.getByLabel("Host address")).toBeVisible();
    await expect(form.getByTestId("cloud-fields")).toBeHidden();
    await form.getByText("Or import a key for it now").click();
    await expect(form.getByLabel("Key name")).toBeVisible();
    await shoot(page, "add-backend");
    await form.getByLabel("Title").fill(EC2);
    await select.selectOption("ec2_us_east");
  } else {
    // Without JavaScript: the provider first, then the page comes back
    // with its fields only, the title kept.
    await form.getByLabel("Title").fill(EC2);
    await select.selectOption("ec2_us_east");
    await form.getByRole("button", { name: "Show its fields" }).click();
    await expect(page).toHaveURL(/provider=ec2_us_east/);
    await expect(form.getByLabel("Title")).toHaveValue(EC2);
    await expect(form.locator("select[name=provider]")).toHaveValue("ec2_us_east");
    await expect(form.getByLabel("Access key id")).toBeVisible();
    await expect(form.getByTestId("bare-metal-fields")).toBeHidden();
    await expect(form.getByText("libvirt URI")).toBeHidden();
    await shoot(page, "add-backend");
  }
  await form.getByLabel("Access key id").fill("AKIAEXAMPLE");
  await form.getByLabel("Secret access key").fill("secret");
  await form.getByLabel(/API URL/).fill(MOTO);
  await form.getByRole("button", { name: "Add backend" }).click();
  await expect(page.getByTestId("backends").locator("tr", { hasText: EC2 })).toContainText("online");
  // The secret leaves the form with the answer.
  await expect(page.locator("#add-backend input[name=apisecret]")).toHaveValue("");
  await shoot(page, "backends");
});

test("while a provider is slow the add form counts the seconds, and Cancel stops waiting", async ({ page }) => {
  if (!hydrated()) {
    // The seconds and Cancel need JavaScript: a plain form offers neither
    // (its post waits for the answer), so no button is shown that cannot work.
    await signIn(page);
    await open(page, "/backends");
    const form = page.locator("#add-backend");
    await expect(form.getByRole("button", { name: "Add backend" })).toBeVisible();
    await expect(form.getByRole("button", { name: "Cancel" })).toHaveCount(0);
    await expect(form.getByTestId("add-waiting")).toBeHidden();
    return;
  }
  // A provider that takes the connection and never answers.
  const silent = createServer(() => {});
  await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
  const port = (silent.address() as AddressInfo).port;
  try {
    await signIn(page);
    await open(page, "/backends");
    const form = page.locator("#add-backend");
    await form.locator("select[name=provider]").selectOption("ec2_us_east");
    await form.getByLabel("Title").fill("Silent EC2");
    await form.getByLabel("Access key id").fill("AKIAEXAMPLE");
    await form.getByLabel("Secret access key").fill("secret");
    await form.getByLabel(/API URL/).fill(`http://127.0.0.1:${port}`);
    await form.getByRole("button", { name: "Add backend" }).click();
    await expect(form.getByTestId("add-waiting")).toHaveText(/Checking credentials… [1-9]\d* s/, { timeout: 5_000 });
    await form.getByRole("button", { name: "Cancel" }).click();
    await expect(form.getByTestId("add-abandoned")).toBeVisible();
    await expect(form.getByRole("button", { name: "Add backend" })).toBeEnabled();
    await expect(form.getByTestId("add-waiting")).toBeHidden();
  } finally {
    silent.close();
  }
});

test("the create wizard: first choices, image search keeping the name, a summary, a refusal keeping the fields, two machines at once", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await open(page, "/backends");
  await page.getByTestId("backends").locator("tr", { hasText: EC2 }).getByRole("link", { name: "Create machine" }).click();
  await expect(page).toHaveURL(/\/create/);
  if (hydrated()) await page.waitForLoadState("networkidle");
  const form = page.locator("#create-machine");
  const summary = page.getByTestId("summary");
  // The provider is asked for sizes, images and locations first.
  await expect(form.getByRole("button", { name: /Create machine/ })).toBeVisible({ timeout: 30_000 });
  if (hydrated()) await page.waitForLoadState("networkidle");

  // First choices: the smallest general-purpose size (not merely the first
  // listed), the newest Ubuntu or Debian image, the first location.
  const sizes = await form.locator("select[name=size] option").allTextContents();
  expect(sizes.length).toBeGreaterThan(3);
  const size = await chosen(page, "size");
  expect(size).toMatch(/vCPU/);
  const vcpus = (text: string) => Number(/(\d+) vCPU/.exec(text)?.[1] ?? "999");
  expect(vcpus(size)).toBe(Math.min(...sizes.map(vcpus)));
  const images = await form.locator("select[name=image] option").allTextContents();
  if (images.some((i) => /ubuntu|debian/i.test(i))) expect(await chosen(page, "image")).toMatch(/ubuntu|debian/i);
  const firstLocation = await form.locator("select[name=location] option").first().textContent();
  expect(await chosen(page, "location")).toBe(firstLocation);
  await expect(summary.getByTestId("summary-size")).toContainText(size.split(" · ")[0]);

  // A name, then an image search: the name stays.
  const name = `wiz-${test.info().project.name}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("How many").fill("2");
  const search = form.getByLabel("Search", { exact: true });
  if (hydrated()) {
    // Filtered as one types, without a request.
    await search.pressSequentially("ubuntu");
    const shown = await form.locator("select[name=image] option").allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    for (const option of shown) expect(option.toLowerCase()).toContain("ubuntu");
    await expect(summary.getByTestId("summary-image")).toContainText(/ubuntu/i);
    await expect(summary.getByTestId("summary-machines")).toContainText(`2: ${name}, ${name}-2`);
    // Then the provider is asked; the page stays and keeps what was entered.
    await page.evaluate(() => ((window as any).__samePage = true));
    await form.getByRole("button", { name: "Search the provider" }).click();
    await expect(form.getByRole("button", { name: "Search the provider" })).toBeEnabled();
    expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
  } else {
    await search.fill("ubuntu");
    await form.getByRole("button", { name: "Search the provider" }).click();
    await expect(page).toHaveURL(/search=ubuntu/);
    // The summary shows the choices in the address; Review brings it up
    // to date (here it already is: the search came back with them).
    await expect(summary.getByTestId("summary-machines")).toContainText(`2: ${name}, ${name}-2`);
  }
  await expect(form.getByLabel("Name")).toHaveValue(name);
  await expect(form.getByLabel("How many")).toHaveValue("2");
  const found = await form.locator("select[name=image] option").allTextContents();
  expect(found.length).toBeGreaterThan(0);
  await expect(summary).toContainText(EC2);

  // A second size, then a refusal (a name of spaces): everything stays.
  const second = await form.locator("select[name=size] option").nth(1).getAttribute("value");
  await form.getByLabel("Size").selectOption(second!);
  if (!hydrated()) {
    await form.getByRole("button", { name: "Review" }).click();
    await expect(page).toHaveURL(new RegExp(`size=${second!.replace(".", "\\.")}`));
  }
  await expect(summary.getByTestId("summary-size")).toContainText(second!);
  await shoot(page, "create");
  await form.getByLabel("Name").fill("   ");
  await form.getByRole("button", { name: "Create machines (2)" }).click();
  await expect(form.locator('.field-error[data-field="name"]')).toHaveText("is required");
  await expect(form.getByLabel("Size")).toHaveValue(second!);
  await expect(form.getByLabel("How many")).toHaveValue("2");
  await expect(form.getByLabel("Search", { exact: true })).toHaveValue("ubuntu");

  // Two machines at once: web, web-2.
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create machines (2)" }).click();
  await expect(page).toHaveURL(/\/machines\?q=/);
  await expect(page.locator("main")).toContainText(`${name}-2`, { timeout: 20_000 });
  await expect(page.locator("main")).toContainText(name);

  // Forget the backend (and its machines) for the later specs.
  await removeBackendsAndKey(page, [EC2]);
});
