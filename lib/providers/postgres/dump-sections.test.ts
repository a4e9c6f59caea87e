import { describe, expect, it } from "vitest";
import { classifyStatement, postConflicts, type TableLock } from "./dump-sections";

const key = (schema: string, table: string) => JSON.stringify([schema, table]);
const locks = (entries: Array<[string, TableLock]>) => new Map(entries);

describe("classifyStatement", () => {
  it("recognises pg_dump's session settings, which every connection must run", () => {
    for (const sql of [
      "SET statement_timeout = 0;",
      "SET client_min_messages = warning;",
      "\n--\n-- comment\n--\n\nSET default_tablespace = '';",
      "SELECT pg_catalog.set_config('search_path', '', false);",
      "RESET search_path;",
    ]) {
      expect(classifyStatement(sql)).toEqual({ kind: "session" });
    }
    // Transaction-scoped or not pg_dump's: kept in order instead.
    for (const sql of ["SET LOCAL work_mem = '1GB';", "SET CONSTRAINTS ALL DEFERRED;", "SELECT pg_catalog.set_config('a', 'b', true);"]) {
      expect(classifyStatement(sql)).toEqual({ kind: "ordered" });
    }
  });

  it("splits only pg_dump's text-format COPY, whose rows are lines", () => {
    expect(classifyStatement("COPY public.audit_logs (id, tenant_id, action) FROM stdin;")).toEqual({
      kind: "copy",
      splittable: true,
      table: key("public", "audit_logs"),
    });
    expect(classifyStatement('COPY "My Schema"."T" FROM stdin;')).toEqual({ kind: "copy", splittable: true, table: key("My Schema", "T") });
    for (const sql of [
      "COPY public.t (a) FROM stdin WITH (FORMAT csv);",
      "COPY public.t (a) FROM stdin CSV;",
      "COPY t (a) FROM stdin;",
      "COPY public.t (a) FROM stdin (FORMAT binary);",
    ]) {
      expect(classifyStatement(sql)).toEqual({ kind: "copy", splittable: false });
    }
  });

  it("lets index builds on one table share it", () => {
    expect(classifyStatement("CREATE INDEX audit_logs_actor_id_idx ON public.audit_logs USING btree (actor_id);")).toEqual({
      kind: "post",
      locks: locks([[key("public", "audit_logs"), "share"]]),
      foreignKey: false,
    });
    expect(
      classifyStatement('CREATE UNIQUE INDEX "Idx" ON ONLY "Sales"."Orders" USING btree (lower(email)) WHERE (deleted IS NULL);'),
    ).toEqual({
      kind: "post",
      locks: locks([[key("Sales", "Orders"), "share"]]),
      foreignKey: false,
    });
    for (const sql of [
      "CREATE INDEX CONCURRENTLY i ON public.t (a);",
      "CREATE INDEX IF NOT EXISTS i ON public.t (a);",
      "CREATE INDEX ON public.t (a);",
      "CREATE INDEX i ON t (a);",
    ]) {
      expect(classifyStatement(sql)).toEqual({ kind: "ordered" });
    }
  });

  it("gives a key constraint its table, and a foreign key both its tables", () => {
    expect(classifyStatement("ALTER TABLE ONLY public.audit_logs\n    ADD CONSTRAINT audit_logs_pkey PRIMARY KEY (id);")).toEqual({
      kind: "post",
      locks: locks([[key("public", "audit_logs"), "exclusive"]]),
      foreignKey: false,
    });
    expect(
      classifyStatement("ALTER TABLE ONLY public.users\n    ADD CONSTRAINT users_tenant_id_email_key UNIQUE (tenant_id, email);"),
    ).toEqual({
      kind: "post",
      locks: locks([[key("public", "users"), "exclusive"]]),
      foreignKey: false,
    });
    expect(
      classifyStatement(
        "ALTER TABLE ONLY public.payments\n    ADD CONSTRAINT payments_loan_id_fkey FOREIGN KEY (loan_id) REFERENCES public.loans(id) ON DELETE CASCADE NOT VALID;",
      ),
    ).toEqual({
      kind: "post",
      locks: locks([
        [key("public", "payments"), "exclusive"],
        [key("public", "loans"), "exclusive"],
      ]),
      foreignKey: true,
    });
  });

  it("keeps everything else in dump order", () => {
    for (const sql of [
      "CREATE TABLE public.t (id int);",
      "SELECT pg_catalog.setval('public.t_id_seq', 5, true);",
      "ALTER TABLE ONLY public.t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
      "ALTER TABLE ONLY public.t ADD CONSTRAINT a PRIMARY KEY (id), ADD CONSTRAINT b FOREIGN KEY (x) REFERENCES public.u(id);",
      "ALTER TABLE ONLY public.t ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES u(id);",
      "ALTER TABLE public.t OWNER TO app;",
      "CREATE TRIGGER trg AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();",
      "GRANT SELECT ON TABLE public.t TO reporting;",
      "INSERT INTO public.t VALUES (1);",
      "REFRESH MATERIALIZED VIEW public.mv;",
    ]) {
      expect(classifyStatement(sql), sql).toEqual({ kind: "ordered" });
    }
  });
});

describe("postConflicts", () => {
  const t = key("public", "t");
  const u = key("public", "u");
  it("lets statements on different tables, and index builds on one, run together", () => {
    expect(postConflicts(locks([[t, "share"]]), locks([[t, "share"]]))).toBe(false);
    expect(postConflicts(locks([[t, "exclusive"]]), locks([[u, "exclusive"]]))).toBe(false);
  });

  it("orders anything else on a common table", () => {
    expect(postConflicts(locks([[t, "share"]]), locks([[t, "exclusive"]]))).toBe(true);
    expect(
      postConflicts(
        locks([
          [t, "exclusive"],
          [u, "exclusive"],
        ]),
        locks([[u, "share"]]),
      ),
    ).toBe(true);
  });
});
