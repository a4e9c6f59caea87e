import { describe, expect, it } from "vitest";
import { addressBucket, clientAddress } from "./client-address";

describe("clientAddress", () => {
  it("without trusted proxies takes the address Next.js put there from the socket", () => {
    expect(clientAddress({ "x-forwarded-for": "127.0.0.1" })).toBe("127.0.0.1");
    expect(clientAddress(new Headers({ "x-forwarded-for": "::ffff:10.1.2.3" }))).toBe("10.1.2.3");
    expect(clientAddress({ "x-forwarded-for": "::1" })).toBe("::1");
    expect(clientAddress({})).toBe("unknown");
  });

  it("with N trusted proxies takes the N-th entry from the right and ignores what the client wrote", () => {
    // The client sent "6.6.6.6"; the proxy appended the address it saw.
    expect(clientAddress({ "x-forwarded-for": "6.6.6.6, 198.51.100.4" }, 1)).toBe("198.51.100.4");
    // CDN then load balancer: the CDN saw the client, the balancer saw the CDN.
    expect(clientAddress({ "x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.9" }, 2)).toBe("198.51.100.4");
    // Fewer entries than proxies: not trustworthy.
    expect(clientAddress({ "x-forwarded-for": "198.51.100.4" }, 2)).toBe("unknown");
  });

  it("reads ports and brackets, and refuses what is not an address", () => {
    expect(clientAddress({ "x-forwarded-for": "[2001:db8::1]:443" })).toBe("2001:db8::1");
    expect(clientAddress({ "x-forwarded-for": "192.0.2.1:5000" })).toBe("192.0.2.1");
    expect(clientAddress({ "x-forwarded-for": "<script>" })).toBe("unknown");
    expect(clientAddress({ "x-forwarded-for": ["192.0.2.1", "192.0.2.2"] })).toBe("192.0.2.2");
  });
});

describe("addressBucket", () => {
  it("keeps IPv4 addresses and groups IPv6 by /64", () => {
    expect(addressBucket("192.0.2.1")).toBe("192.0.2.1");
    expect(addressBucket("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("unknown")).toBe("unknown");
  });
});
