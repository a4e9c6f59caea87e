import { describe, expect, it } from "vitest";
import { addressTokens, type AddressToken } from "@/lib/address-tokens";

const text = (value: string): AddressToken => ({ kind: "text", text: value });
const port = (value: string): AddressToken => ({ kind: "port", text: value });
const wrap: AddressToken = { kind: "break" };

describe("addressTokens", () => {
  it("keeps an endpoint's port whole and lets it wrap only after the scheme", () => {
    expect(addressTokens("http://127.0.0.1:45123")).toEqual([text("http://"), wrap, text("127.0.0.1"), port(":45123")]);
  });

  it("splits a store location after each '/', the port keeping its slash", () => {
    expect(addressTokens("s3://loanserve-backups/prod/pg/ at https://minio.internal:9000/")).toEqual([
      text("s3://"),
      wrap,
      text("loanserve-backups/"),
      wrap,
      text("prod/"),
      wrap,
      text("pg/ at https://"),
      wrap,
      text("minio.internal"),
      port(":9000/"),
    ]);
    expect(addressTokens("db.internal:5432/loanserve")).toEqual([text("db.internal"), port(":5432/"), wrap, text("loanserve")]);
  });

  it("does not wrap after a leading '/' of a path", () => {
    expect(addressTokens("folder /var/backups")).toEqual([text("folder /var/"), wrap, text("backups")]);
    expect(addressTokens("/srv/dumps/")).toEqual([text("/srv/"), wrap, text("dumps/")]);
  });

  it("leaves text without ports or slashes alone", () => {
    expect(addressTokens("[::1]")).toEqual([text("[::1]")]);
    expect(addressTokens("at 10:30am")).toEqual([text("at 10:30am")]);
    expect(addressTokens("")).toEqual([]);
  });
});
