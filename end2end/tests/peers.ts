import { test } from "./fixtures";

// What a spec does when a peer run.sh starts (sshd, moto) is missing: the
// same rule as the Rust tests' testkit. Under OVERCAST_REQUIRE_PEERS=1
// (scripts/test.sh, so `make test` and CI) its tests fail, saying how to
// install the peer; otherwise (a plain end2end/run.sh) they skip, saying so.
// (Not a spec itself: Playwright collects only *.spec.ts.)

const required = () => {
  const value = process.env.OVERCAST_REQUIRE_PEERS ?? "";
  return value !== "" && value !== "0";
};

/** Call at a spec file's top level: `missing` says whether `what` is absent. */
export function needsPeer(missing: boolean, what: string, install: string) {
  if (!missing) return;
  const message = `${what} is missing; install it with: ${install}`;
  if (required()) {
    test.beforeEach(() => {
      throw new Error(`${message} (OVERCAST_REQUIRE_PEERS is set: a missing peer fails instead of skipping)`);
    });
  } else {
    test.skip(true, message);
  }
}
