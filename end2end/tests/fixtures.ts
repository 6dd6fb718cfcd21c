import { expect, test as base } from "@playwright/test";

// Every spec imports `test` and `expect` from here: a page error (a Rust
// panic in the WebAssembly, an uncaught exception) or a console error (a
// hydration mismatch, "Tried to access a reactive value that has already
// been disposed") fails the test that caused it. A refused request (4xx)
// logs "Failed to load resource" too; the page shows the refusal, and the
// tests check it there. A 5xx is never expected.
// (Not a spec itself: Playwright collects only *.spec.ts.)

const EXPECTED = /^Failed to load resource: the server responded with a status of 4\d\d/;

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error" && !EXPECTED.test(msg.text())) errors.push(msg.text());
      });
      page.on("pageerror", (error) => errors.push(String(error)));
      await use(errors);
      expect(errors, "console errors and page errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
export type { Page } from "@playwright/test";
