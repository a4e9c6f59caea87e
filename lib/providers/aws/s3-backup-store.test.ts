import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { decodeS3Key, S3BackupStore } from "./s3-backup-store";

const settings = { bucket: "b", prefix: "prod/pg/", region: "us-east-1", forcePathStyle: false };

describe("decodeS3Key", () => {
  it("undoes S3's form-style URL encoding", () => {
    expect(decodeS3Key("prod/pg/a+b.sql.gz")).toBe("prod/pg/a b.sql.gz");
    expect(decodeS3Key("prod/pg/a%2Bb.sql.gz")).toBe("prod/pg/a+b.sql.gz");
    expect(decodeS3Key("prod/pg/100%25%0A.sql.gz")).toBe("prod/pg/100%\n.sql.gz");
  });
});

describe("S3BackupStore.list", () => {
  it("asks for url-encoded keys, follows continuation tokens, and decodes only what the server encoded", async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined })
      .resolves({ EncodingType: "url", IsTruncated: true, NextContinuationToken: "t2", Contents: [{ Key: "prod/pg/a+b.sql.gz", Size: 1 }] })
      .on(ListObjectsV2Command, { ContinuationToken: "t2" })
      .resolves({
        IsTruncated: false,
        Contents: [
          { Key: "prod/pg/c+d.sql.gz", Size: 2 },
          { Key: "elsewhere/x.sql.gz", Size: 3 },
        ],
      });
    const store = new S3BackupStore(new S3Client({}), settings);
    const keys: string[] = [];
    for await (const page of store.list()) keys.push(...page.map((o) => o.key));
    expect(keys).toEqual(["prod/pg/a b.sql.gz", "prod/pg/c+d.sql.gz"]);
    const calls = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { Bucket: "b", Prefix: "prod/pg/", ContinuationToken: undefined, EncodingType: "url" },
      { Bucket: "b", Prefix: "prod/pg/", ContinuationToken: "t2", EncodingType: "url" },
    ]);
    s3.restore();
  });
});
