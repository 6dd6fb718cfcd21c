import { readFileSync } from "node:fs";
import { expect, test, type Page } from "./fixtures";
import { needsPeer } from "./peers";

// Runs after foundation.spec.ts and identity.spec.ts on the same server: the
// master and the read-only user exist. run.sh starts a throwaway sshd on
// loopback and passes its port, a private key it accepts, and the user.
const MASTER = { email: "owner@example.com", password: "correct horse battery staple" };
const READER = { email: "reader@example.com", password: "a reader's long password" };
const SSH = {
  port: process.env.OVERCAST_E2E_SSH_PORT ?? "",
  keyFile: process.env.OVERCAST_E2E_SSH_KEY_FILE ?? "",
  user: process.env.OVERCAST_E2E_SSH_USER ?? "",
};
const KEY = "e2e-sshd";
const BACKEND = "Loopback sshd";

const hydrated = () => test.info().project.name === "hydrated";

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/signin");
  if (hydrated()) await page.waitForLoadState("networkidle");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(who.email);
}

async function open(page: Page, path: string) {
  await page.goto(path);
  if (hydrated()) await page.waitForLoadState("networkidle");
}

async function openMachine(page: Page) {
  await open(page, "/machines");
  await page.getByTestId("machines").locator("tbody").getByRole("link", { name: /./ }).first().click();
  await expect(page).toHaveURL(/\/machines\/[^/]+\/[^/?]+$/);
  await expect(page.getByTestId("machine")).toContainText("127.0.0.1");
  if (hydrated()) await page.waitForLoadState("networkidle");
}

/** Runs a command with the page's form; returns the output element. */
async function run(page: Page, command: string) {
  const form = page.locator("#run-command");
  await form.getByLabel("Command").fill(command);
  await form.getByRole("button", { name: "Run" }).click();
  return page.getByTestId("output");
}

test.describe.configure({ mode: "serial" });

// Hydration mismatches and panics show as console errors: the fixture
// (./fixtures) fails any test that causes one.

needsPeer(
  !SSH.port || !SSH.keyFile || !SSH.user,
  "the throwaway sshd run.sh starts (/usr/sbin/sshd)",
  "apt-get install openssh-server (scripts/test.sh installs it)",
);

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

test("the private key is revealed to the master, and refused to a read-only user", async ({ page }) => {
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
  await signIn(page, READER);
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

test("the machine's page probes the machine", async ({ page }) => {
  await signIn(page, MASTER);
  await openMachine(page);
  const probe = page.getByTestId("probe");
  await probe.getByRole("button", { name: "Probe" }).click();
  const found = page.getByTestId("probe-result");
  await expect(found).toContainText("3 of 3 connections answered");
  await expect(found).toContainText("Up");
  await expect(found).toContainText("(1, 5, 15 minutes)");
  if (hydrated()) {
    await expect(probe.getByRole("button", { name: "Probe again" })).toBeVisible();
  } else {
    // Shown once: a reload shows the form alone.
    await page.reload();
    await expect(page.getByTestId("probe")).toBeVisible();
    await expect(page.getByTestId("probe-result")).toHaveCount(0);
  }
});

test("the machine's page runs commands", async ({ page }) => {
  await signIn(page, MASTER);
  await openMachine(page);
  await expect(page.getByTestId("host-key")).toContainText("SHA256:");
  await expect(page.getByTestId("machine-keys")).toContainText(KEY);
  const status = page.getByTestId("run-status");

  if (!hydrated()) {
    // Without JavaScript the form posts, the command runs to its end, and
    // the page comes back with the whole output.
    const output = await run(page, "echo hello-nojs");
    await expect(page).toHaveURL(/\?run=/);
    await expect(output).toContainText("hello-nojs");
    await expect(status).toContainText(/exit 0 in \d+ ms/);

    await run(page, "echo oops >&2; exit 3");
    await expect(page.getByTestId("output").locator(".stderr")).toContainText("oops");
    await expect(status).toContainText(/exit 3 in \d+ ms/);

    // A refusal comes back to the form, beside the field.
    await run(page, "   ");
    await expect(page.locator('#run-command .field-error[data-field="command"]')).toContainText(
      "type a command to run",
    );
    return;
  }

  // The output arrives as the machine produces it, on a POST that carries
  // the session's CSRF header and that no proxy may buffer.
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/machines/run"));
  const output = await run(page, "for i in 1 2 3; do echo $i; sleep 1; done");
  const response = await answer;
  expect(response.request().headers()["x-csrftoken"]).toBeTruthy();
  expect(response.headers()["x-accel-buffering"]).toBe("no");
  await expect(output).toContainText("1");
  expect(await output.textContent()).not.toContain("3");
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  await expect(output).toContainText("3", { timeout: 15_000 });
  await expect(status).toContainText(/exit 0 in \d+ ms/);
  await expect(page.getByRole("button", { name: "Stop" })).toBeHidden();

  // Output is text, never markup.
  const xss = "</script><script>window.__xss=1</script>";
  await run(page, `printf '%s\\n' '${xss}'`);
  await expect(page.getByTestId("output")).toContainText(xss);
  await expect(status).toContainText(/exit 0/);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();

  // Stop ends the request, and the server stops the command on the machine.
  await run(page, "echo started; sleep 37.5; echo never");
  await expect(page.getByTestId("output")).toContainText("started");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(status).toContainText("stopped");
  await expect(page.getByRole("button", { name: "Run", exact: true })).toBeEnabled();
  await expect
    .poll(
      async () => {
        await run(page, "pgrep -f 'sleep 37[.]5' >/dev/null && echo still-there || echo gone");
        await expect(status).toContainText(/exit/);
        return (await page.getByTestId("output").textContent()) ?? "";
      },
      { timeout: 20_000, intervals: [500, 1_000, 2_000] },
    )
    .toContain("gone");

  // A refusal before any output shows in the page.
  await run(page, "   ");
  await expect(status).toContainText("type a command to run");
});

test("the terminal opens a shell on the machine", async ({ page }) => {
  // xterm.js is fetched only once a terminal is opened.
  const xterm: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/vendor/xterm/")) xterm.push(r.url());
  });
  await signIn(page, MASTER);
  await openMachine(page);
  expect(xterm).toEqual([]);
  if (!hydrated()) {
    // The terminal is JavaScript (public/terminal.js): without it the page
    // shows no terminal controls (hidden until terminal.js has run) and
    // says, in its <noscript>, that the terminal needs JavaScript.
    await expect(page.getByRole("heading", { name: "Terminal", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Open terminal" })).toBeHidden();
    await expect(page.getByTestId("terminal")).toBeHidden();
    expect(await page.content()).toContain("The terminal needs JavaScript.");
    return;
  }
  await page.getByRole("button", { name: "Open terminal" }).click();
  const terminal = page.getByTestId("terminal");
  await expect(terminal.locator(".xterm-rows")).toBeVisible();
  // The three, by their hashed names.
  const fetched = xterm.map((u) => new URL(u).pathname.replace(/\.[0-9a-f]{16}\./, ".HASH."));
  expect(fetched.sort()).toEqual([
    "/vendor/xterm/addon-fit.HASH.js",
    "/vendor/xterm/xterm.HASH.css",
    "/vendor/xterm/xterm.HASH.js",
  ]);

  await expect(page.locator("[data-terminal-status]")).toHaveText("Connected.");
  await terminal.click();
  await page.keyboard.type("echo hi");
  await page.keyboard.press("Enter");
  // The command's output line, not the echoed command line.
  await expect(terminal.locator(".xterm-rows > div", { hasText: /^\s*hi\s*$/ })).toHaveCount(1);
  await page.getByRole("button", { name: "Close terminal" }).click();
  await expect(page.getByRole("button", { name: "Open terminal" })).toBeVisible();
});

test("a script runs on the machine and its output is kept and followed", async ({ page }) => {
  await signIn(page, MASTER);
  await openMachine(page);
  const form = page.getByTestId("run-script");
  const output = page.getByTestId("script-output");
  const status = page.getByTestId("script-run-status");
  if (!hydrated()) {
    // Without JavaScript the form posts and the page comes back on the run;
    // a finished run shows its whole output.
    await form.getByLabel(/Script/).fill("#!/bin/sh\necho script-nojs\n");
    await form.getByRole("button", { name: "Run script" }).click();
    await expect(page).toHaveURL(/\?script=/);
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await status.textContent()) ?? "";
        },
        { timeout: 20_000, intervals: [300, 500, 1_000] },
      )
      .toMatch(/exit 0/);
    await expect(output).toContainText("script-nojs");
    await expect(page.getByTestId("script-runs")).toContainText("succeeded");
    return;
  }
  // Hydrated, the run is followed as it prints: "1" shows before "3" exists.
  await form.getByLabel(/Script/).fill("for i in 1 2 3; do echo step$i; sleep 1; done\nexit 4");
  await form.getByRole("button", { name: "Run script" }).click();
  await expect(page).toHaveURL(/\?script=/);
  await expect(output).toContainText("step1", { timeout: 15_000 });
  expect(await output.textContent()).not.toContain("step3");
  await expect(output).toContainText("step3", { timeout: 15_000 });
  await expect(status).toContainText(/exit 4/);
  // The list was drawn while the run went on; it follows the end too,
  // without a reload.
  await expect(page.getByTestId("script-runs")).toContainText("failed (exit 4)");
  await expect(page.getByTestId("script-runs")).not.toContainText("waiting");
  await page.reload();
  await page.waitForLoadState("networkidle");
  await expect(page.getByTestId("script-runs")).toContainText("failed (exit 4)");
  await expect(output).toContainText("step1");
});

test("a script the machine page refuses says why, however often it is tried", async ({ page }) => {
  await signIn(page, MASTER);
  await openMachine(page);
  const form = page.getByTestId("run-script");
  // Over the 64 KiB limit: the refusal shows beside the script. (One long
  // line: the browser types every line break as a key press, slowly.)
  await form.getByLabel(/Script/).fill("#!/bin/sh\n# " + "x".repeat(70_000) + "\n");
  await form.getByRole("button", { name: "Run script" }).click();
  await expect(form.locator('.field-error[data-field="script"]')).toContainText(/longer than \d+ KiB/);
  // Blank (spaces pass the browser's own `required` check).
  await form.getByLabel(/Script/).fill("   ");
  await form.getByRole("button", { name: "Run script" }).click();
  await expect(form.getByRole("alert")).toHaveText("is empty");
  if (!hydrated()) {
    // Each failed post came back to the page; the address holds one error.
    const url = new URL(page.url());
    expect(url.searchParams.getAll("__err")).toHaveLength(1);
    expect(url.searchParams.getAll("__path")).toHaveLength(1);
  }
});

test("a key the deploy form cannot deploy says why", async ({ page }) => {
  const gone = "e2e-deploy-gone";
  await signIn(page, MASTER);
  await open(page, "/keys");
  const generate = page.locator("#generate-key");
  await generate.getByLabel("Name").fill(gone);
  await generate.getByRole("button", { name: "Generate key" }).click();
  await expect(page.getByTestId("keys").locator(`tr[data-key="${gone}"]`)).toBeVisible();

  await openMachine(page);
  const form = page.getByTestId("deploy-key");
  await form.getByLabel("Deploy key").selectOption(gone);
  // The key is deleted (in another tab) before the form is sent.
  const other = await page.context().newPage();
  await open(other, "/keys");
  const row = other.getByTestId("keys").locator(`tr[data-key="${gone}"]`);
  await row.locator("summary", { hasText: "Delete" }).click();
  await row.getByRole("button", { name: new RegExp(`Delete ${gone} for good`) }).click();
  await expect(other.getByTestId("keys").locator(`tr[data-key="${gone}"]`)).toHaveCount(0);
  await other.close();

  await form.getByRole("button", { name: "Deploy to this machine" }).click();
  await expect(page.getByTestId("deploy-key").getByRole("alert")).toContainText(`key "${gone}" not found`);
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
});
