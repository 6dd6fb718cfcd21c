import { expect, test, type Page } from "./fixtures";

// Runs after the other specs on the same server: the master exists. The
// libvirt backend uses libvirt's built-in test hypervisor (test:///default),
// whose domain "test" is running.
const MASTER = { email: "owner@example.com", password: "correct horse battery staple" };
const BACKEND = "Test hypervisor";

const hydrated = () => test.info().project.name === "hydrated";

async function open(page: Page, path: string) {
  await page.goto(path);
  if (hydrated()) await page.waitForLoadState("networkidle");
}

test.describe.configure({ mode: "serial" });

/** Waits until the machine page says `state`. */
async function expectState(page: Page, state: string) {
  const shown = page.getByTestId("machine").getByTestId("machine-state");
  if (hydrated()) {
    await expect(shown).toHaveText(state, { timeout: 20_000 });
  } else {
    await expect
      .poll(async () => {
        await page.reload();
        return (await shown.textContent()) ?? "";
      }, { timeout: 20_000, intervals: [500, 1_000] })
      .toBe(state);
  }
}

test("a libvirt backend is added and its machine stopped, started and destroyed from its page", async ({ page }) => {
  await open(page, "/signin");
  await page.getByLabel("Email").fill(MASTER.email);
  await page.getByLabel("Password").fill(MASTER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(MASTER.email);

  await open(page, "/backends");
  const form = page.locator("#add-backend");
  await form.getByLabel("Title").fill(BACKEND);
  await form.locator("select[name=provider]").selectOption("libvirt");
  await form.getByLabel(/API URL|libvirt URI/).fill("test:///default");
  await form.getByRole("button", { name: "Add backend" }).click();
  const row = page.getByTestId("backends").locator("tr", { hasText: BACKEND });
  await expect(row).toContainText("online");

  // Create a machine from the provider's own sizes, images and locations.
  await row.getByRole("link", { name: "Create machine" }).click();
  const create = page.locator("#create-machine");
  await create.getByLabel("Name").fill("vm-e2e");
  await create.getByLabel("Size").selectOption("1cpu-512mb");
  await create.getByLabel("Image").selectOption("none");
  await create.getByRole("button", { name: "Create machine" }).click();
  await expect(page).toHaveURL(/\/machines\/[^/]+\/[^/?]+$/);
  await expect(page.locator("h1")).toHaveText("vm-e2e");
  await expect(page.getByTestId("machine")).toContainText(/running|pending|starting/);

  await open(page, "/machines");
  const link = page
    .getByTestId("machines")
    .locator("tr", { hasText: BACKEND })
    .getByRole("link", { name: "test", exact: true });
  await link.click();
  await expect(page.getByTestId("machine")).toContainText("running");
  if (hydrated()) await page.waitForLoadState("networkidle");

  const actions = page.getByTestId("machine-actions");
  await actions.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByTestId("machine")).toContainText(/stopping|stopped/);
  // Start is offered once the machine is stopped, not while it stops: the
  // hydrated page follows the state by itself, a plain one on reload.
  await expectState(page, "stopped");
  await page.getByTestId("machine-actions").getByRole("button", { name: "Start" }).click();
  await expect(page.getByTestId("machine")).toContainText(/starting|running/);
  await expectState(page, "running");

  await open(page, page.url());
  await page.getByTestId("machine-actions").locator("summary", { hasText: "Destroy" }).click();
  await page.getByRole("button", { name: "Destroy this machine" }).click();
  await expect(page.locator("body")).toContainText(/terminated|not found/);

  // Forget the backend again, so later specs start without it.
  await open(page, "/backends");
  const added = page.getByTestId("backends").locator("tr", { hasText: BACKEND });
  await added.locator("summary", { hasText: "Delete" }).click();
  await added.getByRole("button", { name: /nothing is destroyed at the provider/ }).click();
  await expect(page.getByTestId("backends").locator("tr", { hasText: BACKEND })).toHaveCount(0);
});
