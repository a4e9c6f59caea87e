import type { RDSClient } from "@aws-sdk/client-rds";
import type { RdsProviderOptions } from "@/lib/providers/aws/rds-common";

// Shared by the DR providers' contract tests (aws-sdk-client-mock): a fake clock, the SDK's
// error shapes, and the region each recorded call went to.

/** Provider options on a fake clock: sleeping advances time at once and is recorded; jitter is at its maximum. */
export function fakeRdsClock(start: Date, pollIntervalMs = 15_000) {
  let time = start.getTime();
  const sleeps: number[] = [];
  const logs: string[] = [];
  const options: RdsProviderOptions = {
    now: () => new Date(time),
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    random: () => 1,
    pollIntervalMs,
  };
  return { options, sleeps, logs, ctx: { log: (message: string) => logs.push(message) } };
}

export const namedError = (name: string, message: string) => Object.assign(new Error(message), { name });

export const throttled = () => namedError("ThrottlingException", "Rate exceeded");

export const accessDenied = (action: string) =>
  namedError(
    "AccessDenied",
    `User: arn:aws:sts::111122223333:assumed-role/restore-console/worker is not authorized to perform: ${action} on resource: arn:aws:rds:us-west-2:111122223333:x because no identity-based policy allows the ${action} action`,
  );

/** The region of the client each recorded call was sent with (the mock records the client as `this`). */
export function regionsOf(calls: ReadonlyArray<{ thisValue: unknown }>): Promise<string[]> {
  return Promise.all(calls.map((call) => (call.thisValue as RDSClient).config.region()));
}
