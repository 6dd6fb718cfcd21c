import { expect, test, type Page } from "./fixtures";
import { MASTER, SSH, addBackend, hydrated, importSshdKey, needsSshd, open, removeBackendsAndKey, signIn } from "./steps";

// A machine's shell, on the throwaway sshd run.sh starts on loopback (added
// here as a bare-metal host with its key): probed, commands run and
// stopped, a terminal opened, scripts run and refused, and the deploy form
// refusing a key deleted under it. Runs after foundation.spec.ts on the
// same server (the master exists, and no other machine) and leaves nothing
// behind.
const KEY = "machine-shell-key";
const BACKEND = "Shell sshd";

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

needsSshd();

test("the sshd is added as a bare-metal host for the machine tests", async ({ page }) => {
  await signIn(page, MASTER);
  await importSshdKey(page, KEY);
  await addBackend(page, BACKEND, async (form) => {
    await form.locator("select[name=provider]").selectOption("bare_metal");
    await form.getByLabel("Host address").fill("127.0.0.1");
    await form.getByLabel("Key that opens it").selectOption(KEY);
    await form.getByLabel("User to log in as").fill(SSH.user);
    await form.getByLabel("SSH port").fill(SSH.port);
  });
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

test("what the machine tests added is removed", async ({ page }) => {
  await signIn(page, MASTER);
  await removeBackendsAndKey(page, [BACKEND], KEY);
  await open(page, "/machines");
  await expect(page.getByTestId("no-machines")).toBeVisible();
});
