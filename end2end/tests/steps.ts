import { readFileSync } from "node:fs";
import type { APIRequestContext } from "@playwright/test";
import { expect, test, type Page } from "./fixtures";
import { needsPeer } from "./peers";

// Steps the machine specs share: requiring the throwaway sshd, signing in,
// importing the sshd's key, adding a backend, and removing both again.
// (Not a spec itself: Playwright collects only *.spec.ts.)

export const MASTER = { email: "owner@example.com", password: "correct horse battery staple" };

/** The throwaway sshd run.sh starts (empty strings when it did not). */
export const SSH = {
  port: process.env.OVERCAST_E2E_SSH_PORT ?? "",
  keyFile: process.env.OVERCAST_E2E_SSH_KEY_FILE ?? "",
  user: process.env.OVERCAST_E2E_SSH_USER ?? "",
};

/** Call at a spec file's (or describe's) top level: the spec needs the
 * throwaway sshd, and `needsPeer` fails or skips it without one. */
export function needsSshd() {
  needsPeer(
    !SSH.port || !SSH.keyFile || !SSH.user,
    "the throwaway sshd run.sh starts (/usr/sbin/sshd)",
    "apt-get install openssh-server (scripts/test.sh installs it)",
  );
}

/** An HTTP Basic `Authorization` header value for `who`. */
export const basic = (who: { email: string; password: string }) =>
  "Basic " + Buffer.from(`${who.email}:${who.password}`).toString("base64");

/** A Machines row's state badge. */
export const ROW_STATE = "td.state .badge";

/** The read-only user `makeReader(_, tag)` makes. */
export const readerOf = (tag: string) => ({
  username: `reader-${tag}`,
  email: `reader-${tag}@example.com`,
  password: "a reader's long password",
});

/** A read-only user (one role: `view:*` on everything) made by the master
 * through the REST API, for a spec of its own: `tag` names the user and its
 * role (one per spec and project, since both projects share one server). */
export async function makeReader(request: APIRequestContext, tag: string) {
  const who = readerOf(tag);
  const headers = { Authorization: basic(MASTER), Accept: "application/json" };
  const role = await request.post("/v3/role", {
    headers,
    data: { name: `read-only-${tag}`, scope: { Statement: [{ Effect: "Allow", Action: ["view:*"], Resource: ["*"] }] } },
  });
  expect(role.status(), await role.text()).toBe(200);
  const user = await request.post("/v3/user", {
    headers,
    data: { username: who.username, email: who.email, password: who.password },
  });
  expect(user.status(), await user.text()).toBe(200);
  const attached = await request.post("/v3/user/role", {
    headers,
    data: { username: who.username, role_id: (await role.json()).role_id },
  });
  expect(attached.status(), await attached.text()).toBe(200);
  return who;
}

export const hydrated = () => test.info().project.name === "hydrated";

/** Opens `path`, and once hydrated waits for the page's first requests. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  if (hydrated()) await page.waitForLoadState("networkidle");
}

export async function signIn(page: Page, who = MASTER) {
  await open(page, "/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(who.email);
}

/** Imports the sshd's client key as `name` on the Keys page. */
export async function importSshdKey(page: Page, name: string) {
  await open(page, "/keys");
  const form = page.locator("#import-key");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Private key").fill(readFileSync(SSH.keyFile, "utf8"));
  await form.getByRole("button", { name: "Import key" }).click();
  await expect(page.getByTestId("keys").locator(`tr[data-key="${name}"]`)).toBeVisible();
}

/** Adds a backend titled `title` (`fill` sets the rest) and waits for it to be online. */
export async function addBackend(page: Page, title: string, fill: (form: ReturnType<Page["locator"]>) => Promise<void>) {
  await open(page, "/backends");
  const form = page.locator("#add-backend");
  await form.getByLabel("Title").fill(title);
  await fill(form);
  await form.getByRole("button", { name: "Add backend" }).click();
  await expect(page.getByTestId("backends").locator("tr", { hasText: title })).toContainText("online");
}

/** Forgets the backends titled `titles`, then deletes the key `key` (if given). */
export async function removeBackendsAndKey(page: Page, titles: string[], key?: string) {
  for (const title of titles) {
    await open(page, "/backends");
    const added = page.getByTestId("backends").locator("tr", { hasText: title });
    await added.locator("summary", { hasText: "Delete" }).click();
    await added.getByRole("button", { name: /nothing is destroyed at the provider/ }).click();
    await expect(page.getByTestId("backends").locator("tr", { hasText: title })).toHaveCount(0);
  }
  if (key === undefined) return;
  await open(page, "/keys");
  const row = page.getByTestId("keys").locator(`tr[data-key="${key}"]`);
  await row.locator("summary", { hasText: "Delete" }).click();
  await row.getByRole("button", { name: new RegExp(`Delete ${key} for good`) }).click();
  await expect(page.getByTestId("keys").locator(`tr[data-key="${key}"]`)).toHaveCount(0);
}
