import { expect, test, type Page } from "./fixtures";

const EMAIL = "owner@example.com";
const PASSWORD = "correct horse battery staple";

const hydrated = (page: Page) => test.info().project.name === "hydrated";

async function waitForHydration(page: Page) {
  if (hydrated(page)) {
    // The WebAssembly module sets up the router; wait until it has loaded.
    await page.waitForFunction(() =>
      performance.getEntriesByType("resource").some((e) => e.name.endsWith(".wasm")),
    );
    await page.waitForLoadState("networkidle");
  }
}

// The steps share one fresh server (started per project by run.sh), in order.
test.describe.configure({ mode: "serial" });

test("a new installation offers to create the master account", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await waitForHydration(page);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password (at least 10 characters)").fill(PASSWORD);
  await page.getByLabel("Password again").fill("not the same password");
  await page.getByRole("button", { name: "Create master account" }).click();
  await expect(page.locator('.field-error[data-field="password_confirm"]')).toContainText(
    "does not match",
  );

  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password (at least 10 characters)").fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Create master account" }).click();
  await expect(page.getByTestId("whoami")).toContainText(EMAIL);
  await expect(page.getByRole("heading", { name: "Welcome to Overcast" })).toBeVisible();
});

test("sign out, a refused password, sign in, and the shell", async ({ page }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(EMAIL);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/machines");
  await expect(page).toHaveURL(/\/signin\?next=\/machines/);
  await waitForHydration(page);

  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill("wrong password here");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("wrong email or password");

  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/machines$/);
  await expect(page.getByTestId("whoami")).toContainText(EMAIL);
});

test("navigation reaches every section, without reloads once hydrated", async ({ page }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(EMAIL);
  await waitForHydration(page);

  // In islands mode (the layout's top bar is an island) the browser has no
  // router: another section is a page load, whose islands hydrate anew. The
  // hydrated app's router shows it in place.
  const islands = (await page.locator("leptos-island").count()) > 0;
  if (hydrated(page)) {
    await page.evaluate(() => ((window as any).__stillHere = true));
  }
  for (const section of ["Backends", "Machines", "Keys", "Stacks", "Admin"]) {
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: section }).click();
    await expect(page.getByRole("heading", { level: 1, name: section })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/${section.toLowerCase()}$`));
    if (hydrated(page) && islands) await waitForHydration(page);
  }
  if (hydrated(page)) {
    const stillHere = await page.evaluate(() => (window as any).__stillHere);
    expect(stillHere).toBe(islands ? undefined : true);
    const marked = await page.evaluate(() => document.documentElement.hasAttribute("data-page-hydrated"));
    expect(marked).toBe(true);
  }
});

test("every section fits a phone's 390 px screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(EMAIL);
  for (const path of ["/backends", "/machines", "/keys", "/stacks", "/admin", "/admin/roles", "/admin/audit", "/account"]) {
    await page.goto(path);
    await waitForHydration(page);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide, `${path} is ${wide} px wide`).toBeLessThanOrEqual(390);
    // The sections fold into a menu (responsive.spec.ts opens it).
    await expect(page.locator("label.menu-button")).toBeVisible();
  }
});

test("the first Tab reaches a skip link that moves focus to the page's content", async ({ page }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(EMAIL);
  await page.goto("/keys");
  await waitForHydration(page);
  const skip = page.getByRole("link", { name: "Skip to content" });
  // Out of sight until focused, then in sight.
  await expect(skip).not.toBeInViewport();
  await page.keyboard.press("Tab");
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
  await expect(page.locator("main#main")).toBeFocused();
});
