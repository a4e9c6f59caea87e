import "server-only";
import { BadRequestError } from "@/lib/errors";
import type { DumpTable, DumpTableCatalog, SelectionPlan } from "./dump-toc-model";

// The tables a dump holds and what hangs on each, read from pg_dump's own section headers
// ("-- Name: loans loans_pkey; Type: CONSTRAINT; Schema: public; Owner: loanserve") and the
// statement under each. A plain dump is such a script; a custom dump becomes one through
// `pg_restore -f -`. Used to offer a choice of tables and to show, before anything
// runs, what a partial restore brings along and what it must leave out.

/** One header and what its statement says about the tables it belongs to. */
export interface TocEntry {
  type: string;
  schema: string | null;
  /** The header's name as pg_dump wrote it: `loans`, `loans loans_pkey`, `TABLE loans`. */
  name: string;
  owner: string | null;
  /** The table the object belongs to, `schema.table`, when it belongs to one. */
  table: string | null;
  /** A foreign key's referenced table, `schema.table`. */
  references: string | null;
}

const HEADER = /^-- (?:Data for )?Name: (.*); Type: (.*); Schema: (.*); Owner: (.*)$/;

/** A pg_dump section header's object, or null when `line` is none. */
export function parseSectionHeader(line: string): DumpObjectRef | null {
  const header = HEADER.exec(line);
  if (!header) return null;
  const [, name = "", type = "", schema = "-"] = header;
  return { type, name, schema: schema === "-" ? null : schema };
}

/** COPY … FROM stdin; starts data lines that run to `\.` and are never headers or statements. */
export const COPY_FROM_STDIN = /^COPY .* FROM stdin;$/;

// `pg_restore -l` lines: `<id>; <tableoid> <oid> <TYPE> <schema> <name…> <owner>`, where TYPE may
// be several words. The longest types first, so "TABLE DATA" is not read as "TABLE".
const LIST_TYPES = [
  "SEQUENCE OWNED BY",
  "MATERIALIZED VIEW DATA",
  "FK CONSTRAINT",
  "TABLE DATA",
  "SEQUENCE SET",
  "DEFAULT ACL",
  "CHECK CONSTRAINT",
  "INDEX ATTACH",
  "STATISTICS DATA",
  "LARGE OBJECT",
  "BLOB DATA",
].sort((a, b) => b.length - a.length);

/** One `pg_restore -l` line as the object it restores, or null for comments and blank lines. */
export function parseRestoreListLine(line: string): DumpObjectRef | null {
  const match = /^\d+; \d+ \d+ (.*)$/.exec(line);
  if (!match) return null;
  const rest = match[1] as string;
  const type = LIST_TYPES.find((t) => rest.startsWith(`${t} `)) ?? rest.split(" ")[0] ?? "";
  const words = rest.slice(type.length + 1).split(" ");
  // schema first, owner last, the name (which may hold spaces) between.
  const schema = words[0] ?? "-";
  const name = words.slice(1, -1).join(" ");
  return { type, schema: schema === "-" ? null : schema, name };
}

/** A dotted chain of identifiers at the start of `text` (`public."Odd".id` → public, Odd, id), quotes removed. */
function identifierChain(text: string): string[] {
  const parts: string[] = [];
  const part = /^(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))/;
  let rest = text;
  for (;;) {
    const match = part.exec(rest);
    if (!match) break;
    parts.push(match[1] !== undefined ? match[1].replaceAll('""', '"') : (match[2] as string));
    rest = rest.slice(match[0].length);
    if (!rest.startsWith(".")) break;
    rest = rest.slice(1);
  }
  return parts;
}

/** `schema.table` from a chain naming a table (or, with `column`, a table's column). */
function tableFromChain(chain: readonly string[], defaultSchema: string | null, column = false): string | null {
  const names = column ? chain.slice(0, -1) : chain;
  if (names.length === 0) return null;
  const [first, second] = names;
  if (names.length >= 2) return `${first}.${second}`;
  return defaultSchema ? `${defaultSchema}.${first}` : (first ?? null);
}

/** The text after `keyword` (case-insensitive, as a word) in `sql`, or null. */
function after(sql: string, keyword: RegExp): string | null {
  const match = keyword.exec(sql);
  return match ? sql.slice(match.index + match[0].length).trimStart() : null;
}

/** Which table an entry belongs to, from its header and (for indexes, owned sequences and keys) its statement. */
function tableOf(type: string, schema: string | null, name: string, sql: string): { table: string | null; references: string | null } {
  const chainAfter = (keyword: RegExp, column = false) => {
    const text = after(sql, keyword);
    return text ? tableFromChain(identifierChain(text), schema, column) : null;
  };
  // The header names these `<table> <object>`, and a table's name may hold spaces: read the statement.
  const alteredTable = () => chainAfter(/\bALTER\s+TABLE\s+(?:ONLY\s+)?/i);
  switch (type) {
    case "TABLE":
    case "TABLE DATA":
      return { table: schema ? `${schema}.${name}` : name, references: null };
    case "DEFAULT":
    case "CONSTRAINT":
      return { table: alteredTable(), references: null };
    case "FK CONSTRAINT":
      return { table: alteredTable(), references: chainAfter(/\bREFERENCES\s+/i) };
    case "TRIGGER":
    case "RULE":
    case "POLICY":
    case "INDEX":
      return { table: chainAfter(/\bON\s+(?:ONLY\s+)?/i), references: null };
    case "SEQUENCE":
      // An identity column's sequence is created by its table: `ALTER TABLE … ADD GENERATED … AS IDENTITY`.
      return { table: /\bADD\s+GENERATED\b/i.test(sql) ? alteredTable() : null, references: null };
    case "SEQUENCE OWNED BY":
      // `OWNED BY schema.table.column`: the table, without the column.
      return { table: chainAfter(/\bOWNED\s+BY\s+/i, true), references: null };
    case "ACL":
    case "COMMENT": {
      // `TABLE loans`, `COLUMN loans.amount`, `SEQUENCE loans_id_seq`.
      const [kind, ...rest] = name.split(" ");
      const object = rest.join(" ");
      if (kind === "TABLE") return { table: schema ? `${schema}.${object}` : object, references: null };
      if (kind === "COLUMN") return { table: schema ? `${schema}.${object.split(".")[0] ?? object}` : object, references: null };
      return { table: null, references: null };
    }
    default:
      return { table: null, references: null };
  }
}

/**
 * Reads a plain script a line at a time. COPY data is skipped without being kept, so a dump of
 * any size is scanned in constant memory; only the first lines of each statement are kept (enough
 * to find `ON table`, `OWNED BY` and `REFERENCES`).
 */
export class DumpTocScanner {
  readonly entries: TocEntry[] = [];
  private current: { type: string; schema: string | null; name: string; owner: string | null; sql: string } | null = null;
  private inCopyData = false;

  line(text: string): void {
    if (this.inCopyData) {
      if (text === "\\.") this.inCopyData = false;
      return;
    }
    const header = HEADER.exec(text);
    if (header) {
      this.flush();
      const [, name = "", type = "", schema = "-", owner = "-"] = header;
      this.current = { type, name, schema: schema === "-" ? null : schema, owner: owner === "-" ? null : owner, sql: "" };
      return;
    }
    if (COPY_FROM_STDIN.test(text)) {
      this.inCopyData = true;
      return;
    }
    if (this.current && !text.startsWith("--") && this.current.sql.length < 4_000) this.current.sql += `${text}\n`;
  }

  /** Call once the script ended. */
  finish(): TocEntry[] {
    this.flush();
    return this.entries;
  }

  private flush(): void {
    if (!this.current) return;
    const { type, schema, name, owner, sql } = this.current;
    this.entries.push({ type, schema, name, owner, ...tableOf(type, schema, name, sql) });
    this.current = null;
  }
}

/** The tables of a dump, each with what belongs to it, in the dump's order. */
export function tableCatalog(entries: readonly TocEntry[]): DumpTableCatalog {
  const tables = new Map<string, DumpTable>();
  for (const entry of entries) {
    if (entry.type !== "TABLE" || !entry.table || !entry.schema) continue;
    tables.set(entry.table, {
      qualifiedName: entry.table,
      schema: entry.schema,
      name: entry.name,
      owner: entry.owner,
      hasData: false,
      sequences: [],
      indexes: [],
      constraints: [],
      triggers: [],
      foreignKeys: [],
    });
  }
  for (const entry of entries) {
    const table = entry.table ? tables.get(entry.table) : undefined;
    if (!table) continue;
    // `<table> <object>` in the header: the object's own name follows the table's.
    const objectName = entry.name.startsWith(`${table.name} `) ? entry.name.slice(table.name.length + 1) : entry.name;
    if (entry.type === "TABLE DATA") table.hasData = true;
    else if (entry.type === "SEQUENCE OWNED BY" || entry.type === "SEQUENCE") {
      // A serial's sequence is tied to its table by OWNED BY; an identity's by its own statement.
      const sequence = entry.schema ? `${entry.schema}.${entry.name}` : entry.name;
      if (!table.sequences.includes(sequence)) table.sequences.push(sequence);
    } else if (entry.type === "INDEX") table.indexes.push(entry.name);
    else if (entry.type === "CONSTRAINT") table.constraints.push(objectName);
    else if (entry.type === "TRIGGER") table.triggers.push(objectName);
    else if (entry.type === "FK CONSTRAINT" && entry.references)
      table.foreignKeys.push({ name: objectName, table: table.qualifiedName, references: entry.references });
  }
  return { tables: [...tables.values()] };
}

/**
 * What restoring `chosen` brings along and leaves out. Unknown names are refused (a typo must not
 * quietly restore nothing).
 */
export function planSelection(catalog: DumpTableCatalog, chosen: readonly string[]): SelectionPlan {
  const byName = new Map(catalog.tables.map((t) => [t.qualifiedName, t]));
  const unknown = chosen.filter((name) => !byName.has(name));
  if (unknown.length > 0) throw new BadRequestError(`The dump has no table ${unknown.join(", ")}. Choose tables from the dump's list.`);
  const selected = new Set(chosen);
  const plan: SelectionPlan = {
    tables: [...selected],
    sequences: [],
    indexes: [],
    constraints: [],
    triggers: [],
    foreignKeys: [],
    skippedForeignKeys: [],
  };
  for (const table of catalog.tables) {
    if (selected.has(table.qualifiedName)) {
      plan.sequences.push(...table.sequences);
      plan.indexes.push(...table.indexes);
      plan.constraints.push(...table.constraints);
      plan.triggers.push(...table.triggers);
    }
    for (const key of table.foreignKeys) {
      const from = selected.has(key.table);
      const to = selected.has(key.references);
      if (from && to) plan.foreignKeys.push(key);
      else if (from || to) plan.skippedForeignKeys.push(key);
    }
  }
  return plan;
}

/** An entry of the dump as both pg_dump's headers and `pg_restore -l` name it. */
export interface DumpObjectRef {
  type: string;
  schema: string | null;
  /** `loans`, `loans loans_pkey`, `TABLE loans`, as in the header (pg_restore -l calls it the tag). */
  name: string;
}

/**
 * Decides, entry by entry, what a restore of chosen tables keeps: everything that belongs to no
 * table (schemas, types, functions, free sequences), and what belongs to a chosen table, except
 * foreign keys that leave the selection. The same rule serves a plain dump's sections and a
 * custom archive's `pg_restore -l` list.
 */
export function selectionFilter(catalog: DumpTableCatalog, selection: SelectionPlan): (entry: DumpObjectRef) => boolean {
  const chosen = new Set(selection.tables);
  const keptForeignKeys = new Set(selection.foreignKeys.map((k) => `${k.table}\u0000${k.name}`));
  const ownedSequences = new Map<string, string>();
  const indexes = new Map<string, string>();
  for (const table of catalog.tables) {
    for (const sequence of table.sequences) ownedSequences.set(sequence, table.qualifiedName);
    for (const index of table.indexes) indexes.set(`${table.schema}.${index}`, table.qualifiedName);
  }
  /** The table named at the start of `name` (`<table> <object>`); the longest match, as names may hold spaces. */
  const leadingTable = (schema: string | null, name: string): DumpTable | null => {
    let found: DumpTable | null = null;
    for (const table of catalog.tables) {
      if (table.schema !== schema || !name.startsWith(`${table.name} `)) continue;
      if (!found || table.name.length > found.name.length) found = table;
    }
    return found;
  };
  const keepsFor = (table: DumpTable | null) => table === null || chosen.has(table.qualifiedName);
  const qualify = (schema: string | null, name: string) => (schema ? `${schema}.${name}` : name);
  return (entry) => {
    const { type, schema, name } = entry;
    switch (type) {
      case "TABLE":
      case "TABLE DATA":
        return chosen.has(qualify(schema, name));
      case "SEQUENCE":
      case "SEQUENCE SET":
      case "SEQUENCE OWNED BY": {
        const owner = ownedSequences.get(qualify(schema, name));
        return owner === undefined || chosen.has(owner);
      }
      case "INDEX": {
        const table = indexes.get(qualify(schema, name));
        return table === undefined || chosen.has(table);
      }
      case "DEFAULT":
      case "CONSTRAINT":
      case "TRIGGER":
      case "RULE":
      case "POLICY":
        return keepsFor(leadingTable(schema, name));
      case "FK CONSTRAINT": {
        const table = leadingTable(schema, name);
        return table !== null && keptForeignKeys.has(`${table.qualifiedName}\u0000${name.slice(table.name.length + 1)}`);
      }
      case "ACL":
      case "COMMENT": {
        const [kind, ...rest] = name.split(" ");
        const object = rest.join(" ");
        if (kind === "TABLE") return chosen.has(qualify(schema, object));
        if (kind === "SEQUENCE") {
          const owner = ownedSequences.get(qualify(schema, object));
          return owner === undefined || chosen.has(owner);
        }
        if (kind === "COLUMN") return keepsFor(leadingTable(schema, `${object.replace(/\.[^.]*$/, "")} `));
        return true;
      }
      default:
        return true;
    }
  };
}
