"use client";

import { LogOut } from "lucide-react";
import { signOut } from "next-auth/react";
import { useState } from "react";
import type { Role, SessionUser } from "@/lib/auth/roles";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";

// Roles that can change things stand out a little; the word carries the meaning.
const ROLE_TONE: Record<Role, Tone> = { viewer: "neutral", operator: "info", admin: "info" };

/** Who is signed in, with which role, and the way out. */
export function UserMenu({ user }: { user: SessionUser }) {
  const [signingOut, setSigningOut] = useState(false);
  return (
    <div className="flex min-w-0 items-center gap-2.5">
      <span className="hidden max-w-48 truncate font-medium sm:block" title={user.email}>
        {user.name ?? user.email}
      </span>
      {/* Outside the badge, so the badge's own text is just the role name. */}
      <span className="sr-only">Role:</span>
      <Badge tone={ROLE_TONE[user.role]}>{user.role}</Badge>
      <Button
        variant="ghost"
        size="sm"
        icon={<LogOut aria-hidden />}
        loading={signingOut}
        onClick={() => {
          setSigningOut(true);
          void signOut({ callbackUrl: "/signin" });
        }}
      >
        <span className="max-sm:sr-only">Sign out</span>
      </Button>
    </div>
  );
}
