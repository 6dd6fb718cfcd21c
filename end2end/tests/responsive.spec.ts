import { mkdirSync } from "node:fs";
import { expect, test, type Page } from "./fixtures";
import { addBackend, hydrated, importSshdKey, MASTER, open, removeBackendsAndKey, signIn, SSH, needsSshd } from "./steps";

// A phone's screen (390 × 844) in both projects: every page fits without
// scrolling sideways, the navigation folds into a menu that works with and
// without JavaScript, tables become stacked rows, and the terminal fits its
// box and follows the window. And a plain form that fails (no JavaScript)
// comes back with what was typed into its non-secret fields.
// Runs after foundation.spec.ts (the master exists); removes what it adds.
// OVERCAST_E2E_SCREENSHOTS=<folder> keeps a screenshot of every page.

const PHONE = { width: 390, height: 844 };
const HYPERVISOR = "Phone hypervisor";
const SSHD = "Phone sshd";
const KEY = "phone-sshd";

test.describe.configure({ mode: "serial" });

/** Asserts that nothing on the page is wider than the window. */
async function fits(page: Page, what: string) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll, `${what} is ${scroll} px wide in a ${inner} px window`).toBeLessThanOrEqual(inner);
}

/** A screenshot of the whole page, when OVERCAST_E2E_SCREENSHOTS names a folder. */
async function shoot(page: Page, name: string) {
  const folder = process.env.OVERCAST_E2E_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: `${folder}/${name}-${test.info().project.name}.png`, fullPage: true });
}

const sections = (page: Page) => page.getByRole("navigation", { name: "Sections", exact: true });
const menuButton = (page: Page) => page.locator("label.menu-button");

test("the signed-out pages fit a phone", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await open(page, "/signin");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await fits(page, "/signin");
  await shoot(page, "signin");
});

test("on a phone the sections fold into a menu that opens by pointer and by keyboard", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page);
  await open(page, "/keys");
  // Folded: the menu button shows, the sections and the account do not.
  await expect(menuButton(page)).toBeVisible();
  await expect(sections(page)).toBeHidden();
  await expect(page.getByTestId("whoami")).toBeHidden();
  await shoot(page, "menu-closed");

  await menuButton(page).click();
  await expect(sections(page)).toBeVisible();
  await expect(page.getByTestId("whoami")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await fits(page, "the open menu");
  await shoot(page, "menu-open");
  await sections(page).getByRole("link", { name: "Stacks" }).click();
  await expect(page).toHaveURL(/\/stacks$/);
  await expect(page.getByRole("heading", { level: 1, name: "Stacks" })).toBeVisible();
  // A followed link folds the menu again (a new page, or the app folding it).
  await expect(sections(page)).toBeHidden();

  // By keyboard: the skip link, the brand, then the menu's toggle.
  await open(page, "/keys");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const toggle = page.getByRole("checkbox", { name: "Menu" });
  await expect(toggle).toBeFocused();
  // Its focus shows on the button it stands behind.
  const outline = await menuButton(page).evaluate((label) => getComputedStyle(label).outlineStyle);
  expect(outline).toBe("solid");
  await page.keyboard.press("Space");
  await expect(sections(page)).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(sections(page).getByRole("link", { name: "Backends" })).toBeFocused();
  if (hydrated()) {
    // Escape folds it and gives the focus back to the toggle.
    await page.keyboard.press("Escape");
    await expect(sections(page)).toBeHidden();
    await expect(toggle).toBeFocused();
    await page.keyboard.press("Space");
    await expect(sections(page)).toBeVisible();
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Tab");
  await expect(sections(page).getByRole("link", { name: "Machines" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/machines$/);
  await expect(sections(page)).toBeHidden();

  // Wide, the bar shows everything and no menu button.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(menuButton(page)).toBeHidden();
  await expect(sections(page)).toBeVisible();
  await expect(page.getByTestId("whoami")).toBeVisible();
});

test("every page fits a phone's 390 px screen", async ({ page }) => {
  await signIn(page);
  // A backend with a machine, for a machine's page and the create form.
  await addBackend(page, HYPERVISOR, async (form) => {
    await form.locator("select[name=provider]").selectOption("libvirt");
    await form.getByLabel(/API URL|libvirt URI/).fill("test:///default");
  });
  await open(page, "/machines");
  const machine = page.locator('main a[href^="/machines/"]').first();
  await expect(machine).toBeVisible();
  const machinePath = (await machine.getAttribute("href")) ?? "";
  const backend = machinePath.split("/")[2];

  await page.setViewportSize(PHONE);
  const pages: [string, string][] = [
    ["/", "home"],
    ["/machines", "machines"],
    [machinePath, "machine"],
    ["/keys", "keys"],
    ["/backends", "backends"],
    [`/backends/${backend}/create`, "create-machine"],
    ["/stacks", "stacks"],
    ["/stacks/new", "new-stack"],
    ["/account", "account"],
    ["/admin/users", "admin-users"],
    ["/admin/roles", "admin-roles"],
    ["/admin/oauth", "admin-oauth"],
    ["/admin/two-factor", "admin-two-factor"],
    ["/admin/audit", "admin-audit"],
    ["/no/such/page", "not-found"],
  ];
  for (const [path, name] of pages) {
    await open(page, path);
    await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
    await fits(page, path);
    await shoot(page, name);
  }
});

test("on a phone a table's rows become stacked cards, each cell labelled", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page);
  await open(page, "/admin/users");
  const table = page.getByTestId("users");
  await expect(table.locator("thead")).toBeHidden();
  const row = table.locator("tbody tr").first();
  const email = row.locator('td[data-label="Email"]');
  await expect(email).toContainText(MASTER.email);
  const [rowBox, cellBox] = [await row.boundingBox(), await email.boundingBox()];
  // The row is nearly the page's width, and the cell nearly the row's.
  expect(rowBox!.width).toBeGreaterThan(PHONE.width * 0.8);
  expect(cellBox!.width).toBeGreaterThan(rowBox!.width * 0.9);
  // Each cell on its own line, named by its column.
  const status = await row.locator('td[data-label="Status"]').boundingBox();
  expect(status!.y).toBeGreaterThanOrEqual(cellBox!.y + cellBox!.height - 1);
  const label = await email.evaluate((td) => getComputedStyle(td, "::before").content);
  expect(label).toContain("Email");
  await fits(page, "/admin/users");
});

test("a failed import keeps the key's name, never the private key", async ({ page }) => {
  await signIn(page);
  await open(page, "/keys");
  const form = page.locator("#import-key");
  await form.getByLabel("Name").fill("phone-kept");
  await form.getByLabel("Private key").fill("not a private key at all");
  await form.locator("input[name=passphrase]").fill("a passphrase");
  await form.getByRole("button", { name: "Import key" }).click();
  await expect(form.locator('.field-error[data-field="priv"]')).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveValue("phone-kept");
  if (hydrated()) {
    // The page never left: every field still holds what was typed.
    await expect(form.getByLabel("Private key")).toHaveValue("not a private key at all");
    await expect(form.locator("input[name=passphrase]")).toHaveValue("a passphrase");
  } else {
    // A new page: the name came back in the address, the secrets did not.
    expect(page.url()).toContain("__kept.id=phone-kept");
    expect(page.url()).not.toContain("private");
    expect(page.url()).not.toContain("passphrase");
    await expect(form.getByLabel("Private key")).toHaveValue("");
    await expect(form.locator("input[name=passphrase]")).toHaveValue("");
    // The other form on the page is not filled in by this one's failure.
    await expect(page.locator("#generate-key").getByLabel("Name")).toHaveValue("");
  }
  // Corrected, it goes through; the address carries nothing kept any more.
  await form.getByLabel("Name").fill("phone-kept");
  await form.getByLabel("Private key").fill("still not a key");
  await form.getByRole("button", { name: "Import key" }).click();
  await expect(form.locator('.field-error[data-field="priv"]')).toBeVisible();
  expect(page.url().match(/__kept\.id=/g)?.length ?? 0).toBeLessThanOrEqual(1);
  await expect(page.getByTestId("keys").locator('tr[data-key="phone-kept"]')).toHaveCount(0);
});

test("a refused new user keeps the username and email, never the password", async ({ page }) => {
  await signIn(page);
  await open(page, "/admin/users");
  const form = page.locator("#new-user");
  await form.getByLabel("Username").fill("phone-user");
  await form.getByLabel("Email").fill("phone-user@example.com");
  await form.locator("input[name=password]").fill("short");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.locator('.field-error[data-field="password"]')).toBeVisible();
  await expect(form.getByLabel("Username")).toHaveValue("phone-user");
  await expect(form.getByLabel("Email")).toHaveValue("phone-user@example.com");
  if (hydrated()) {
    await expect(form.locator("input[name=password]")).toHaveValue("short");
  } else {
    await expect(form.locator("input[name=password]")).toHaveValue("");
    expect(page.url()).not.toContain("short");
  }
  await expect(page.getByTestId("users")).not.toContainText("phone-user@example.com");
});

test("a refused token keeps its name, lifetime and scope", async ({ page }) => {
  await signIn(page);
  await open(page, "/account");
  const form = page.locator("#new-token");
  await form.getByLabel("Name").fill("phone-token");
  await form.locator("input[name=ttl_days]").fill("7");
  await form.locator("textarea[name=scope]").fill("{ not a scope");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.locator('.field-error[data-field="scope"]')).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveValue("phone-token");
  await expect(form.locator("input[name=ttl_days]")).toHaveValue("7");
  await expect(form.locator("textarea[name=scope]")).toHaveValue("{ not a scope");
  await expect(page.getByTestId("new-token")).toHaveCount(0);
});

test("a refused sign-in keeps the email, never the password", async ({ page }) => {
  await open(page, "/signin");
  await page.getByLabel("Email").fill(MASTER.email);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("wrong email or password");
  await expect(page.getByLabel("Email")).toHaveValue(MASTER.email);
  // A plain post, with or without JavaScript (the sign-in form is no
  // island): the address the refusal comes back to keeps the email only.
  await expect(page.getByLabel("Password")).toHaveValue("");
  expect(page.url()).not.toContain("password");
});

test.describe("the terminal on a phone", () => {
  needsSshd();

  test("fits its box and follows the window's size", async ({ page }) => {
    await signIn(page);
    await importSshdKey(page, KEY);
    await addBackend(page, SSHD, async (form) => {
      await form.locator("select[name=provider]").selectOption("bare_metal");
      await form.getByLabel("Host address").fill("127.0.0.1");
      await form.getByLabel("Key that opens it").selectOption(KEY);
      await form.getByLabel("User to log in as").fill(SSH.user);
      await form.getByLabel("SSH port").fill(SSH.port);
    });
    await page.setViewportSize(PHONE);
    await open(page, "/keys");
    await page.getByTestId("keys").locator(`tr[data-key="${KEY}"]`).getByTestId("opens").getByRole("link").first().click();
    await expect(page).toHaveURL(/\/machines\/[^/]+\/[^/?]+$/);
    if (!hydrated()) {
      // The terminal is JavaScript: without it the phone's page fits and
      // says so instead of offering a button that cannot work.
      await expect(page.getByRole("button", { name: "Open terminal" })).toBeHidden();
      expect(await page.content()).toContain("The terminal needs JavaScript.");
      await fits(page, "the machine page without JavaScript");
      return;
    }
    await page.waitForLoadState("networkidle");

    await page.getByRole("button", { name: "Open terminal" }).click();
    const screen = page.getByTestId("terminal");
    await expect(page.locator("[data-terminal-status]")).toHaveText("Connected.");
    const size = () =>
      page.locator("[data-terminal]").evaluate((box: any) => ({ cols: box.__overcastTerm.cols, rows: box.__overcastTerm.rows }));
    const narrow = await size();
    const [box, drawn] = [await screen.boundingBox(), await screen.locator(".xterm-screen").boundingBox()];
    expect(drawn!.x + drawn!.width).toBeLessThanOrEqual(box!.x + box!.width + 1);
    expect(narrow.cols).toBeLessThan(50);
    await fits(page, "the machine page with its terminal");
    await shoot(page, "terminal");

    // The shell on the machine is told the size the terminal has.
    const asks = async (cols: number, rows: number) => {
      await screen.click();
      await page.keyboard.type("stty size");
      await page.keyboard.press("Enter");
      await expect(screen.locator(".xterm-rows > div", { hasText: new RegExp(`^\\s*${rows} ${cols}\\s*$`) })).toHaveCount(1);
    };
    await asks(narrow.cols, narrow.rows);

    await page.setViewportSize({ width: 1000, height: 844 });
    await expect.poll(async () => (await size()).cols).toBeGreaterThan(narrow.cols + 20);
    const wide = await size();
    await asks(wide.cols, wide.rows);
    await page.getByRole("button", { name: "Close terminal" }).click();
  });
});

test("what the phone tests added is removed", async ({ page }) => {
  await signIn(page);
  await open(page, "/backends");
  const titles: string[] = [];
  for (const title of [HYPERVISOR, SSHD]) {
    if ((await page.getByTestId("backends").locator("tr", { hasText: title }).count()) > 0) titles.push(title);
  }
  await open(page, "/keys");
  const imported = (await page.getByTestId("keys").locator(`tr[data-key="${KEY}"]`).count()) > 0;
  await removeBackendsAndKey(page, titles, imported ? KEY : undefined);
});
