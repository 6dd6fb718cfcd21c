import { expect, test } from "./fixtures";
import { ROW_STATE, SSH, addBackend, hydrated, importSshdKey, needsSshd, open, removeBackendsAndKey, signIn } from "./steps";

// The Machines page kept open as an operator keeps it: past its own
// refreshes, then searched, sorted and acted on, with no console error at
// any point (the fixture fails the test on one). Runs after machines.spec.ts
// on the same server and leaves nothing behind.
const KEY = "live-key";
const HOST = "Live host";

test.describe.configure({ mode: "serial" });

needsSshd();

test("the machines page survives its refreshes, then filters, sorts and acts", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await importSshdKey(page, KEY);
  // A host whose "reboot" is harmless, polled every second.
  await addBackend(page, HOST, async (add) => {
    await add.locator("select[name=provider]").selectOption("bare_metal");
    await add.getByLabel("Host address").fill("127.0.0.1");
    await add.getByLabel("Key that opens it").selectOption(KEY);
    await add.getByLabel("User to log in as").fill(SSH.user);
    await add.getByLabel("SSH port").fill(SSH.port);
    await add.getByLabel(/Reboot command/).fill("true");
    await add.getByLabel(/Poll every/).fill("1000");
  });

  await open(page, "/machines");
  const table = page.getByTestId("machines");
  const row = table.locator("tr", { hasText: HOST });
  await expect(row).toHaveCount(1);
  // Past a few of the host's polls (each may read the page again) first.
  if (hydrated()) await page.waitForTimeout(11_000);

  const filters = page.getByTestId("machine-filters");
  await filters.getByLabel("Search").fill("no machine is called this");
  await filters.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/q=no(\+|%20)machine/);
  await expect(table.locator("tbody tr")).toHaveCount(0);
  await expect(page.getByTestId("no-match")).toBeVisible();

  await filters.getByLabel("Search").fill("127.0.0.1");
  await filters.getByLabel("Sort by").selectOption("state");
  await filters.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/q=127\.0\.0\.1/);
  await expect(page).toHaveURL(/sort=state/);
  await expect(row).toHaveCount(1);
  await expect(page.getByTestId("machine-count")).toHaveText("1–1 of 1");
  if (hydrated()) await page.waitForTimeout(6_000); // one more refresh, filtered

  // Act: the reboot runs, the row says so, and the host is back.
  await row.getByRole("button", { name: "Reboot" }).click();
  const state = row.locator(ROW_STATE);
  if (SSH.user === "root") {
    if (hydrated()) {
      await expect(state).toHaveText("rebooting", { timeout: 10_000 });
      await expect(state).toHaveText("running", { timeout: 30_000 });
    } else {
      await expect(page).toHaveURL(/q=127\.0\.0\.1/);
      await expect
        .poll(async () => {
          await page.reload();
          return (await state.textContent()) ?? "";
        }, { timeout: 30_000, intervals: [1_000, 2_000] })
        .toBe("running");
    }
  } else {
    // Beside the row, hydrated or after a plain form's post (which keeps
    // which machine it was), and not above the table.
    await expect(row.getByTestId("row-status")).toContainText("needs root or passwordless sudo");
    await expect(page.locator(".fleet .form-error")).toHaveCount(0);
  }

  // Leave nothing behind.
  await removeBackendsAndKey(page, [HOST], KEY);
});
