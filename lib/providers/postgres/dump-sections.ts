import "server-only";
import { statementWords, type StatementWords } from "./dump-statements";

// How a statement the guard let through may be scheduled when a plain dump is loaded over
// several connections (parallel-load.ts). Only the shapes pg_dump writes are recognised, by the
// statement's own words, never by pg_dump's `-- Name: …; Type: …` comments (which are as
// untrusted as the rest of the dump, and not needed to tell these apart). Anything else runs in
// dump order, alone: a dump that is not pg_dump's is restored as correctly as before, only slower.

/** A table as a schema-qualified key (quoted names kept as written, unquoted ones folded). */
export type TableKey = string;

/** The lock a post-data statement takes, as far as ordering goes: builds of indexes on one table may run together. */
export type TableLock = "share" | "exclusive";

export type StatementClass =
  /** A session setting (SET, RESET, pg_dump's set_config): every connection runs it, where it stands in the dump. */
  | { kind: "session" }
  /**
   * COPY … FROM stdin. `splittable`: pg_dump's text-format shape, whose data can be cut at line
   * ends into several COPYs; then `table` names its table (to weigh the work after its data).
   */
  | { kind: "copy"; splittable: boolean; table?: TableKey }
  /**
   * An index or a key, unique, exclusion or foreign-key constraint: runs after the data, beside
   * others on other tables. Index and key builds give the same result in any order, and so do
   * foreign keys, but a foreign key needs the keys before it (its own table's and the one it
   * references), and nothing is moved ahead of a foreign key it shares a table with.
   */
  | { kind: "post"; locks: ReadonlyMap<TableKey, TableLock>; foreignKey: boolean }
  /** Anything else: after everything before it, before everything after it. */
  | { kind: "ordered" };

const ORDERED: StatementClass = { kind: "ordered" };

/** A schema-qualified name at `at` (`schema . name`), as a key and the index after it; null when unqualified. */
function qualifiedName(parsed: StatementWords, at: number): { key: TableKey; next: number } | null {
  const { words, quoted } = parsed;
  const schema = words[at];
  const dot = words[at + 1];
  const name = words[at + 2];
  if (schema === undefined || name === undefined || dot !== "." || quoted.has(at + 1)) return null;
  if (!isName(parsed, at) || !isName(parsed, at + 2)) return null;
  // An unqualified name would depend on search_path; pg_dump always qualifies (it restores with an empty one).
  const part = (index: number) => (quoted.has(index) ? (words[index] as string) : (words[index] as string).toLowerCase());
  return { key: JSON.stringify([part(at), part(at + 2)]), next: at + 3 };
}

function isName(parsed: StatementWords, index: number): boolean {
  const word = parsed.words[index];
  if (word === undefined) return false;
  return parsed.quoted.has(index) || /^[A-Z_\u0080-\uffff][A-Z0-9_$\u0080-\uffff]*$/.test(word);
}

/** Words at the top level (outside parentheses), with their indexes. */
function topLevel(parsed: StatementWords, from: number): Array<{ word: string; index: number; quoted: boolean }> {
  const out: Array<{ word: string; index: number; quoted: boolean }> = [];
  let depth = 0;
  for (let i = from; i < parsed.words.length; i++) {
    const word = parsed.words[i] as string;
    const quoted = parsed.quoted.has(i);
    if (!quoted && word === "(") depth++;
    else if (!quoted && word === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) out.push({ word, index: i, quoted });
  }
  return out;
}

const WORD_LIMIT = 200;
const SET_CONFIG_WORDS = ["SELECT", "PG_CATALOG", ".", "SET_CONFIG", "(", "'", ",", "'", ",", "FALSE", ")", ";"];

/** How one statement (as the guard passed it) may be scheduled. */
export function classifyStatement(sql: string): StatementClass {
  const parsed = statementWords(sql, WORD_LIMIT);
  const { words, quoted } = parsed;
  // A statement longer than the words read is never reordered.
  if (words.length >= WORD_LIMIT) return ORDERED;
  const word = (i: number) => (quoted.has(i) ? "" : (words[i] ?? ""));

  if (word(0) === "SET" && !["TRANSACTION", "CONSTRAINTS", "LOCAL"].includes(word(1))) return { kind: "session" };
  if (word(0) === "RESET") return { kind: "session" };
  if (words.length === SET_CONFIG_WORDS.length && SET_CONFIG_WORDS.every((w, i) => word(i) === w)) return { kind: "session" };

  if (word(0) === "COPY") {
    const table = isPgDumpCopy(parsed) ? qualifiedName(parsed, 1) : null;
    return table ? { kind: "copy", splittable: true, table: table.key } : { kind: "copy", splittable: false };
  }
  if (word(0) === "CREATE") return createIndex(parsed);
  if (word(0) === "ALTER" && word(1) === "TABLE") return addConstraint(parsed);
  return ORDERED;
}

/** `COPY schema.table [(columns)] FROM stdin;` and nothing else: text format, whose rows are lines. */
function isPgDumpCopy(parsed: StatementWords): boolean {
  const name = qualifiedName(parsed, 1);
  if (!name) return false;
  const { words, quoted } = parsed;
  let i = name.next;
  if (words[i] === "(" && !quoted.has(i)) {
    // The column list: names and commas only.
    for (i++; i < words.length && !(words[i] === ")" && !quoted.has(i)); i++) {
      if (!(isName(parsed, i) || (words[i] === "," && !quoted.has(i)))) return false;
    }
    i++;
  }
  const rest = words.slice(i);
  return rest.length === 3 && [i, i + 1, i + 2].every((at) => !quoted.has(at)) && rest.join(" ") === "FROM STDIN ;";
}

/** `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table …`: shares its table with other index builds. */
function createIndex(parsed: StatementWords): StatementClass {
  const { words, quoted } = parsed;
  let i = 1;
  const word = (at: number) => (quoted.has(at) ? "" : (words[at] ?? ""));
  if (word(i) === "UNIQUE") i++;
  if (word(i) !== "INDEX") return ORDERED;
  i++;
  // CONCURRENTLY and IF NOT EXISTS are not pg_dump's; an index without a name neither.
  if (!isName(parsed, i) || ["CONCURRENTLY", "IF", "ON"].includes(word(i))) return ORDERED;
  i++;
  if (word(i) !== "ON") return ORDERED;
  i++;
  if (word(i) === "ONLY") i++;
  const table = qualifiedName(parsed, i);
  if (!table) return ORDERED;
  return { kind: "post", locks: new Map([[table.key, "share"]]), foreignKey: false };
}

/**
 * `ALTER TABLE [ONLY] schema.table ADD CONSTRAINT name PRIMARY KEY | UNIQUE | EXCLUDE | FOREIGN KEY …`,
 * one action only: the table alone, and for a foreign key the table it references too.
 */
function addConstraint(parsed: StatementWords): StatementClass {
  const { words, quoted } = parsed;
  const word = (at: number) => (quoted.has(at) ? "" : (words[at] ?? ""));
  let i = 2;
  if (word(i) === "ONLY") i++;
  const table = qualifiedName(parsed, i);
  if (!table) return ORDERED;
  i = table.next;
  if (word(i) !== "ADD" || word(i + 1) !== "CONSTRAINT" || !isName(parsed, i + 2)) return ORDERED;
  i += 3;
  const rest = topLevel(parsed, i);
  // Several actions (`, ADD …`) are not pg_dump's.
  if (rest.some((w) => !w.quoted && w.word === ",")) return ORDERED;
  const kind = word(i);
  const locks = new Map<TableKey, TableLock>([[table.key, "exclusive"]]);
  if (kind === "PRIMARY" || kind === "UNIQUE" || kind === "EXCLUDE") {
    if (rest.some((w) => !w.quoted && w.word === "REFERENCES")) return ORDERED;
    return { kind: "post", locks, foreignKey: false };
  }
  if (kind !== "FOREIGN") return ORDERED;
  const references = rest.filter((w) => !w.quoted && w.word === "REFERENCES");
  const first = references[0];
  if (references.length !== 1 || !first) return ORDERED;
  const referenced = qualifiedName(parsed, first.index + 1);
  if (!referenced) return ORDERED;
  locks.set(referenced.key, "exclusive");
  return { kind: "post", locks, foreignKey: true };
}

/** Whether two post-data statements may run at the same time: no table in common, or only index builds on it. */
export function postConflicts(a: ReadonlyMap<TableKey, TableLock>, b: ReadonlyMap<TableKey, TableLock>): boolean {
  for (const [table, lock] of a) {
    const other = b.get(table);
    if (other !== undefined && (lock === "exclusive" || other === "exclusive")) return true;
  }
  return false;
}
