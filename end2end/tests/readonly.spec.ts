import { readFileSync } from "node:fs";
import { expect, test, type Page } from "./fixtures";
import { needsPeer } from "./peers";
import { MASTER, SSH, basic, makeReader, needsSshd, open, readerOf, signIn } from "./steps";

// Honest buttons: a read-only user (a role of `view:*`) walks every page and
// is offered no write action (no Create, Add, Import, Generate, Rename,
// Delete, Stop, Destroy, ...), with and without JavaScript. The master sets
// up, through the REST API with Basic credentials, the reader, a key and a
// bare-metal machine (the throwaway sshd run.sh starts) for them to look
// at, and removes the key and the backend at the end. Each project makes
// its own reader, key and backend (both projects share one server).

needsSshd();

const MOTO = process.env.OVERCAST_E2E_MOTO_URL ?? "";
needsPeer(!MOTO, "the moto run.sh starts (OVERCAST_MOTO)", "source scripts/peers.sh && ensure_moto");

test.describe.configure({ mode: "serial" });

const project = () => test.info().project.name;
const reader = () => readerOf(`ro-${project()}`);
const KEY = () => `ro-key-${project()}`;
const HOST = () => `Read-only host ${project()}`;
const EC2 = () => `Read-only EC2 ${project()}`;
const asMaster = () => ({ Authorization: basic(MASTER), Accept: "application/json" });

/** The bare-metal backend and its machine, once set up. */
let machine = { backend: "", id: "" };
/** The EC2 (moto) backend and the machine made there with the key. */
let created = { backend: "", id: "" };

/** What reads like a write action: a button, a summary that opens one, a
 * link styled as one. */
const WRITE =
  /^(create|add|import|generate|rename|delete|stop|start|reboot|destroy|make default|reveal|save|deploy|run|open terminal|accept|remove|new stack|update|apply|plan|attach|detach|revoke|disable|enable|forget)\b/i;

/** The write actions `page`'s content offers (visible or folded away). */
async function writeActions(page: Page): Promise<string[]> {
  const labels = await page
    .locator("main")
    .locator("button, summary, input[type=submit], a.button, a.button-link")
    .evaluateAll((els) => els.map((e) => (e.textContent || (e as HTMLInputElement).value || "").trim()));
  return labels.filter((l) => WRITE.test(l));
}

test("the master sets up a read-only user, a key and a machine", async ({ request }) => {
  await makeReader(request, `ro-${project()}`);

  const key = await request.put("/keys", {
    headers: asMaster(),
    data: { id: KEY(), priv: readFileSync(SSH.keyFile, "utf8") },
  });
  expect(key.status(), await key.text()).toBe(201);
  const backend = await request.post("/backends", {
    headers: asMaster(),
    data: {
      title: HOST(),
      provider: "bare_metal",
      machine_ip: "127.0.0.1",
      machine_key: KEY(),
      machine_user: SSH.user,
      machine_port: Number(SSH.port),
    },
  });
  expect(backend.status(), await backend.text()).toBe(201);
  machine.backend = (await backend.json()).id;
  const listed = await request.get(`/backends/${machine.backend}/machines`, { headers: asMaster() });
  expect(listed.status()).toBe(200);
  machine.id = (await listed.json())[0].id;

  // A machine created on EC2 (moto) with the key: never reached, so the key
  // is only installed there, not proven.
  const ec2 = await request.post("/backends", {
    headers: asMaster(),
    data: { title: EC2(), provider: "ec2_us_east", apikey: "AKIAEXAMPLE", apisecret: "secret", apiurl: MOTO },
  });
  expect(ec2.status(), await ec2.text()).toBe(201);
  created.backend = (await ec2.json()).id;
  const get = async (path: string) => (await request.get(path, { headers: asMaster() })).json();
  const image = (await get(`/backends/${created.backend}/images?search=amzn`))[0].id;
  const zone = (await get(`/backends/${created.backend}/locations`))[0].id;
  const made = await request.post(`/backends/${created.backend}/machines`, {
    headers: asMaster(),
    data: { name: `ro-${project()}`, image, size: "t2.micro", location: zone, key: KEY() },
  });
  expect(made.status(), await made.text()).toBe(201);
  created.id = (await made.json()).id;
});

test("the navigation links only the sections the reader may open", async ({ page }) => {
  await signIn(page, reader());
  const nav = page.getByRole("navigation", { name: "Sections" });
  await expect(nav.getByRole("link", { name: "Keys" })).toHaveCount(1);
  await expect(nav.getByRole("link", { name: "Machines" })).toHaveCount(1);
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);
});

test("Home offers no setting up and no action", async ({ page }) => {
  await signIn(page, reader());
  await open(page, "/");
  await expect(page.getByTestId("dashboard")).toBeVisible();
  await expect(page.getByTestId("checklist")).toHaveCount(0);
  expect(await writeActions(page)).toEqual([]);
});

test("Keys: no import, generate, rename, default, reveal or delete; the login-proven association says so", async ({ page }) => {
  await signIn(page, reader());
  await open(page, "/keys");
  const row = page.getByTestId("keys").locator(`tr[data-key="${KEY()}"]`);
  await expect(row).toBeVisible();
  // Proven by the bare-metal probe's login.
  const opens = row.getByTestId("opens");
  await expect(opens).toHaveCount(2);
  await expect(opens.filter({ hasText: HOST() })).toContainText(`opens as ${SSH.user}`);
  // Given at creation, never reached: not "opens as root (sudo)".
  const given = opens.filter({ hasText: `ro-${project()}` });
  await expect(given).toContainText("installed at creation, not yet used");
  await expect(given).not.toContainText("sudo");
  await expect(row.getByRole("link", { name: "Public key" })).toBeVisible();
  await expect(page.locator("#import-key")).toHaveCount(0);
  await expect(page.locator("#generate-key")).toHaveCount(0);
  expect(await writeActions(page)).toEqual([]);
});

test("the machine page: no command, terminal, script, tags or key deployment", async ({ page }) => {
  await signIn(page, reader());
  await open(page, `/machines/${machine.backend}/${machine.id}`);
  await expect(page.getByTestId("machine")).toBeVisible();
  await expect(page.getByTestId("machine-keys")).toContainText(KEY());
  await expect(page.getByTestId("machine-tags")).toHaveCount(0);
  await expect(page.getByTestId("deploy-key")).toHaveCount(0);
  await expect(page.getByTestId("run-script")).toHaveCount(0);
  await expect(page.getByTestId("terminal")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Run a command" })).toHaveCount(0);
  // The power buttons (Reboot, Stop, Destroy) come from the machine's
  // `can_*`, made rights-aware by the Machines work: this also checks them.
  expect(await writeActions(page)).toEqual([]);
  // Nor is the reader told the machine's state is what stops them.
  await expect(page.getByTestId("no-actions")).toHaveCount(0);
});

test("Stacks: no New stack", async ({ page }) => {
  await signIn(page, reader());
  await open(page, "/stacks");
  await expect(page.getByRole("heading", { name: "Stacks" })).toBeVisible();
  await expect(page.getByTestId("new-stack")).toHaveCount(0);
  expect(await writeActions(page)).toEqual([]);
  // Reached by its address anyway: no form.
  await open(page, "/stacks/new");
  await expect(page.getByTestId("may-not-create")).toBeVisible();
  await expect(page.locator("#new-stack")).toHaveCount(0);
  // Nor the picker that fills a template in (it would list no backend).
  await expect(page.getByTestId("picker")).toHaveCount(0);
  expect(await writeActions(page)).toEqual([]);
});

test("Account: only the reader's own credentials, no administration", async ({ page }) => {
  await signIn(page, reader());
  await open(page, "/account");
  await expect(page.getByTestId("whoami")).toContainText(reader().email);
  await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await open(page, "/admin");
  await expect(page.locator("#new-user")).toHaveCount(0);
});

// The Machines list, the Backends page and the Create machine page are the
// Machines and Backends work's; checked here as well.
test("Machines list (Machines work): no bulk or row action", async ({ page }) => {
  await signIn(page, reader());
  await open(page, "/machines");
  await expect(page.getByTestId("machines")).toContainText(HOST());
  await expect(page.getByTestId("create-machine")).toHaveCount(0);
  expect(await writeActions(page)).toEqual([]);
});

test("Backends (Backends work): no add, rename, disable or delete", async ({ page }) => {
  await signIn(page, reader());
  await open(page, "/backends");
  await expect(page.getByTestId("backends")).toContainText(HOST());
  await expect(page.locator("#add-backend")).toHaveCount(0);
  expect(await writeActions(page)).toEqual([]);
});

test("Create machine (Create work): no form to create with", async ({ page }) => {
  await signIn(page, reader());
  await open(page, `/backends/${machine.backend}/create`);
  await expect(page.locator("#create-machine")).toHaveCount(0);
  expect(await writeActions(page)).toEqual([]);
});

test.afterAll(async ({ playwright }, info) => {
  const base = info.project.use.baseURL;
  const request = await playwright.request.newContext({ baseURL: base });
  const headers = { Authorization: basic(MASTER), Accept: "application/json" };
  if (machine.backend) await request.delete(`/backends/${machine.backend}`, { headers });
  if (created.backend) {
    if (created.id) {
      await request.post(`/backends/${created.backend}/machines/${created.id}`, { headers, data: { action: "destroy" } });
    }
    await request.delete(`/backends/${created.backend}`, { headers });
  }
  await request.delete(`/keys/${KEY_OF(info.project.name)}`, { headers });
  await request.dispose();
  machine = { backend: "", id: "" };
  created = { backend: "", id: "" };
});

const KEY_OF = (name: string) => `ro-key-${name}`;
