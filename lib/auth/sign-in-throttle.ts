import { createHash } from "node:crypto";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { createAppPgPool, type AppPgPool } from "@/lib/db/pg-pool";

/**
 * Sign-in throttling, per account and per client address, kept in the app's PostgreSQL
 * (rate-limiter-flexible's `RateLimiterPostgres`, table `sign_in_throttle`), so every web process
 * shares one count.
 *
 * - Account: the first `accountFreeFailures` failures in a row are answered at once; each further
 *   failure makes the account wait `accountBaseBackoffSeconds`, doubling per failure up to
 *   `accountMaxBackoffSeconds`. A success clears the run; so does `accountForgetSeconds` after
 *   its first failure. Every email counts, known or not, so the answers reveal nothing.
 * - Address: `addressPoints` password checks per `addressWindowSeconds` from one address (IPv6: one
 *   /64); beyond that, the address waits out a block of one window. Successes are refunded, so
 *   people behind one NAT who sign in correctly never use it up.
 *
 * An attempt reserves its points BEFORE the password is checked, so parallel attempts cannot
 * overrun a limit (at most `accountFreeFailures + 1` checks for one account, however many arrive
 * at once), and a throttled attempt is answered without checking the password.
 */
export interface SignInThrottleLimits {
  accountFreeFailures: number;
  accountBaseBackoffSeconds: number;
  accountMaxBackoffSeconds: number;
  accountForgetSeconds: number;
  addressPoints: number;
  addressWindowSeconds: number;
  /** How long one check past the free failures holds the account's slot (longer than any check). */
  checkHoldSeconds: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInThrottleLimits = {
  accountFreeFailures: 5,
  accountBaseBackoffSeconds: 15,
  accountMaxBackoffSeconds: 15 * 60,
  accountForgetSeconds: 24 * 60 * 60,
  addressPoints: 50,
  addressWindowSeconds: 15 * 60,
  checkHoldSeconds: 30,
};

export const SIGN_IN_THROTTLE_TABLE = "sign_in_throttle";

export type SignInAttempt =
  | { throttled: true; by: "account" | "address"; retryAfterSeconds: number }
  | {
      throttled: false;
      /** This attempt's place in the account's run of failures (1 for the first). */
      failuresSoFar: number;
      /** The password was right: clear the account's run, refund the address. */
      succeeded(): Promise<void>;
      /** The password was wrong (or the account may not sign in): start or extend the backoff. */
      failed(): Promise<{ failures: number; backoffSeconds: number | null }>;
    };

/** A limiter key that is short, fixed-length and carries no email or address in clear text. */
const keyOf = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 40);

/** rate-limiter-flexible rejects with a RateLimiterRes when a limit is exceeded, and with an Error when the store fails. */
async function consumeOrResult(limiter: RateLimiterPostgres, key: string): Promise<{ allowed: boolean; res: RateLimiterRes }> {
  try {
    return { allowed: true, res: await limiter.consume(key) };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { allowed: false, res: rejection };
    throw rejection;
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class SignInThrottle {
  readonly limits: SignInThrottleLimits;
  /** Failures (and checks in flight) in the account's current run. */
  private readonly accountRun: RateLimiterPostgres;
  /** The account's backoff block, or the slot held by the one check allowed after a backoff. */
  private readonly accountGate: RateLimiterPostgres;
  private readonly address: RateLimiterPostgres;

  constructor(pool: AppPgPool, limits: Partial<SignInThrottleLimits> = {}) {
    this.limits = { ...DEFAULT_SIGN_IN_LIMITS, ...limits };
    const l = this.limits;
    // The table comes from a migration (tableCreated), so the app never runs DDL at sign-in.
    const common = { storeClient: pool, storeType: "pool", tableName: SIGN_IN_THROTTLE_TABLE, tableCreated: true };
    this.accountRun = new RateLimiterPostgres({
      ...common,
      keyPrefix: "account",
      points: l.accountFreeFailures,
      duration: l.accountForgetSeconds,
    });
    this.accountGate = new RateLimiterPostgres({ ...common, keyPrefix: "account_gate", points: 1, duration: l.checkHoldSeconds });
    this.address = new RateLimiterPostgres({
      ...common,
      keyPrefix: "address",
      points: l.addressPoints,
      duration: l.addressWindowSeconds,
      blockDuration: l.addressWindowSeconds,
    });
  }

  /** Backoff after the n-th failure in a row (null while failures are still free). */
  backoffSeconds(failures: number): number | null {
    const l = this.limits;
    if (failures < l.accountFreeFailures) return null;
    return Math.min(l.accountMaxBackoffSeconds, l.accountBaseBackoffSeconds * 2 ** (failures - l.accountFreeFailures));
  }

  /**
   * Decides whether a sign-in may check its password. `account` is the normalised email, `address`
   * the address bucket (see `addressBucket`).
   */
  async begin({ account, address }: { account: string; address: string }): Promise<SignInAttempt> {
    const accountKey = keyOf(account);
    const addressKey = keyOf(address);

    // Already blocked: answer from one read each, writing nothing.
    const [gate, spent] = await Promise.all([this.accountGate.get(accountKey), this.address.get(addressKey)]);
    if (gate && gate.consumedPoints > 1 && gate.msBeforeNext > 0) {
      return { throttled: true, by: "account", retryAfterSeconds: seconds(gate.msBeforeNext) };
    }
    if (spent && spent.consumedPoints > this.limits.addressPoints && spent.msBeforeNext > 0) {
      return { throttled: true, by: "address", retryAfterSeconds: seconds(spent.msBeforeNext) };
    }

    // Reserve before checking: the database's upsert makes each reservation atomic.
    const byAddress = await consumeOrResult(this.address, addressKey);
    if (!byAddress.allowed) return { throttled: true, by: "address", retryAfterSeconds: seconds(byAddress.res.msBeforeNext) };
    const run = await consumeOrResult(this.accountRun, accountKey);
    const failuresSoFar = run.res.consumedPoints;
    if (!run.allowed) {
      // Past the free failures: one check at a time, and only once the backoff has passed.
      const slot = await consumeOrResult(this.accountGate, accountKey);
      if (!slot.allowed) {
        await Promise.all([this.accountRun.reward(accountKey, 1), this.address.reward(addressKey, 1)]);
        return { throttled: true, by: "account", retryAfterSeconds: seconds(slot.res.msBeforeNext) };
      }
    }

    return {
      throttled: false,
      failuresSoFar,
      succeeded: async () => {
        await Promise.all([this.accountRun.delete(accountKey), this.accountGate.delete(accountKey), this.address.reward(addressKey, 1)]);
      },
      failed: async () => {
        const backoff = this.backoffSeconds(failuresSoFar);
        if (backoff !== null) await this.accountGate.block(accountKey, backoff);
        return { failures: failuresSoFar, backoffSeconds: backoff };
      },
    };
  }
}

/** A small pool of its own: the limiter speaks `pg`, the rest of the app speaks Prisma. */
export function createThrottlePool(connectionString: string): AppPgPool {
  return createAppPgPool(connectionString, { label: "sign-in throttle", max: 4 });
}

const globalForThrottle = globalThis as unknown as { restoreConsoleSignInThrottle?: { url: string; throttle: SignInThrottle } };

/** The process-wide throttle for the app's database (kept on globalThis, like the Prisma client). */
export function getSignInThrottle(databaseUrl: string): SignInThrottle {
  const cached = globalForThrottle.restoreConsoleSignInThrottle;
  if (cached?.url === databaseUrl) return cached.throttle;
  const throttle = new SignInThrottle(createThrottlePool(databaseUrl));
  globalForThrottle.restoreConsoleSignInThrottle = { url: databaseUrl, throttle };
  return throttle;
}
