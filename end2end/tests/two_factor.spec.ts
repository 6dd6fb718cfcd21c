import { createHmac } from "node:crypto";
import { expect, test, type Page } from "./fixtures";
import { MASTER, basic, hydrated, open, signIn } from "./steps";

// Two-factor sign-in on the Account page, then signing in with a code, with
// JavaScript off and hydrated. A user of its own, so the master (and the
// specs after this one) sign in with a password alone.

type User = { username: string; email: string; password: string };
const USER: User = { username: "second-factor", email: "second-factor@example.com", password: "a long password for 2FA" };
const LATE: User = { username: "late-enroller", email: "late-enroller@example.com", password: "a long password, no 2FA yet" };

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 6238: the 6-digit code of time step `step` (30 s, HMAC-SHA1). */
function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return binary.toString().padStart(6, "0");
}

const stepNow = () => Math.floor(Date.now() / 30_000);

/** The master exists (foundation.spec.ts made it, or this does) and so does `who`. */
async function ensureUser(page: Page, who: User) {
  const request = page.request;
  const info = await (await request.get("/api/session_info")).json();
  if (!info.set_up) {
    const made = await request.post("/api/create_master", {
      form: { email: MASTER.email, password: MASTER.password, password_confirm: MASTER.password },
    });
    expect(made.status()).toBeLessThan(400);
    await page.context().clearCookies();
  }
  const res = await request.post("/v3/user", {
    headers: { Authorization: basic(MASTER) },
    data: { username: who.username, email: who.email, password: who.password },
  });
  expect([200, 409]).toContain(res.status());
}

async function passwordStep(page: Page, who: User = USER) {
  await open(page, "/signin");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Enrols on the Account page (open): the secret, the step confirmed, a recovery code. */
async function enrol(page: Page) {
  await expect(page.getByTestId("two-factor-state")).toContainText("Off");
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  const qr = page.locator("img.qr");
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
  expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  const secret = base32Decode((await page.getByTestId("two-factor-secret").textContent()) ?? "");
  expect(secret.length).toBe(20);
  // Confirmed with the code of the moment: the recovery codes, shown once.
  const step = stepNow();
  const confirm = page.locator("#confirm-two-factor");
  await confirm.getByLabel("Code from your authenticator").fill(totp(secret, step));
  await confirm.getByRole("button", { name: "Confirm and turn on" }).click();
  const codes = page.getByTestId("recovery-codes");
  await expect(codes.locator("li")).toHaveCount(10);
  const recoveryCode = ((await codes.locator("li").first().textContent()) ?? "").trim();
  expect(recoveryCode).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  await expect(page.getByTestId("two-factor-state")).toContainText("On");
  return { secret, step, recoveryCode };
}

test("a user enrols an authenticator, signs out, and signs in with its code", async ({ page }) => {
  await ensureUser(page, USER);
  await passwordStep(page);
  await expect(page.getByTestId("whoami")).toContainText(USER.email);

  await open(page, "/account");
  const { secret, step, recoveryCode } = await enrol(page);
  await open(page, "/account");
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0);
  await expect(page.getByTestId("two-factor-state")).toContainText("10 recovery codes left");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);

  // The password leads to the code step; a wrong code is refused there.
  await passwordStep(page);
  await expect(page).toHaveURL(/\/signin\/code/);
  if (hydrated()) await page.waitForLoadState("networkidle");
  const form = page.locator("#sign-in-code");
  const right = totp(secret, step + 1);
  const wrong = right === "000000" ? "111111" : "000000";
  await form.getByLabel("Code").fill(wrong);
  await form.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#sign-in-code .form-error")).toContainText("wrong or used two-factor code");
  await page.locator("#sign-in-code").getByLabel("Code").fill(right);
  await page.locator("#sign-in-code").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(USER.email);

  // Off again, proven with a recovery code.
  await open(page, "/account");
  const remove = page.locator("#remove-two-factor");
  await remove.getByLabel("Code from your authenticator (or a recovery code)").fill(recoveryCode);
  await remove.getByRole("button", { name: "Turn off two-factor sign-in" }).click();
  await expect(page.getByTestId("two-factor-state")).toContainText("Off");
});

test("the master requires two-factor sign-in: a user without it enrols first; the master resets it", async ({ page, browser }) => {
  await ensureUser(page, LATE);
  // The master stays signed in here (a session begun before the rule);
  // the user signs in in a browser of their own.
  await signIn(page, MASTER);
  await open(page, "/admin/two-factor");
  await page.getByRole("button", { name: "Require two-factor sign-in" }).click();
  await expect(page.getByTestId("two-factor-required")).toContainText("Required:");

  const context = await browser.newContext({ javaScriptEnabled: hydrated() });
  const user = await context.newPage();
  await passwordStep(user, LATE);
  await expect(user).toHaveURL(/\/account/);
  await expect(user.getByText("The administrator requires two-factor sign-in")).toBeVisible();
  await open(user, "/machines");
  await expect(user).toHaveURL(/\/account$/);
  await enrol(user);
  await open(user, "/machines");
  await expect(user).toHaveURL(/\/machines$/);
  await context.close();

  // The master sees it on, resets it (asked first), and stops requiring it.
  await open(page, "/admin");
  const row = page.getByTestId("users").locator("tr", { hasText: LATE.email });
  await expect(row.getByTestId("two-factor")).toHaveText("on");
  await row.locator("summary", { hasText: "Reset two-factor" }).click();
  await row.getByRole("button", { name: `Reset two-factor sign-in of ${LATE.username}` }).click();
  await expect(page.getByTestId("users").locator("tr", { hasText: LATE.email }).getByTestId("two-factor")).toHaveText("off");
  await open(page, "/admin/two-factor");
  await page.getByRole("button", { name: "Stop requiring two-factor sign-in" }).click();
  await expect(page.getByTestId("two-factor-required")).toContainText("Not required");
});
