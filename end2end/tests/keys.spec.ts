import { readFileSync } from "node:fs";
import { expect, test } from "./fixtures";
import { MASTER, SSH, hydrated, makeReader, needsSshd, open, removeBackendsAndKey, signIn } from "./steps";

// The Keys page: a key imported (the throwaway sshd's), generated, made
// default, renamed and deleted; its private part revealed to the master and
// refused to a read-only user (one of its own). Runs after
// foundation.spec.ts on the same server (the master exists, and no key yet)
// and leaves nothing behind but that user. run.sh starts the sshd and
// passes the private key it accepts.
const KEY = "e2e-sshd";

test.describe.configure({ mode: "serial" });

// Hydration mismatches and panics show as console errors: the fixture
// (./fixtures) fails any test that causes one.

needsSshd();

test("a key is imported, generated, renamed and deleted on the Keys page", async ({ page }) => {
  await signIn(page, MASTER);
  await open(page, "/keys");
  await expect(page.getByTestId("no-keys")).toBeVisible();

  const importForm = page.locator("#import-key");
  // Not a key: the form says so next to the field.
  await importForm.getByLabel("Name").fill("broken");
  await importForm.getByLabel("Private key").fill("not a key at all");
  await importForm.getByRole("button", { name: "Import key" }).click();
  await expect(page.locator('.field-error[data-field="priv"]')).toBeVisible();
  if (hydrated()) {
    // The same form sent as a plain post (a form sent before the page's
    // code took over): the refusal comes back in the address, and the
    // browser's code reads it from there as the server did (a mismatch
    // would be a hydration error on the console).
    await importForm.getByLabel("Private key").fill("not a key at all");
    const body = await importForm.evaluate((f) =>
      new URLSearchParams(new FormData(f as HTMLFormElement) as unknown as Record<string, string>).toString(),
    );
    const sent = await page.request.post((await importForm.getAttribute("action"))!, {
      data: body,
      headers: {
        accept: "text/html,application/xhtml+xml",
        "content-type": "application/x-www-form-urlencoded",
        origin: new URL(page.url()).origin,
        referer: page.url(),
      },
      maxRedirects: 0,
    });
    expect(sent.status(), await sent.text()).toBeGreaterThanOrEqual(300);
    const back = new URL(sent.headers()["location"], page.url());
    expect(back.searchParams.get("__err"), back.toString()).toBeTruthy();
    await page.goto(back.toString());
    await page.locator("html[data-page-hydrated]").waitFor({ state: "attached" });
    await expect(page.locator('.field-error[data-field="priv"]')).toContainText("not a private key");
  }

  await importForm.getByLabel("Name").fill(KEY);
  await importForm.getByLabel("Private key").fill(readFileSync(SSH.keyFile, "utf8"));
  await importForm.getByRole("button", { name: "Import key" }).click();
  const keys = page.getByTestId("keys");
  await expect(keys.locator(`tr[data-key="${KEY}"]`)).toContainText("ssh-ed25519");
  await expect(keys.locator(`tr[data-key="${KEY}"]`)).toContainText("SHA256:");

  // The public part, through a plain link.
  await keys.locator(`tr[data-key="${KEY}"]`).getByRole("link", { name: "Public key" }).click();
  await expect(page.getByTestId("public-key")).toContainText("ssh-ed25519 AAAA");

  const generateForm = page.locator("#generate-key");
  await generateForm.getByLabel("Name").fill("e2e-generated");
  await generateForm.getByLabel("Algorithm").selectOption("ed25519");
  await generateForm.getByRole("button", { name: "Generate key" }).click();
  const generated = keys.locator('tr[data-key="e2e-generated"]');
  await expect(generated).toBeVisible();
  // Shown with or without JavaScript (a plain form's answer is a redirect
  // back here, which brings the key along), and only this once.
  await expect(page.getByTestId("generated-key").locator("textarea")).toHaveValue(
    /BEGIN OPENSSH PRIVATE KEY/,
  );
  // The form is empty again for the next key (its name would now be taken).
  await expect(generateForm.getByLabel("Name")).toHaveValue("");
  await open(page, "/keys");
  await expect(page.getByTestId("generated-key")).toHaveCount(0);

  await generated.getByRole("button", { name: "Make default" }).click();
  await expect(generated.getByTestId("default-key")).toBeVisible();

  await generated.locator("summary", { hasText: "Rename" }).click();
  await generated.getByLabel("New name for e2e-generated").fill("e2e-renamed");
  await generated.getByRole("button", { name: "Rename" }).click();
  const renamed = keys.locator('tr[data-key="e2e-renamed"]');
  await expect(renamed).toBeVisible();

  // Deleting asks first.
  await renamed.locator("summary", { hasText: "Delete" }).click();
  await renamed.getByRole("button", { name: /Delete e2e-renamed for good/ }).click();
  await expect(keys.locator('tr[data-key="e2e-renamed"]')).toHaveCount(0);
  await expect(keys.locator(`tr[data-key="${KEY}"]`)).toBeVisible();
});

test("the private key is revealed to the master, and refused to a read-only user", async ({ page, request }) => {
  const reader = await makeReader(request, `keys-${test.info().project.name}`);
  await signIn(page, MASTER);
  await open(page, "/keys");
  const row = page.getByTestId("keys").locator(`tr[data-key="${KEY}"]`);
  // With or without JavaScript (then the form posts, and the page it
  // returns to shows the key, once).
  await row.getByRole("button", { name: "Reveal private key" }).click();
  // The same key, as Overcast stores it (re-encoded, without the comment).
  const shown = page.getByTestId("private-key").locator("textarea");
  await expect(shown).toHaveValue(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\s*$/);
  await open(page, "/keys");
  await expect(page.getByTestId("private-key")).toHaveCount(0);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, reader);
  await open(page, "/keys");
  // Honest buttons: not offered to a user it would refuse...
  const theirs = page.getByTestId("keys").locator(`tr[data-key="${KEY}"]`);
  await expect(theirs).toBeVisible();
  await expect(theirs.getByRole("button", { name: "Reveal private key" })).toHaveCount(0);
  // ...and refused when asked anyway (as a crafted page would).
  const csrf = (await page.context().cookies()).find((c) => c.name === "csrftoken")!.value;
  const asked = await page.request.post("/api/keys/private", {
    form: { id: KEY },
    headers: { "X-CSRFToken": csrf },
  });
  expect(asked.status()).toBe(403);
  expect((await asked.json()).RBAC).toBe("Action not allowed");
  await expect(page.getByTestId("private-key")).toHaveCount(0);
});

test("what the Keys tests added is removed", async ({ page }) => {
  await signIn(page, MASTER);
  await removeBackendsAndKey(page, [], KEY);
  await expect(page.getByTestId("no-keys")).toBeVisible();
});
