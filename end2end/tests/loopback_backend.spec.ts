import { expect, test } from "./fixtures";
import { MASTER, SSH, hydrated, importSshdKey, needsSshd, open, removeBackendsAndKey, signIn } from "./steps";

// The Backends page's add form and a bare-metal backend on it (the
// throwaway sshd on loopback): the provider chosen before the page comes
// alive keeps its fields, each provider shows its own fields, the backend
// is added with the sshd's key, then renamed, disabled, enabled and
// forgotten. Runs after foundation.spec.ts on the same server (the master
// exists, and no backend yet) and leaves nothing behind. Named to sort after
// it: Playwright runs the files in name order, so a "backends_..." would run
// before the master exists.
const KEY = "loopback-key";
const BACKEND = "Loopback sshd";

test.describe.configure({ mode: "serial" });

// Hydration mismatches and panics show as console errors: the fixture
// (./fixtures) fails any test that causes one.

needsSshd();

test("a provider chosen before the page comes alive keeps its own fields", async ({ page }) => {
  await signIn(page, MASTER);
  // The page's code is held back until the provider is chosen, as on a
  // slow connection.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/backends");
  const form = page.locator("#add-backend");
  await form.locator("select[name=provider]").selectOption("openstack");
  release();
  await page.waitForLoadState("networkidle");
  await expect(form.locator("select[name=provider]")).toHaveValue("openstack");
  if (hydrated()) {
    await expect(form.getByLabel("Keystone URL (https://host:5000/v3)")).toBeVisible();
    await expect(page.getByTestId("bare-metal-fields")).toBeHidden();
  } else {
    // Without JavaScript every field shows, each group saying whose it is.
    await expect(page.getByTestId("bare-metal-fields")).toBeVisible();
    await expect(page.getByTestId("cloud-fields")).toBeVisible();
  }
});

test("a bare-metal backend is added on the Backends page", async ({ page }) => {
  await signIn(page, MASTER);
  // The key that opens it (the throwaway sshd's).
  await importSshdKey(page, KEY);
  await open(page, "/backends");
  const form = page.locator("#add-backend");
  if (hydrated()) {
    // Only the chosen provider's fields show.
    await form.locator("select[name=provider]").selectOption("ec2_eu_west");
    await expect(page.getByTestId("bare-metal-fields")).toBeHidden();
    await expect(page.getByTestId("cloud-fields")).toBeVisible();
    // Each field named as the provider names it; those it does not take hidden.
    await expect(form.getByLabel("Access key id")).toBeVisible();
    await expect(form.getByLabel("Secret access key")).toBeVisible();
    await expect(form.locator("input[name=tenant_name]")).toBeHidden();
    await form.locator("select[name=provider]").selectOption("openstack");
    await expect(form.getByLabel("Keystone URL (https://host:5000/v3)")).toBeVisible();
    await expect(form.getByLabel("Tenant (project) (optional)")).toBeVisible();
    await form.locator("select[name=provider]").selectOption("digitalocean");
    await expect(form.getByLabel("API token")).toBeVisible();
    await expect(form.locator("input[name=apikey]")).toBeHidden();
    await expect(form.locator("input[name=region]")).toBeHidden();
    await form.locator("select[name=provider]").selectOption("bare_metal");
    await expect(page.getByTestId("cloud-fields")).toBeHidden();
  } else {
    await expect(page.getByTestId("bare-metal-fields")).toBeVisible();
    await expect(page.getByTestId("cloud-fields")).toBeVisible();
  }
  await form.getByLabel("Title").fill(BACKEND);
  await form.locator("select[name=provider]").selectOption("bare_metal");
  await form.getByLabel("Host address").fill("127.0.0.1");
  await form.getByLabel("Key that opens it").selectOption(KEY);
  await form.getByLabel("User to log in as").fill(SSH.user);
  await form.getByLabel("SSH port").fill(SSH.port);
  await form.getByRole("button", { name: "Add backend" }).click();
  const row = page.getByTestId("backends").locator("tr", { hasText: BACKEND });
  await expect(row).toContainText("Bare Metal Server");
  await expect(row).toContainText("online");

  // The key now opens the machine.
  await open(page, "/keys");
  await expect(page.getByTestId("keys").locator(`tr[data-key="${KEY}"]`)).toContainText(
    // Proven by the login that added the machine.
    new RegExp(`${BACKEND}/\\S+: opens as ${SSH.user}`),
  );
});

test("the backend is renamed, disabled, enabled and forgotten", async ({ page }) => {
  await signIn(page, MASTER);
  await open(page, "/backends");
  const backends = page.getByTestId("backends");
  const row = backends.locator("tr", { hasText: BACKEND });
  await row.locator("summary", { hasText: "Rename" }).click();
  await row.getByLabel(`New title for ${BACKEND}`).fill("Loopback renamed");
  await row.getByRole("button", { name: "Rename" }).click();
  const renamed = backends.locator("tr", { hasText: "Loopback renamed" });
  await expect(renamed).toBeVisible();

  // Disabling asks first.
  await renamed.locator("summary", { hasText: "Disable" }).click();
  await renamed.getByRole("button", { name: "Disable Loopback renamed" }).click();
  await expect(renamed.getByRole("button", { name: "Enable" })).toBeVisible();
  await renamed.getByRole("button", { name: "Enable" }).click();
  await expect(renamed.locator("summary", { hasText: "Disable" })).toBeVisible();

  // Deleting asks first, and says what it does not do.
  await renamed.locator("summary", { hasText: "Delete" }).click();
  await renamed.getByRole("button", { name: /nothing is destroyed at the provider/ }).click();
  await expect(page.getByTestId("no-backends")).toBeVisible();
  await open(page, "/machines");
  await expect(page.getByTestId("no-machines")).toContainText("Backends");

  // Leave nothing behind: the key too.
  await removeBackendsAndKey(page, [], KEY);
});
