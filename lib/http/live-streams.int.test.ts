import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as runEvents } from "@/app/api/restores/[runId]/events/route";
import { GET as incidentEvents } from "@/app/api/incidents/[incidentId]/events/route";
import { createDb, type Db } from "@/lib/db/client";
import { HUB_APPLICATION_NAME, listenHubStats } from "@/lib/db/listen-hub";
import { appendRunEvent } from "@/lib/restore/engine/events";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase, sqlOn } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import { configureLiveStreams, liveStream, openStreamCount } from "./sse";

// The live streams as a browser meets them, with the route handlers called as functions and
// their ReadableStreams read: one LISTEN connection per process however many streams are open,
// a cap per person, 404 for an unknown run, the session re-checked on every heartbeat, and a
// maximum lifetime after which the browser resumes from its last event id without a gap.

let url: string;
let database: string;
let db: Db;
let viewer: TestUser;
let runId: string;
const open: Tap[] = [];

/** A stream being read in the background, as EventSource would. */
class Tap {
  text = "";
  ended = false;
  readonly done: Promise<void>;

  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    this.done = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.text += decoder.decode(value, { stream: true });
      }
      this.ended = true;
    })().catch(() => {
      this.ended = true;
    });
  }

  static async open(path: string, user: TestUser, headers: Record<string, string> = {}): Promise<Tap> {
    const abort = new AbortController();
    const request = apiRequest(path, { cookie: user.cookie, headers, signal: abort.signal });
    const [, kind, id = ""] = /^\/api\/(restores|incidents)\/([^/?]+)\/events/.exec(path) ?? [];
    const response =
      kind === "restores"
        ? await runEvents(request, { params: Promise.resolve({ runId: id }) })
        : await incidentEvents(request, { params: Promise.resolve({ incidentId: id }) });
    const tap = new Tap(response, abort);
    if (response.ok) open.push(tap);
    return tap;
  }

  /** The body of an answer that is not a stream (an error). */
  async json<T>(): Promise<T> {
    await this.done;
    return JSON.parse(this.text) as T;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  /** The ids of the run events received, in order. */
  eventIds(): string[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1] ?? "");
  }

  async waitFor(predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.text)) {
      if (Date.now() > deadline) throw new Error(`timed out; received so far:\n${this.text.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function appConnections(): Promise<{ total: number; live: number; readers: number }> {
  const rows = await sqlOn<{ total: number; live: number; readers: number }>(
    "postgres",
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE application_name = $2)::int AS live,
            count(*) FILTER (WHERE application_name = 'restore-console-run-events')::int AS readers
       FROM pg_stat_activity WHERE datname = $1`,
    [database, HUB_APPLICATION_NAME],
  );
  return rows[0] ?? { total: 0, live: 0, readers: 0 };
}

async function newRun(): Promise<string> {
  const run = await db.restoreRun.create({
    data: {
      kind: "logical",
      environment: "demo",
      targetName: "dr",
      targetDatabase: "loanserve",
      mode: "swap",
      status: "running",
      plan: {},
      scratchDatabase: `loanserve_restore_${randomUUID().slice(0, 8)}`,
      requestedByEmail: "test@example.com",
    },
  });
  return run.id;
}

beforeAll(async () => {
  url = await createMigratedDatabase();
  database = new URL(url).pathname.slice(1);
  useTestEnv(url);
  db = createDb(url);
  viewer = await createTestUser(url, "viewer");
  runId = await newRun();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((tap) => tap.close()));
});

afterAll(async () => {
  await db.$disconnect();
});

describe("run event streams", () => {
  it("answers 404 for a run that does not exist, before opening anything", async () => {
    const tap = await Tap.open(`/api/restores/${randomUUID()}/events`, viewer);
    expect(tap.response.status).toBe(404);
    expect((await tap.json<{ error: { code: string } }>()).error.code).toBe("not_found");
    expect(openStreamCount(viewer.id)).toBe(0);
  });

  it("200 open streams share one LISTEN connection: the app database's connection count stays flat", async () => {
    // Twenty people with ten streams each (the per-person cap).
    const people = await Promise.all(Array.from({ length: 20 }, () => createTestUser(url, "viewer")));
    const first = await Promise.all(
      people.slice(0, 2).flatMap((person) => Array.from({ length: 10 }, () => Tap.open(`/api/restores/${runId}/events`, person))),
    );
    expect(first.every((tap) => tap.response.status === 200)).toBe(true);
    await appendRunEvent(db, runId, "message", { text: "warm-up" });
    await Promise.all(first.map((tap) => tap.waitFor((t) => t.includes("warm-up"))));
    const baseline = await appConnections();

    const rest = await Promise.all(
      people.slice(2).flatMap((person) => Array.from({ length: 10 }, () => Tap.open(`/api/restores/${runId}/events`, person))),
    );
    expect(rest.every((tap) => tap.response.status === 200)).toBe(true);
    const all = [...first, ...rest];
    expect(all).toHaveLength(200);
    await appendRunEvent(db, runId, "message", { text: "heard by all" });
    await Promise.all(all.map((tap) => tap.waitFor((t) => t.includes("heard by all"))));

    const after = await appConnections();
    expect(after.live).toBe(1);
    expect(after.readers).toBeLessThanOrEqual(3);
    // Flat: the 180 extra streams added no connection beyond pool warm-up noise.
    expect(after.total).toBeLessThanOrEqual(baseline.total + 2);
    expect(listenHubStats().connections).toBe(1);
    console.log(`app database connections: ${baseline.total} with 20 streams, ${after.total} with 200`);
  });

  it("a person may hold 10 streams; the 11th is answered 429 with what to do, and closing one frees a place", async () => {
    const person = await createTestUser(url, "viewer");
    const ten = await Promise.all(Array.from({ length: 10 }, () => Tap.open(`/api/restores/${runId}/events`, person)));
    expect(ten.map((t) => t.response.status)).toEqual(Array(10).fill(200));
    const eleventh = await Tap.open(`/api/restores/${runId}/events`, person);
    expect(eleventh.response.status).toBe(429);
    const body = await eleventh.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe("too_many_requests");
    expect(body.error.message).toMatch(/10 live views open.*Close some tabs/);
    // Someone else is not affected.
    expect((await Tap.open(`/api/restores/${runId}/events`, viewer)).response.status).toBe(200);

    await ten[0]?.close();
    expect(openStreamCount(person.id)).toBe(9);
    expect((await Tap.open(`/api/restores/${runId}/events`, person)).response.status).toBe(200);
  });

  it("a disabled person's open stream ends within one heartbeat, saying why, and is not resumed", async () => {
    const restore = configureLiveStreams({ heartbeatMs: 200 });
    try {
      const person = await createTestUser(url, "viewer");
      const tap = await Tap.open(`/api/restores/${runId}/events`, person);
      expect(tap.response.status).toBe(200);
      await tap.waitFor((t) => t.includes(": keep-alive"));
      expect(tap.ended).toBe(false);
      const disabledAt = Date.now();
      await db.user.update({ where: { id: person.id }, data: { disabledAt: new Date() } });
      await tap.done;
      expect(Date.now() - disabledAt).toBeLessThan(2_000);
      expect(tap.text).toMatch(/event: end\ndata: \{"reason":"session","reconnect":false/);
      expect(openStreamCount(person.id)).toBe(0);
      // Reconnecting is refused.
      expect((await Tap.open(`/api/restores/${runId}/events`, person)).response.status).toBe(401);
    } finally {
      restore();
    }
  });

  it("a stream that needs a role ends within one heartbeat of its person being demoted below it", async () => {
    const restore = configureLiveStreams({ heartbeatMs: 200 });
    try {
      const operator = await createTestUser(url, "operator");
      const request = apiRequest("/api/some/operator/stream", { cookie: operator.cookie });
      const ctx = {
        user: { id: operator.id, email: operator.email, name: null, role: operator.role },
        db,
        requestId: "demotion-test",
        request,
      };
      const tap = new Tap(
        liveStream(ctx, "operator", async () => () => undefined),
        new AbortController(),
      );
      open.push(tap);
      await tap.waitFor((t) => t.includes(": keep-alive"));
      expect(tap.ended).toBe(false);
      const demotedAt = Date.now();
      await db.user.update({ where: { id: operator.id }, data: { role: "viewer" } });
      await tap.done;
      expect(Date.now() - demotedAt).toBeLessThan(2_000);
      expect(tap.text).toContain('"reason":"session"');
    } finally {
      restore();
    }
  });

  it("closes at its maximum lifetime, and the browser's reconnect with Last-Event-ID resumes without losing or repeating an event", async () => {
    const restore = configureLiveStreams({ maxLifetimeMs: 1_500 });
    const run = await newRun();
    try {
      const tap = await Tap.open(`/api/restores/${run}/events`, viewer);
      await appendRunEvent(db, run, "message", { text: "before the close" });
      await tap.waitFor((t) => t.includes("before the close"));
      await tap.done;
      expect(tap.text).toMatch(/retry: 250\n\nevent: end\ndata: \{"reason":"lifetime","reconnect":true/);
      const lastId = tap.eventIds().at(-1);
      expect(lastId).toBeDefined();
      // Written while no stream was open.
      await appendRunEvent(db, run, "message", { text: "while reconnecting" });

      const resumed = await Tap.open(`/api/restores/${run}/events?after=0`, viewer, { "last-event-id": lastId ?? "" });
      await appendRunEvent(db, run, "message", { text: "after the reconnect" });
      await resumed.waitFor((t) => t.includes("after the reconnect"));
      expect(resumed.text).not.toContain("before the close");
      const texts = [...resumed.text.matchAll(/"text":"([^"]+)"/g)].map((m) => m[1]);
      expect(texts).toEqual(["while reconnecting", "after the reconnect"]);
    } finally {
      restore();
    }
  });

  it("when the shared connection drops, it comes back and streams catch up on what was written meanwhile", async () => {
    const run = await newRun();
    const tap = await Tap.open(`/api/restores/${run}/events`, viewer);
    await appendRunEvent(db, run, "message", { text: "one" });
    await tap.waitFor((t) => t.includes('"one"'));
    await sqlOn("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2", [
      database,
      HUB_APPLICATION_NAME,
    ]);
    await appendRunEvent(db, run, "message", { text: "two" });
    await tap.waitFor((t) => t.includes('"two"'));
    await appendRunEvent(db, run, "message", { text: "three" });
    await tap.waitFor((t) => t.includes('"three"'));
    expect([...tap.text.matchAll(/"text":"([^"]+)"/g)].map((m) => m[1])).toEqual(["one", "two", "three"]);
    expect(tap.ended).toBe(false);
    expect((await appConnections()).live).toBe(1);
  });
});

describe("incident event streams", () => {
  it("answers 404 for an unknown incident", async () => {
    const tap = await Tap.open(`/api/incidents/${randomUUID()}/events`, viewer);
    expect(tap.response.status).toBe(404);
    expect(openStreamCount(viewer.id)).toBe(0);
  });

  it("counts toward the same per-person cap as run streams, and a resumed stream is told to resync", async () => {
    const template = await db.checklistTemplate.create({ data: { name: `t-${randomUUID()}`, version: 1, phases: [], createdBy: "test" } });
    const incident = await db.incident.create({
      data: {
        title: "Loans missing",
        environment: "demo",
        severity: "sev1",
        scope: "loans",
        startedAt: new Date(),
        declaredByEmail: viewer.email,
        checklistTemplateId: template.id,
        templateVersion: 1,
      },
    });
    const person = await createTestUser(url, "viewer");
    await Promise.all(Array.from({ length: 9 }, () => Tap.open(`/api/restores/${runId}/events`, person)));
    const resumed = await Tap.open(`/api/incidents/${incident.id}/events`, person, { "last-event-id": "0" });
    expect(resumed.response.status).toBe(200);
    await resumed.waitFor((t) => t.includes('"resync":true'));
    expect(resumed.text).toMatch(/^id: 0$/m);
    expect((await Tap.open(`/api/incidents/${incident.id}/events`, person)).response.status).toBe(429);
  });
});
