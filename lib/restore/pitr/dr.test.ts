import { describe, expect, it } from "vitest";
import { AwsPitrSource, LocalPitrSource } from "@/lib/config/schema";
import { globalDatabaseOf, pitrDrOf, PitrRegion, sourceInPlannedRegion } from "./dr";

const aurora = (dr?: object) =>
  AwsPitrSource.parse({ provider: "aws", region: "us-east-1", clusterIdentifier: "loanserve-prod-aurora", user: "loanserve", dr });
const instance = (dr?: object) =>
  AwsPitrSource.parse({
    provider: "aws",
    engine: "postgres",
    region: "us-east-1",
    instanceIdentifier: "loanserve-prod",
    user: "loanserve",
    dr,
  });
const local = LocalPitrSource.parse({
  provider: "local",
  dataDir: "/srv/pg/data",
  archiveDir: "/srv/pg/wal-archive",
  baseBackupDir: "/srv/pg/base-backups",
  restoreDir: "/srv/pg/restores",
  database: "loanserve",
  user: "postgres",
});
const GLOBAL = {
  mode: "global",
  region: "us-west-2",
  globalClusterIdentifier: "loanserve-global",
  secondaryClusterIdentifier: "loanserve-dr",
};

describe("where a source can be recovered when its region fails", () => {
  it("restores an RDS instance from replicated backups and Aurora from a snapshot copy, in the DR region", () => {
    expect(pitrDrOf(instance({ region: "us-west-2" }))).toEqual({
      primaryRegion: "us-east-1",
      region: "us-west-2",
      kind: "replicated-backups",
    });
    expect(pitrDrOf(aurora({ mode: "snapshot", region: "eu-west-1" }))).toEqual({
      primaryRegion: "us-east-1",
      region: "eu-west-1",
      kind: "snapshot-copy",
    });
  });

  it("restores nothing in another region for a local source, a source without dr, or a global database (promoted instead)", () => {
    expect(pitrDrOf(local)).toBeNull();
    expect(pitrDrOf(instance())).toBeNull();
    expect(pitrDrOf(aurora(GLOBAL))).toBeNull();
    expect(globalDatabaseOf(aurora(GLOBAL))).toEqual({
      primaryRegion: "us-east-1",
      region: "us-west-2",
      globalClusterIdentifier: "loanserve-global",
      secondaryClusterIdentifier: "loanserve-dr",
    });
    for (const source of [local, instance({ region: "us-west-2" }), aurora({ mode: "snapshot", region: "us-west-2" }), aurora()]) {
      expect(globalDatabaseOf(source)).toBeNull();
    }
  });

  it("takes primary or dr as a region, and says what it expects otherwise", () => {
    expect(PitrRegion.parse("dr")).toBe("dr");
    expect(PitrRegion.safeParse("us-west-2").error?.issues[0]?.message).toBe(
      'expected "primary" (the source\'s own region) or "dr" (its DR region)',
    );
  });
});

describe("sourceInPlannedRegion", () => {
  const planned = { region: "dr" as const, dr: { primaryRegion: "us-east-1", region: "us-west-2", kind: "replicated-backups" as const } };

  it("keeps the configured dr block when it names the planned region", () => {
    const source = instance({ region: "us-west-2", automatedBackupsArn: "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-x" });
    expect(sourceInPlannedRegion(source, planned)).toBe(source);
    expect(sourceInPlannedRegion(source, { region: "primary" })).toBe(source);
  });

  it("reaches the planned region when the configuration has moved or dropped it", () => {
    expect(sourceInPlannedRegion(instance({ region: "eu-west-1" }), planned)).toMatchObject({ dr: { region: "us-west-2" } });
    expect(sourceInPlannedRegion(instance(), planned)).toMatchObject({ dr: { region: "us-west-2" } });
    expect(sourceInPlannedRegion(aurora(), { ...planned, dr: { ...planned.dr, kind: "snapshot-copy" } })).toMatchObject({
      dr: { region: "us-west-2", mode: "snapshot" },
    });
    expect(sourceInPlannedRegion(local, planned)).toBe(local);
  });
});
