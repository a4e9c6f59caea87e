import { ChevronLeft, ChevronRight } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClasses } from "./button";
import { cx } from "./cx";

/** A page's `searchParams`, as Next hands them to server components. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** `pathname?query`: the current query with `changes` applied (null or "" removes a key), e.g. filters kept while paging. */
export function hrefWith(pathname: string, searchParams: SearchParams, changes: Record<string, string | number | null>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(key, v);
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === "") query.delete(key);
    else query.set(key, String(value));
  }
  const search = query.toString();
  return search ? `${pathname}?${search}` : pathname;
}

/** Either a function from page number to href, or the page's URL parts (page 1 drops the parameter). */
export type PageHref = ((page: number) => string) | { pathname: string; searchParams: SearchParams; param?: string };

function pageHref(source: PageHref, page: number): string {
  if (typeof source === "function") return source(page);
  return hrefWith(source.pathname, source.searchParams, { [source.param ?? "page"]: page === 1 ? null : page });
}

interface Common {
  /** Names the navigation landmark, e.g. "Audit event pages". */
  label?: string;
  className?: string;
}
/** Offset paging with a known total: Previous, numbered pages, Next. */
interface Counted extends Common {
  page: number;
  pageCount: number;
  href: PageHref;
}
/** Offset paging without a total: Previous, "Page n", Next. */
interface Open extends Common {
  page: number;
  hasNext: boolean;
  href: PageHref;
}
/** Keyset (cursor) paging: the caller builds both links; null disables one. */
interface Cursor extends Common {
  previousHref: string | null;
  nextHref: string | null;
  previousLabel?: string;
  nextLabel?: string;
}
export type PaginationProps = Counted | Open | Cursor;

/** Server-friendly paging: plain links, so it works without JavaScript and keeps filters in the URL. */
export function Pagination(props: PaginationProps) {
  const { label = "Pagination", className } = props;
  let previous: string | null;
  let next: string | null;
  let middle: ReactNode = null;
  if ("previousHref" in props) {
    previous = props.previousHref;
    next = props.nextHref;
  } else {
    const { page, href } = props;
    const last = "pageCount" in props ? Math.max(props.pageCount, 1) : undefined;
    previous = page > 1 ? pageHref(href, page - 1) : null;
    next = (last === undefined ? "hasNext" in props && props.hasNext : page < last) ? pageHref(href, page + 1) : null;
    middle =
      last === undefined ? (
        <li className="px-2 text-muted tabular-nums">Page {page}</li>
      ) : (
        pageWindow(page, last).map((p, i) =>
          p === null ? (
            <li key={`gap-${i}`} aria-hidden className="px-1 text-muted max-sm:hidden">
              …
            </li>
          ) : (
            // Phones keep Previous, the current page and Next on one line.
            <li key={p} className={p === page ? undefined : "max-sm:hidden"}>
              {p === page ? (
                <span
                  aria-current="page"
                  className={cx(buttonClasses({ variant: "ghost", size: "sm" }), "bg-accent-soft text-accent-text tabular-nums")}
                >
                  <span className="sr-only">Page </span>
                  {p}
                </span>
              ) : (
                <Link href={pageHref(href, p)} className={buttonClasses({ variant: "ghost", size: "sm", className: "tabular-nums" })}>
                  <span className="sr-only">Page </span>
                  {p}
                </Link>
              )}
            </li>
          ),
        )
      );
  }
  const previousLabel = ("previousLabel" in props && props.previousLabel) || "Previous";
  const nextLabel = ("nextLabel" in props && props.nextLabel) || "Next";
  return (
    <nav aria-label={label} className={cx("flex items-center justify-between gap-2", className)}>
      <ul className="flex flex-wrap items-center gap-1">
        <li>
          <PageLink href={previous}>
            <ChevronLeft aria-hidden />
            {previousLabel}
          </PageLink>
        </li>
        {middle}
        <li>
          <PageLink href={next}>
            {nextLabel}
            <ChevronRight aria-hidden />
          </PageLink>
        </li>
      </ul>
    </nav>
  );
}

function PageLink({ href, children }: { href: string | null; children: ReactNode }) {
  const classes = buttonClasses({ variant: "secondary", size: "sm" });
  if (href) {
    return (
      <Link href={href} className={classes}>
        {children}
      </Link>
    );
  }
  // Not a link at all when there is nowhere to go, but still visible so the layout holds.
  return (
    <span aria-disabled="true" className={cx(classes, "pointer-events-none")}>
      {children}
    </span>
  );
}

/** 1 … 4 5 6 … 20: first, last, and the neighbours of the current page; null marks a gap. */
function pageWindow(page: number, last: number): Array<number | null> {
  const shown = new Set([1, last, page - 1, page, page + 1].filter((p) => p >= 1 && p <= last));
  const sorted = [...shown].sort((a, b) => a - b);
  const out: Array<number | null> = [];
  for (const p of sorted) {
    const prev = out.at(-1);
    if (typeof prev === "number" && p - prev === 2) out.push(p - 1);
    else if (typeof prev === "number" && p - prev > 2) out.push(null);
    out.push(p);
  }
  return out;
}
