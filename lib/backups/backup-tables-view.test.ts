import { describe, expect, it } from "vitest";
import { TABLES_READ_STALE_AFTER_MS, tablesStateOf } from "./backup-tables-view";

describe("tablesStateOf", () => {
  const now = new Date("2026-11-29T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it("passes the stored states through", () => {
    for (const state of ["unread", "reading", "ready", "failed"] as const) {
      expect(tablesStateOf({ tablesState: state, tablesReadAt: ago(1000) }, now)).toBe(state);
    }
  });

  it("shows a read whose worker was lost as failed, not reading for ever", () => {
    expect(tablesStateOf({ tablesState: "reading", tablesReadAt: ago(TABLES_READ_STALE_AFTER_MS - 1) }, now)).toBe("reading");
    expect(tablesStateOf({ tablesState: "reading", tablesReadAt: ago(TABLES_READ_STALE_AFTER_MS + 1) }, now)).toBe("failed");
  });

  it("reads an unknown stored state as unread", () => {
    expect(tablesStateOf({ tablesState: "weird", tablesReadAt: null }, now)).toBe("unread");
  });
});
