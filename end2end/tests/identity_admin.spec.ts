import { expect, test } from "./fixtures";
import { hydrated, MASTER, open, signIn } from "./steps";

// The Admin pages: one per section behind a section nav, the audit log
// filtered, paged and naming roles, secrets gone from a form once used,
// revoking a token asked first. Runs after foundation.spec.ts (the master
// exists) but before identity.spec.ts (Playwright orders
// "identity_admin.spec.ts" first), so it makes its own user and role, named
// apart from identity.spec.ts's "reader" and "read-only".
const AUDITED = { username: "audited", email: "audited@example.com", password: "an audited user's long password" };
const ROLE = "audit-viewer";

test.describe.configure({ mode: "serial" });

test("the Admin sections are pages of their own behind a nav", async ({ page }) => {
  await signIn(page, MASTER);
  await open(page, "/admin");
  const nav = page.getByTestId("admin-nav");
  await expect(page.getByTestId("users")).toBeVisible();
  for (const [label, path, shown] of [
    ["Roles", "/admin/roles", "#new-role"],
    ["OAuth clients", "/admin/oauth", "#new-client"],
    ["Two-factor", "/admin/two-factor", "[data-testid=two-factor-required]"],
    ["Audit log", "/admin/audit", "[data-testid=audit]"],
    ["Users", "/admin/users", "[data-testid=users]"],
  ]) {
    await nav.getByRole("link", { name: label }).click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await expect(page.locator(shown)).toBeVisible();
    if (hydrated()) await page.waitForLoadState("networkidle");
  }
  await expect(page.locator("#new-role")).toHaveCount(0);
});

test("the master attaches a role to a user of this spec's own", async ({ page }) => {
  await signIn(page, MASTER);
  await open(page, "/admin/users");
  const newUser = page.locator("#new-user");
  await newUser.getByLabel("Username").fill(AUDITED.username);
  await newUser.getByLabel("Email").fill(AUDITED.email);
  await newUser.locator("input[name=password]").fill(AUDITED.password);
  await newUser.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("users")).toContainText(AUDITED.email);

  await open(page, "/admin/roles");
  const newRole = page.locator("#new-role");
  await newRole.getByLabel("Name").fill(ROLE);
  // The starter scope in the form is read-only (view:*).
  await newRole.getByRole("button", { name: "Create role" }).click();
  await expect(page.getByTestId("roles")).toContainText(ROLE);

  await open(page, "/admin/users");
  const row = page.getByTestId("users").locator("tr", { hasText: AUDITED.email });
  await row.getByLabel(`Role to attach to ${AUDITED.username}`).selectOption({ label: ROLE });
  await row.getByRole("button", { name: "Attach" }).click();
  await expect(page.getByTestId("users").locator("tr", { hasText: AUDITED.email }).locator(".chip")).toContainText(ROLE);
});

test("the audit log is filtered by labelled fields and names the role attached", async ({ page }) => {
  await signIn(page, MASTER);
  await open(page, "/admin/audit");
  await page.getByLabel("Action").fill("attach");
  await page.getByLabel("Outcome").selectOption("success");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=attach/);
  const audit = page.getByTestId("audit");
  await expect(audit).toContainText(`role "${ROLE}" of user ${AUDITED.username}`);
  await expect(audit).toContainText(MASTER.email);
  // The filter stays in its field, the outcome chosen.
  await expect(page.getByLabel("Action")).toHaveValue("attach");
  await expect(page.getByLabel("Outcome")).toHaveValue("success");
  await expect(page.getByTestId("newer")).toHaveCount(0);

  // On a phone the table fits: its rows stack, nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 800 });
  await open(page, "/admin/audit");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide, `the audit page is ${wide} px wide`).toBeLessThanOrEqual(390);
});

test("a user without the master account is refused every Admin page", async ({ page }) => {
  await signIn(page, AUDITED);
  for (const path of ["/admin", "/admin/roles", "/admin/audit"]) {
    await open(page, path);
    await expect(page.getByTestId("admin-refused")).toBeVisible();
    await expect(page.getByTestId("audit")).toHaveCount(0);
    await expect(page.locator("#new-user")).toHaveCount(0);
  }
});

test("the new user's password leaves the form once the user is made", async ({ page }) => {
  const name = hydrated() ? "temp-hydrated" : "temp-plain";
  await signIn(page, MASTER);
  await open(page, "/admin/users");
  const form = page.locator("#new-user");
  await form.getByLabel("Username").fill(name);
  await form.getByLabel("Email").fill(`${name}@example.com`);
  await form.locator("input[name=password]").fill("a temporary long password");
  await form.getByRole("button", { name: "Create user" }).click();
  const row = page.getByTestId("users").locator("tr", { hasText: `${name}@example.com` });
  await expect(row).toBeVisible();
  await expect(page.locator("#new-user input[name=password]")).toHaveValue("");
  await expect(page.locator("#new-user input[name=username]")).toHaveValue("");

  await row.locator("summary", { hasText: "Delete" }).click();
  await row.getByRole("button", { name: `Delete ${name} for good` }).click();
  await expect(page.getByTestId("users").locator("tr", { hasText: `${name}@example.com` })).toHaveCount(0);
});

test("revoking a token asks first", async ({ page }) => {
  const name = hydrated() ? "e2e-hydrated" : "e2e-plain";
  await signIn(page, MASTER);
  await open(page, "/account");
  const form = page.locator("#new-token");
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toBeVisible();
  // The form is empty again for the next token.
  await expect(form.getByLabel("Name")).toHaveValue("");
  const row = page.getByTestId("tokens").locator("tr", { hasText: name });
  // Made, never used: no use on record (not its creation time again).
  await expect(row.locator("td[data-label='Last used']")).toHaveText("no use recorded yet");
  await expect(row.getByRole("button", { name: `Revoke ${name}` })).toBeHidden();
  await row.locator("summary", { hasText: "Revoke" }).click();
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.locator("tr", { hasText: name })).toHaveCount(0);
});
