import { expect, test, type Page } from "./fixtures";
import { MASTER, basic, hydrated } from "./steps";

// Runs after foundation.spec.ts on the same server: the master exists.
const READER = { username: "reader", email: "reader@example.com", password: "a reader's long password" };

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/signin");
  if (hydrated()) await page.waitForLoadState("networkidle");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(who.email);
}

test.describe.configure({ mode: "serial" });

test("the master creates a user and a read-only role and attaches it", async ({ page }) => {
  await signIn(page, MASTER);
  await page.goto("/admin");
  if (hydrated()) await page.waitForLoadState("networkidle");

  const newUser = page.locator("#new-user");
  await newUser.getByLabel("Username").fill(READER.username);
  await newUser.getByLabel("Email").fill(READER.email);
  await newUser.locator("input[name=password]").fill(READER.password);
  await newUser.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByTestId("users")).toContainText(READER.email);

  await page.getByTestId("admin-nav").getByRole("link", { name: "Roles" }).click();
  await expect(page).toHaveURL(/\/admin\/roles$/);
  if (hydrated()) await page.waitForLoadState("networkidle");
  const newRole = page.locator("#new-role");
  await newRole.getByLabel("Name").fill("read-only");
  if (hydrated()) {
    // The statement rows write the JSON beside them.
    const scope = newRole.locator("textarea[name=scope]");
    await expect(page.getByTestId("statement")).toHaveCount(1);
    await page.getByRole("button", { name: "Add statement" }).click();
    const second = page.getByTestId("statement").nth(1);
    await second.locator("select").selectOption("Deny");
    await second.getByLabel("read_private:key").check();
    await expect(scope).toHaveValue(/"Effect": "Deny"/);
    await expect(scope).toHaveValue(/read_private:key/);
    await second.getByRole("button", { name: "Remove statement" }).click();
    await expect(scope).not.toHaveValue(/Deny/);
  }
  // The starter scope in the form is already read-only (view:*).
  await newRole.getByRole("button", { name: "Create role" }).click();
  await expect(page.getByTestId("roles")).toContainText("read-only");
  if (hydrated()) {
    // The form starts over: no name, the starter scope and one statement.
    await expect(newRole.getByLabel("Name")).toHaveValue("");
    await expect(newRole.locator("textarea[name=scope]")).toHaveValue(/"view:\*"/);
    await expect(newRole.locator("textarea[name=scope]")).not.toHaveValue(/Deny/);
    await expect(page.getByTestId("statement")).toHaveCount(1);
  }
  // Once there is a role, it can be attached from here too ("No role yet"
  // before: server/tests/api/identity/admin_pages.rs).
  await expect(page.getByTestId("no-roles")).toHaveCount(0);
  await expect(page.locator("#attach-role")).toBeVisible();

  // Attached from the user's row on the Users page.
  await page.getByTestId("admin-nav").getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  if (hydrated()) await page.waitForLoadState("networkidle");
  const row = page.getByTestId("users").locator("tr", { hasText: READER.email });
  await row.getByLabel(`Role to attach to ${READER.username}`).selectOption({ label: "read-only" });
  await row.getByRole("button", { name: "Attach" }).click();
  await expect(page.getByTestId("users").locator("tr", { hasText: READER.email }).locator(".chip")).toContainText("read-only");
});

test("the read-only user is refused an edit in the page and through the API", async ({ page, request }) => {
  await signIn(page, READER);
  await page.goto("/admin");
  await expect(page.getByText("Administration (users, roles, the audit log) is the master account's alone.")).toBeVisible();
  await expect(page.locator("#new-user")).toHaveCount(0);

  // A form posted from the page anyway (as a crafted page would) is refused by the server.
  const csrf = (await page.context().cookies()).find((c) => c.name === "csrftoken")!.value;
  const fromPage = await page.request.post("/api/admin/create_user", {
    form: { username: "sneaky", email: "sneaky@example.com", password: "long enough password" },
    headers: { "X-CSRFToken": csrf },
  });
  expect(fromPage.status()).toBe(403);
  expect((await fromPage.json()).RBAC).toBe("Action not allowed");

  const viaApi = await request.post("/v3/role", {
    headers: { Authorization: basic(READER) },
    data: { name: "mine", scope: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } },
  });
  expect(viaApi.status()).toBe(403);
  expect((await viaApi.json()).action).toBe("create:role");
  const allowed = await request.get("/v3/user", { headers: { Authorization: basic(READER) } });
  expect(allowed.status()).toBe(200);
});
