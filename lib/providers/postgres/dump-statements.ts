import "server-only";

// What one top-level statement of a plain dump is allowed to do, judged from its text alone.
// The byte-level splitting lives in plain-dump-guard.ts; this file only reads a complete
// statement, so it can be tested on strings.

/** A statement's words: identifiers and keywords upper-cased, quoted identifiers as written, strings as `'`. */
export interface StatementWords {
  words: string[];
  /** The quoted identifiers' original text, by index into `words`. */
  quoted: ReadonlySet<number>;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Splits SQL text into words, skipping comments and reading strings, quoted identifiers and
 * dollar quotes whole. Punctuation that matters for our rules (`(`, `)`, `,`, `;`, `.`, `=`) is
 * kept as its own word. Stops after `limit` words.
 */
export function statementWords(sql: string, limit = 400): StatementWords {
  const words: string[] = [];
  const quoted = new Set<number>();
  let i = 0;
  const n = sql.length;
  while (i < n && words.length < limit) {
    const c = sql[i] as string;
    if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? n : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") depth++;
        else if (sql[i] === "*" && sql[i + 1] === "/") depth--;
        else {
          i++;
          continue;
        }
        i += 2;
      }
    } else if (c === "'") {
      const escapes = /[eE]/.test(sql[i - 1] ?? "") && !IDENT_CONT.test(sql[i - 2] ?? "");
      i++;
      while (i < n) {
        if (escapes && sql[i] === "\\") i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
      if (escapes && words.at(-1) === "E") words.pop();
      words.push("'");
    } else if (c === '"') {
      let text = "";
      i++;
      while (i < n) {
        if (sql[i] === '"' && sql[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (sql[i] === '"') break;
        else text += sql[i++];
      }
      i++;
      quoted.add(words.length);
      words.push(text);
    } else if (c === "$" && !IDENT_CONT.test(sql[i - 1] ?? " ")) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 70));
      if (!tag) {
        i++;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      i = end === -1 ? n : end + tag[0].length;
      words.push("'");
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_CONT.test(sql[j] as string)) j++;
      words.push(sql.slice(i, j).toUpperCase());
      i = j;
    } else if ("(),;.=".includes(c)) {
      words.push(c);
      i++;
    } else {
      i++;
    }
  }
  return { words, quoted };
}

export type StatementVerdict =
  /** Sent to psql as it is. */
  | { action: "pass"; copyFromStdin?: boolean; insert?: boolean }
  /** Not sent; the restore reports it (an ownership change the loader may not make, a grant to a missing role). */
  | { action: "skip"; reason: "owner" | "grant-to-missing-role" | "default-privileges"; roles: string[] }
  /** One of pg_dump's large-object framing statements, checked by the guard in context. */
  | { action: "large-object"; part: "begin" | "commit" | "write" }
  /** Never in a dump of ours: the restore stops. */
  | { action: "refuse"; why: string };

const TRANSACTION_CONTROL = new Set(["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE"]);
const ROLE_WORDS = new Set(["ROLE", "USER", "GROUP"]);
const CLUSTER_OBJECTS = new Set(["DATABASE", "TABLESPACE", "SUBSCRIPTION"]);
/** Client encodings whose multibyte characters may contain `'` or `\` bytes: the guard could no longer read strings as the server does. */
const UNSAFE_CLIENT_ENCODINGS = new Set(["SJIS", "SHIFT_JIS_2004", "BIG5", "GBK", "UHC", "GB18030", "JOHAB"]);
/** Grantees that always exist. */
const BUILTIN_GRANTEES = new Set(["PUBLIC", "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE"]);

// pg_dump's large-object data, exactly as it writes it (pg_backup_archiver.c: StartRestoreLO/EndRestoreLO).
const LO_WRITE = [
  /^SELECT pg_catalog\.lo_open\('\d+', 131072\);$/,
  /^SELECT pg_catalog\.lowrite\(0, '\\x[0-9a-f]*'\);$/,
  /^SELECT pg_catalog\.lo_close\(0\);$/,
];

function nameAt(parsed: StatementWords, index: number): string {
  const word = parsed.words[index] ?? "";
  // Unquoted names fold to lower case, as PostgreSQL folds them.
  return parsed.quoted.has(index) ? word : word.toLowerCase();
}

/** The role names after `TO` / `FROM` in a GRANT/REVOKE on an object, up to `;` or a trailing clause. */
function grantees(parsed: StatementWords, from: number): string[] {
  const roles: string[] = [];
  const { words } = parsed;
  for (let i = from; i < words.length; i++) {
    const word = words[i] as string;
    if (word === ";" || (!parsed.quoted.has(i) && (word === "WITH" || word === "GRANTED" || word === "CASCADE" || word === "RESTRICT")))
      break;
    if (word === "," || (!parsed.quoted.has(i) && word === "GROUP")) continue;
    if (!parsed.quoted.has(i) && BUILTIN_GRANTEES.has(word)) continue;
    roles.push(nameAt(parsed, i));
  }
  return roles;
}

/**
 * The verdict on one complete statement (psql's unit: up to a `;` outside quotes, parentheses
 * and function bodies). `existingRoles` absent means grants are not checked against the target.
 */
export function judgeStatement(sql: string, existingRoles?: ReadonlySet<string>): StatementVerdict {
  const trimmed = sql.trim();
  for (const pattern of LO_WRITE) if (pattern.test(trimmed)) return { action: "large-object", part: "write" };
  const parsed = statementWords(sql);
  const { words } = parsed;
  const unquoted = (i: number) => (parsed.quoted.has(i) ? "" : (words[i] ?? ""));
  const first = unquoted(0);
  const second = unquoted(1);

  if (first === "BEGIN" && (words.length === 1 || (words.length === 2 && words[1] === ";")))
    return { action: "large-object", part: "begin" };
  if (first === "COMMIT" && (words.length === 1 || (words.length === 2 && words[1] === ";")))
    return { action: "large-object", part: "commit" };
  if (TRANSACTION_CONTROL.has(first)) {
    // START and PREPARE begin other statements too (START_REPLICATION is not SQL; PREPARE name AS …).
    if ((first !== "START" && first !== "PREPARE") || second === "TRANSACTION")
      return { action: "refuse", why: "transaction control, which would end the restore's own transaction" };
  }
  if ((first === "COMMIT" || first === "ROLLBACK") && second === "PREPARED") return { action: "refuse", why: "transaction control" };

  if ((first === "CREATE" || first === "ALTER" || first === "DROP") && CLUSTER_OBJECTS.has(second)) {
    return { action: "refuse", why: `${first} ${second} changes the server outside the restored database` };
  }
  if ((first === "CREATE" || first === "ALTER" || first === "DROP") && ROLE_WORDS.has(second) && unquoted(2) !== "MAPPING") {
    return { action: "refuse", why: "role definitions are not part of a database dump" };
  }
  if ((first === "DROP" || first === "REASSIGN") && second === "OWNED")
    return { action: "refuse", why: "it changes objects of other roles" };
  if (first === "ALTER" && second === "SYSTEM") return { action: "refuse", why: "ALTER SYSTEM changes the server's configuration" };
  if (first === "LOAD") return { action: "refuse", why: "LOAD loads a library into the server" };
  if (
    (first === "SET" || first === "RESET") &&
    (second === "ROLE" || second === "SESSION" || (second === "LOCAL" && unquoted(2) === "ROLE"))
  ) {
    return { action: "refuse", why: "it switches to another role" };
  }
  if (first === "SET" && (second === "STANDARD_CONFORMING_STRINGS" || second === "CLIENT_ENCODING")) {
    const value = statementValue(sql);
    if (second === "STANDARD_CONFORMING_STRINGS" && value !== "on")
      return { action: "refuse", why: "strings would no longer be read the way this restore reads them" };
    if (second === "CLIENT_ENCODING" && UNSAFE_CLIENT_ENCODINGS.has(value.toUpperCase().replace(/-/g, "_"))) {
      return { action: "refuse", why: `client encoding ${value} can hide quotes inside characters` };
    }
  }
  if (first === "COPY") {
    const direction = words.findIndex((w, i) => !parsed.quoted.has(i) && (w === "FROM" || w === "TO"));
    const source = direction === -1 ? "" : unquoted(direction + 1);
    if (words.some((w, i) => !parsed.quoted.has(i) && w === "PROGRAM"))
      return { action: "refuse", why: "COPY … PROGRAM runs a command on the database server" };
    if (source !== "STDIN" && source !== "STDOUT") return { action: "refuse", why: "COPY reads or writes a file on the database server" };
    return { action: "pass", copyFromStdin: source === "STDIN" };
  }

  if (first === "ALTER" && second === "DEFAULT" && unquoted(2) === "PRIVILEGES" && unquoted(3) === "FOR") {
    return { action: "skip", reason: "default-privileges", roles: [nameAt(parsed, 5)] };
  }
  if (first === "ALTER") {
    const owner = words.findIndex((w, i) => !parsed.quoted.has(i) && w === "OWNER" && unquoted(i + 1) === "TO");
    if (owner !== -1) return { action: "skip", reason: "owner", roles: [nameAt(parsed, owner + 2)] };
  }
  if (first === "GRANT" || first === "REVOKE") {
    const on = words.findIndex((w, i) => !parsed.quoted.has(i) && w === "ON");
    if (on === -1) return { action: "refuse", why: "it grants or revokes membership in a role" };
    const to = words.findIndex((w, i) => i > on && !parsed.quoted.has(i) && w === (first === "GRANT" ? "TO" : "FROM"));
    if (existingRoles && to !== -1) {
      const missing = grantees(parsed, to + 1).filter((role) => !existingRoles.has(role));
      if (missing.length > 0) return { action: "skip", reason: "grant-to-missing-role", roles: missing };
    }
  }
  return { action: "pass", insert: first === "INSERT" };
}

/** The value of `SET name = value` / `SET name TO value`, unquoted and lower-cased. */
function statementValue(sql: string): string {
  const match = /(?:=|\bto\b)\s*'?([^';\s]*)'?\s*;?\s*$/i.exec(sql.trim());
  return (match?.[1] ?? "").toLowerCase();
}
