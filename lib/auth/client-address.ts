import { isIP } from "node:net";

/** Request headers as a `Headers` object (route handlers) or a plain object (next-auth's `req`). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, `[::1]:443` → `::1`, `10.0.0.1:5000` → `10.0.0.1`; anything else unchanged. */
function bareAddress(entry: string): string {
  const value = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1]) return bareAddress(bracketed[1]);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  if (v4WithPort?.[1]) return v4WithPort[1];
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(value);
  if (mapped?.[1]) return mapped[1];
  return value.toLowerCase();
}

/**
 * The client's address, as far as this server can know it.
 *
 * `next start` hands the app no socket: Next.js fills `X-Forwarded-For` with the socket's address
 * only when the request carries none, and passes a client-sent one through unchanged. So:
 *
 * - `trustedProxyHops = 0` (the default: browsers reach the app directly): the last entry, which
 *   is the socket's address unless the client sent the header itself. A client that does so can
 *   choose its apparent address; the per-account limit does not depend on it.
 * - `trustedProxyHops = N` (N reverse proxies in front, each appending the address it saw, the
 *   app reachable only through them): the N-th entry from the right, the address the outermost
 *   trusted proxy saw. Whatever the client wrote further left is ignored.
 *
 * Returns "unknown" when there is no usable address (a missing or malformed header, or a chain
 * shorter than the configured hops): those requests share one budget rather than escaping it.
 */
export function clientAddress(headers: HeaderSource, trustedProxyHops = 0): string {
  const chain = (header(headers, "x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const index = trustedProxyHops > 0 ? chain.length - trustedProxyHops : chain.length - 1;
  const entry = index >= 0 ? chain[index] : undefined;
  if (!entry) return "unknown";
  const address = bareAddress(entry);
  return isIP(address) ? address : "unknown";
}

/**
 * The bucket a limit applies to: the address itself for IPv4, the /64 network for IPv6 (one
 * subscriber or host usually holds a whole /64, so single IPv6 addresses are free to rotate).
 */
export function addressBucket(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = "", tail = ""] = address.split("::", 2);
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
