import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { collect } from "@/lib/testing/streams";
import { DumpTocScanner, planSelection, selectionFilter, tableCatalog } from "./dump-toc";
import { END_MARKER } from "./plain-dump-guard";
import { SelectionStream } from "./selection-stream";

const DUMP = readFileSync(path.join(import.meta.dirname, "fixtures", "small-plain-dump.sql"), "utf8");

function catalogOf(text: string) {
  const scanner = new DumpTocScanner();
  for (const line of text.split("\n")) scanner.line(line);
  return tableCatalog(scanner.finish());
}

/** The dump through the stream, in chunks of `size` bytes so lines are cut anywhere. */
async function select(tables: string[], size: number): Promise<string> {
  const catalog = catalogOf(DUMP);
  const bytes = Buffer.from(DUMP);
  const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  const out = await collect(Readable.from(chunks).pipe(new SelectionStream(selectionFilter(catalog, planSelection(catalog, tables)))));
  return out.toString("utf8");
}

describe("SelectionStream", () => {
  it.each([7, 64, 100_000])(
    "keeps only the chosen table's sections, the preamble and the end marker (chunks of %i bytes)",
    async (size) => {
      const sql = await select(["public.payments"], size);
      expect(sql).toContain("CREATE TABLE public.payments (");
      expect(sql).toContain("COPY public.payments (id, loan_id) FROM stdin;");
      expect(sql).toContain("ADD CONSTRAINT payments_pkey PRIMARY KEY (id);");
      expect(sql).toContain("CREATE INDEX payments_loan_idx ON public.payments");
      expect(sql).toContain("-- PostgreSQL database dump\n");
      expect(sql.trimEnd().endsWith("--")).toBe(true);
      expect(sql).toContain(END_MARKER);
      expect(sql).not.toContain("CREATE TABLE public.loans");
      expect(sql).not.toContain("COPY public.loans");
      expect(sql).not.toContain("payments_loan_id_fkey");
      expect(sql).not.toContain("GRANT SELECT ON TABLE public.loans");
      expect(sql).not.toContain('billing."Odd Table"');
    },
  );

  it("treats COPY data that looks like a header as data of its table", async () => {
    const sql = await select(["public.loans"], 13);
    expect(sql).toContain("1\t-- Name: fake; Type: TABLE; Schema: public; Owner: x\n2\tCREATE INDEX nope ON public.payments (id);\n\\.\n");
    expect(sql).not.toContain("CREATE TABLE public.payments");
  });
});
