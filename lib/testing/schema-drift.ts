import { readFile } from "node:fs/promises";
import { getDMMF } from "@prisma/internals";
import pg from "pg";

type Dmmf = Awaited<ReturnType<typeof getDMMF>>;
type Model = Dmmf["datamodel"]["models"][number];
type Field = Model["fields"][number];

interface ColumnShape {
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Boolean: "boolean",
  DateTime: "timestamp(3)",
  Json: "jsonb",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};

const NATIVE_TYPES: Record<string, (args: readonly string[]) => string> = {
  Uuid: () => "uuid",
  Text: () => "text",
  VarChar: (a) => (a[0] ? `varchar(${a[0]})` : "varchar"),
  Timestamptz: (a) => `timestamptz(${a[0] ?? 6})`,
  Timestamp: (a) => `timestamp(${a[0] ?? 6})`,
  Integer: () => "integer",
  BigInt: () => "bigint",
  SmallInt: () => "smallint",
  DoublePrecision: () => "double precision",
  JsonB: () => "jsonb",
  Json: () => "json",
  Date: () => "date",
  Inet: () => "inet",
};

/** Defaults Prisma fills in on the client: they never appear in the database. */
const CLIENT_SIDE_DEFAULTS = new Set(["uuid", "cuid", "nanoid", "ulid"]);

function expectedColumn(field: Field, enumDbNames: Map<string, string>): ColumnShape {
  let type: string;
  if (field.kind === "enum") type = `enum:${enumDbNames.get(field.type) ?? field.type}`;
  else if (field.nativeType) {
    const [name, args] = field.nativeType;
    const render = NATIVE_TYPES[name];
    if (!render) throw new Error(`schema-drift: add a mapping for native type @db.${name}`);
    type = render(args);
  } else {
    const scalar = SCALAR_TYPES[field.type];
    if (!scalar) throw new Error(`schema-drift: add a mapping for scalar type ${field.type}`);
    type = scalar;
  }
  const defaultName = field.default && typeof field.default === "object" && "name" in field.default ? field.default.name : undefined;
  const hasDefault = field.hasDefaultValue && !field.isUpdatedAt && !(defaultName && CLIENT_SIDE_DEFAULTS.has(defaultName));
  return { type: field.isList ? `${type}[]` : type, nullable: !field.isRequired, hasDefault };
}

interface DbColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  character_maximum_length: number | null;
  datetime_precision: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  is_nullable: "YES" | "NO";
  column_default: string | null;
}

function actualType(c: DbColumn): string {
  const base = (udt: string, dataType: string): string => {
    switch (udt) {
      case "text":
      case "uuid":
      case "jsonb":
      case "json":
      case "bytea":
      case "date":
      case "inet":
      case "bool":
        return udt === "bool" ? "boolean" : udt;
      case "int4":
        return "integer";
      case "int8":
        return "bigint";
      case "int2":
        return "smallint";
      case "float8":
        return "double precision";
      case "varchar":
        return c.character_maximum_length ? `varchar(${c.character_maximum_length})` : "varchar";
      case "timestamptz":
        return `timestamptz(${c.datetime_precision})`;
      case "timestamp":
        return `timestamp(${c.datetime_precision})`;
      case "numeric":
        return `numeric(${c.numeric_precision},${c.numeric_scale})`;
      default:
        return dataType === "USER-DEFINED" ? `enum:${udt}` : udt;
    }
  };
  if (c.data_type === "ARRAY") return `${base(c.udt_name.replace(/^_/, ""), "USER-DEFINED")}[]`;
  return base(c.udt_name, c.data_type);
}

function indexKey(table: string, kind: string, columns: string[]): string {
  return `${kind} ${table}(${columns.join(", ")})`;
}

/**
 * Everything that differs between schema.prisma and a database the migrations were applied to:
 * tables, columns (type, nullability, presence of a default), enums, primary keys, unique and
 * plain indexes (with sort order) and foreign keys. An empty list means no drift.
 */
export async function schemaDifferences(schemaPath: string, connectionString: string): Promise<string[]> {
  const dmmf = await getDMMF({ datamodel: await readFile(schemaPath, "utf8") });
  const { models, enums, indexes } = dmmf.datamodel;
  const enumDbNames = new Map(enums.map((e) => [e.name, e.dbName ?? e.name]));
  const tableOf = new Map(models.map((m) => [m.name, m.dbName ?? m.name]));
  const columnOf = (model: string, field: string) => {
    const m = models.find((x) => x.name === model);
    const f = m?.fields.find((x) => x.name === field);
    return f?.dbName ?? field;
  };

  const client = new pg.Client({ connectionString });
  await client.connect();
  const differences: string[] = [];
  try {
    // Columns.
    const { rows: columns } = await client.query<DbColumn>(
      `SELECT table_name, column_name, data_type, udt_name, character_maximum_length, datetime_precision,
              numeric_precision, numeric_scale, is_nullable, column_default
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const actualColumns = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c]));
    const actualTables = new Set(columns.map((c) => c.table_name));
    const expectedTables = new Set<string>();
    for (const model of models) {
      const table = tableOf.get(model.name) ?? model.name;
      expectedTables.add(table);
      if (!actualTables.has(table)) {
        differences.push(`table ${table} (model ${model.name}) is missing`);
        continue;
      }
      const expectedNames = new Set<string>();
      for (const field of model.fields) {
        if (field.kind === "object") continue;
        const column = field.dbName ?? field.name;
        expectedNames.add(column);
        const actual = actualColumns.get(`${table}.${column}`);
        if (!actual) {
          differences.push(`column ${table}.${column} is missing`);
          continue;
        }
        const want = expectedColumn(field, enumDbNames);
        const got = { type: actualType(actual), nullable: actual.is_nullable === "YES", hasDefault: actual.column_default !== null };
        for (const key of ["type", "nullable", "hasDefault"] as const) {
          if (want[key] !== got[key]) {
            differences.push(
              `column ${table}.${column}: ${key} is ${String(got[key])} in the database, ${String(want[key])} in schema.prisma`,
            );
          }
        }
      }
      for (const c of columns.filter((x) => x.table_name === table && !expectedNames.has(x.column_name))) {
        differences.push(`column ${table}.${c.column_name} exists in the database but not in schema.prisma`);
      }
    }
    for (const table of actualTables) {
      if (!expectedTables.has(table)) differences.push(`table ${table} exists in the database but not in schema.prisma`);
    }

    // Enums.
    const { rows: enumRows } = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
         JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' GROUP BY t.typname`,
    );
    const actualEnums = new Map(enumRows.map((r) => [r.name, r.labels.join(",")]));
    for (const e of enums) {
      const name = e.dbName ?? e.name;
      const want = e.values.map((v) => v.dbName ?? v.name).join(",");
      const got = actualEnums.get(name);
      if (got !== want) differences.push(`enum ${name}: database has [${got ?? "nothing"}], schema.prisma has [${want}]`);
      actualEnums.delete(name);
    }
    for (const name of actualEnums.keys()) differences.push(`enum ${name} exists in the database but not in schema.prisma`);

    // Primary keys, unique and plain indexes.
    const { rows: indexRows } = await client.query<{ table: string; kind: string; columns: string[] }>(
      `SELECT t.relname AS table,
              CASE WHEN i.indisprimary THEN 'id' WHEN i.indisunique THEN 'unique' ELSE 'normal' END AS kind,
              array_agg(a.attname::text || CASE WHEN (i.indoption[k.n - 1] & 1) = 1 THEN ' desc' ELSE '' END ORDER BY k.n) AS columns
         FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE ns.nspname = 'public' AND t.relname <> '_prisma_migrations'
        GROUP BY t.relname, i.indexrelid, i.indisprimary, i.indisunique`,
    );
    const actualIndexes = new Set(indexRows.map((r) => indexKey(r.table, r.kind, r.columns)));
    const expectedIndexes = new Set(
      indexes
        .filter((ix) => ix.type !== "fulltext")
        .map((ix) =>
          indexKey(
            tableOf.get(ix.model) ?? ix.model,
            ix.type,
            ix.fields.map((f) => `${columnOf(ix.model, f.name)}${f.sortOrder === "desc" ? " desc" : ""}`),
          ),
        ),
    );
    for (const key of expectedIndexes) if (!actualIndexes.has(key)) differences.push(`index missing: ${key}`);
    for (const key of actualIndexes) if (!expectedIndexes.has(key)) differences.push(`index not in schema.prisma: ${key}`);

    // Foreign keys.
    const { rows: fkRows } = await client.query<{
      table: string;
      columns: string[];
      ref_table: string;
      ref_columns: string[];
      on_delete: string;
    }>(
      `SELECT c.conrelid::regclass::text AS table,
              (SELECT array_agg(pa.attname::text ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute pa ON pa.attrelid = c.conrelid AND pa.attnum = k.attnum) AS columns,
              c.confrelid::regclass::text AS ref_table,
              (SELECT array_agg(pa.attname::text ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.attnum) AS ref_columns,
              c.confdeltype AS on_delete
         FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
        WHERE c.contype = 'f' AND ns.nspname = 'public'`,
    );
    const onDeleteCodes: Record<string, string> = { a: "NoAction", r: "Restrict", c: "Cascade", n: "SetNull", d: "SetDefault" };
    const fkKey = (table: string, cols: readonly string[], ref: string, refCols: readonly string[], onDelete: string) =>
      `${table.replaceAll('"', "")}(${cols.join(", ")}) -> ${ref.replaceAll('"', "")}(${refCols.join(", ")}) on delete ${onDelete}`;
    const actualFks = new Set(
      fkRows.map((r) => fkKey(r.table, r.columns, r.ref_table, r.ref_columns, onDeleteCodes[r.on_delete] ?? r.on_delete)),
    );
    const expectedFks = new Set<string>();
    for (const model of models) {
      for (const field of model.fields) {
        if (field.kind !== "object" || !field.relationFromFields?.length) continue;
        const fromColumns = field.relationFromFields.map((f) => columnOf(model.name, f));
        const toColumns = (field.relationToFields ?? []).map((f) => columnOf(field.type, f));
        const required = field.relationFromFields.every((f) => model.fields.find((x) => x.name === f)?.isRequired);
        const onDelete = field.relationOnDelete ?? (required ? "Restrict" : "SetNull");
        expectedFks.add(
          fkKey(tableOf.get(model.name) ?? model.name, fromColumns, tableOf.get(field.type) ?? field.type, toColumns, onDelete),
        );
      }
    }
    for (const key of expectedFks) if (!actualFks.has(key)) differences.push(`foreign key missing: ${key}`);
    for (const key of actualFks) if (!expectedFks.has(key)) differences.push(`foreign key not in schema.prisma: ${key}`);
  } finally {
    await client.end();
  }
  return differences;
}
