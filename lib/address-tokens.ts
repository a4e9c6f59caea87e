// URLs, host:port pairs and paths split for display, so a narrow screen wraps them after a "/"
// (or at a space) and never inside a port: "http://127.0.0.1:45123" may wrap after "http://",
// never between "451" and "23". Pure, so server and browser split alike.

export type AddressToken =
  | { kind: "text"; text: string }
  /** ":5432", with the "/" right after it if there is one: kept on one line. */
  | { kind: "port"; text: string }
  /** Where the text may wrap though nothing in it says so (after a "/"). */
  | { kind: "break" };

// A port ends at a "/", a space or the end; "[::1]" and "10:30am" are not ports.
const PORT_OR_SLASHES = /:\d{1,5}(?=\/|\s|$)\/*|\/+/g;

/** `text` as runs of text, ports and the places after a "/" where it may wrap. */
export function addressTokens(text: string): AddressToken[] {
  const tokens: AddressToken[] = [];
  const pushText = (part: string) => {
    if (part === "") return;
    const last = tokens.at(-1);
    if (last?.kind === "text") last.text += part;
    else tokens.push({ kind: "text", text: part });
  };
  let from = 0;
  for (const match of text.matchAll(PORT_OR_SLASHES)) {
    const [found] = match;
    const end = match.index + found.length;
    pushText(text.slice(from, match.index));
    if (found.startsWith(":")) tokens.push({ kind: "port", text: found });
    else pushText(found);
    from = end;
    // Only after a "/" that ends a word part: not at the end, before a space, or after a leading "/".
    const next = text[end];
    const previous = text[match.index - 1];
    const endsPart = found.endsWith("/") && previous !== undefined && !/\s/.test(previous);
    if (endsPart && next !== undefined && !/\s/.test(next)) tokens.push({ kind: "break" });
  }
  pushText(text.slice(from));
  return tokens;
}
