import { describe, expect, it } from "vitest";
import { BackupReplica } from "@/lib/config/schema";
import { replicaCopyDetails, replicaViews, type ReplicaCopyRow } from "./replica-copies";

const configured = [
  BackupReplica.parse({
    name: "us-west-2",
    label: "us-west-2 (DR)",
    store: { kind: "s3", bucket: "loanserve-dr", prefix: "prod/pg", region: "us-west-2" },
  }),
  BackupReplica.parse({ name: "nas", store: { kind: "local", path: "/mnt/nas/backups" } }),
];
const primary = { size: 2048n, etag: '"abc"' };
const at = (iso: string) => new Date(iso);

describe("replicaViews", () => {
  it("lists every configured replica in order, a replica never listed as unchecked, and drops rows of removed replicas", () => {
    const copies: ReplicaCopyRow[] = [
      { replica: "gone", state: "same", lastModified: null },
      { replica: "nas", state: "missing", lastModified: null },
    ];
    expect(replicaViews(configured, copies)).toEqual([
      { name: "us-west-2", label: "us-west-2 (DR)", state: "unchecked", lastModified: null },
      { name: "nas", label: "nas", state: "missing", lastModified: null },
    ]);
  });

  it("is empty where no replica is configured", () => {
    expect(replicaViews([], [{ replica: "us-west-2", state: "same", lastModified: null }])).toEqual([]);
  });
});

describe("replicaCopyDetails", () => {
  const copy = (over: Partial<ReplicaCopyRow>): ReplicaCopyRow => ({
    replica: "us-west-2",
    state: "same",
    size: 2048n,
    etag: '"abc"',
    lastModified: at("2026-11-20T02:10:00Z"),
    observedAt: at("2026-11-20T02:15:00Z"),
    ...over,
  });

  it("gives an exact copy with its location, size, ETag and dates, and no differences", () => {
    const [dr, nas] = replicaCopyDetails(primary, configured, [copy({})]);
    expect(dr).toEqual({
      name: "us-west-2",
      label: "us-west-2 (DR)",
      state: "same",
      location: "s3://loanserve-dr/prod/pg/",
      size: 2048,
      etag: '"abc"',
      lastModified: "2026-11-20T02:10:00.000Z",
      observedAt: "2026-11-20T02:15:00.000Z",
      differences: [],
    });
    expect(nas).toMatchObject({ state: "unchecked", location: "/mnt/nas/backups", size: null, observedAt: null, differences: [] });
  });

  it("says which of size and ETag differ", () => {
    const details = (over: Partial<ReplicaCopyRow>) => replicaCopyDetails(primary, configured, [copy({ state: "differs", ...over })])[0];
    expect(details({ size: 1024n })?.differences).toEqual(["size"]);
    expect(details({ etag: '"def"' })?.differences).toEqual(["ETag"]);
    expect(details({ size: 1n, etag: '"def"' })?.differences).toEqual(["size", "ETag"]);
    // A copy without an ETag cannot be shown to be the same object.
    expect(details({ etag: null })?.differences).toEqual(["ETag"]);
  });

  it("lists no differences for a missing copy", () => {
    const [dr] = replicaCopyDetails(primary, configured, [copy({ state: "missing", size: null, etag: null, lastModified: null })]);
    expect(dr).toMatchObject({ state: "missing", size: null, etag: null, lastModified: null, differences: [] });
  });
});
