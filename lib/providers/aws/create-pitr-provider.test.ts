import { RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AwsPitrSource } from "@/lib/config/schema";
import { ConfigurationError } from "@/lib/errors";
import { AuroraGlobalFailover } from "@/lib/providers/aws/aurora-global-failover";
import { AuroraPitrProvider } from "@/lib/providers/aws/aurora-pitr-provider";
import { createAuroraGlobalFailover, createAwsPitrProvider } from "@/lib/providers/aws/create-pitr-provider";
import { regionsOf } from "@/lib/providers/aws/rds-test-fakes";
import { RdsInstancePitrProvider } from "@/lib/providers/aws/rds-instance-pitr-provider";

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());
afterAll(() => rds.restore());

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
const SNAPSHOT_DR = { mode: "snapshot", region: "us-west-2" };
const GLOBAL_DR = {
  mode: "global",
  region: "us-west-2",
  globalClusterIdentifier: "loanserve-global",
  secondaryClusterIdentifier: "loanserve-dr",
};

/** The regions of the calls a describe made (unmocked, each answers nothing, so it fails after one call). */
async function regionsOfCalls(describe: () => Promise<unknown>): Promise<string[]> {
  rds.reset();
  await describe().catch(() => undefined);
  return regionsOf(rds.calls());
}

describe("createAwsPitrProvider", () => {
  it("builds the provider that matches the engine, in the source's region by default", async () => {
    const auroraProvider = createAwsPitrProvider(aurora(SNAPSHOT_DR));
    expect(auroraProvider).toBeInstanceOf(AuroraPitrProvider);
    expect(auroraProvider.kind).toBe("aws-aurora");
    expect(await regionsOfCalls(() => auroraProvider.describeWindow())).toEqual(["us-east-1"]);
    const instanceProvider = createAwsPitrProvider(instance(), { region: "primary" });
    expect(instanceProvider).toBeInstanceOf(RdsInstancePitrProvider);
    expect(await regionsOfCalls(() => instanceProvider.describeWindow())).toEqual(["us-east-1"]);
  });

  it('builds the same providers on a client of the DR region with region: "dr"', async () => {
    const auroraProvider = createAwsPitrProvider(aurora(SNAPSHOT_DR), { region: "dr" });
    expect(auroraProvider).toBeInstanceOf(AuroraPitrProvider);
    expect(await regionsOfCalls(() => auroraProvider.describeWindow())).toEqual(["us-west-2"]);
    const instanceProvider = createAwsPitrProvider(instance({ region: "eu-west-1" }), { region: "dr" });
    expect(instanceProvider).toBeInstanceOf(RdsInstancePitrProvider);
    expect(await regionsOfCalls(() => instanceProvider.describeWindow())).toEqual(["eu-west-1"]);
  });

  it("refuses a DR provider for a source without dr, and for a global database (a failover, not a restore)", () => {
    expect(() => createAwsPitrProvider(instance(), { region: "dr" })).toThrow(ConfigurationError);
    expect(() => createAwsPitrProvider(instance(), { region: "dr" })).toThrow('The source "loanserve-prod" has no dr block');
    expect(() => createAwsPitrProvider(aurora(GLOBAL_DR), { region: "dr" })).toThrow(
      'The source "loanserve-prod-aurora" recovers in us-west-2 through its global database (dr.mode: global): that is a failover (createAuroraGlobalFailover), not a restore.',
    );
  });
});

describe("createAuroraGlobalFailover", () => {
  it("builds the failover on a client of the DR region", async () => {
    const failover = createAuroraGlobalFailover(aurora(GLOBAL_DR));
    expect(failover).toBeInstanceOf(AuroraGlobalFailover);
    expect(await regionsOfCalls(() => failover.describeGlobalCluster())).toEqual(["us-west-2"]);
  });

  it("refuses a source whose DR is not a global database", () => {
    for (const source of [aurora(SNAPSHOT_DR), aurora(), instance({ region: "us-west-2" })]) {
      expect(() => createAuroraGlobalFailover(source)).toThrow(ConfigurationError);
    }
  });
});
