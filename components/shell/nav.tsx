"use client";

import {
  Archive,
  FlaskConical,
  LayoutDashboard,
  Menu,
  RotateCcw,
  ScrollText,
  Settings,
  Siren,
  Users,
  X,
  type LucideIcon,
} from "lucide-react";
import { useSession } from "next-auth/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";

const ITEMS: ReadonlyArray<{ href: string; label: string; icon: LucideIcon; adminOnly?: boolean }> = [
  { href: "/", label: "Overview", icon: LayoutDashboard },
  { href: "/backups", label: "Backups", icon: Archive },
  { href: "/restores", label: "Restores", icon: RotateCcw },
  { href: "/drills", label: "Drills", icon: FlaskConical },
  { href: "/incidents", label: "Incidents", icon: Siren },
  { href: "/audit", label: "Audit", icon: ScrollText },
  { href: "/people", label: "People", icon: Users, adminOnly: true },
  { href: "/settings", label: "Settings", icon: Settings },
];

function isActive(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** The main navigation links; `aria-current="page"` marks where you are (a run page counts as Restores). */
export function Nav({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  // Only a convenience: the People page and its API check the role themselves.
  const isAdmin = useSession().data?.user.role === "admin";
  return (
    <nav aria-label="Main">
      <ul className="space-y-0.5">
        {ITEMS.filter((item) => !item.adminOnly || isAdmin).map(({ href, label, icon: Icon }) => (
          <li key={href}>
            <Link
              href={href}
              aria-current={isActive(pathname, href) ? "page" : undefined}
              onClick={onNavigate}
              className="flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-muted transition-colors hover:bg-subtle hover:text-fg aria-[current=page]:bg-accent-soft aria-[current=page]:font-medium aria-[current=page]:text-accent-text"
            >
              <Icon aria-hidden className="size-4 shrink-0" />
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * Narrow screens: the sidebar folds into a menu button that opens the same links in a panel
 * under the top bar. Escape, a click outside, or following a link closes it.
 */
export function MobileNav() {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panelRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [open]);

  return (
    <div className="lg:hidden">
      <Button
        ref={buttonRef}
        variant="ghost"
        size="sm"
        className="px-1.5"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label="Menu"
        icon={open ? <X aria-hidden /> : <Menu aria-hidden />}
        onClick={() => setOpen((v) => !v)}
      />
      <div
        ref={panelRef}
        id={panelId}
        hidden={!open}
        className="absolute inset-x-0 top-full border-b border-border bg-surface px-3 py-3 shadow-lg"
      >
        <Nav onNavigate={() => setOpen(false)} />
      </div>
    </div>
  );
}
