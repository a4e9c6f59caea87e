import { describe, expect, it } from "vitest";
import { LocalPitrSource } from "@/lib/config/schema";
import { BadRequestError } from "@/lib/errors";
import { createPitrProviderFor } from "@/lib/providers/create-pitr-provider-for";

const local = LocalPitrSource.parse({
  provider: "local",
  dataDir: "/srv/pg/data",
  archiveDir: "/srv/pg/wal-archive",
  baseBackupDir: "/srv/pg/base-backups",
  restoreDir: "/srv/pg/restores",
  port: 54329,
  database: "loanserve",
  user: "postgres",
});

describe("createPitrProviderFor", () => {
  it("builds a local source's provider in its own region only: it has no DR region", () => {
    expect(createPitrProviderFor(local).kind).toBe("local");
    expect(createPitrProviderFor(local, "primary").kind).toBe("local");
    expect(() => createPitrProviderFor(local, "dr")).toThrow(BadRequestError);
    expect(() => createPitrProviderFor(local, "dr")).toThrow(
      "The PITR source loanserve on 127.0.0.1:54329 is self-hosted (provider local): it has no DR region, only its own WAL archive. Restore it in the primary region (leave region out).",
    );
  });
});
