"use client";

import { CloudOff } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { AddressText } from "@/components/ui/address-text";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Time } from "@/components/ui/time";
import { useSetSimulatedOutage, useSimulatedOutage } from "@/lib/client/use-simulated-outage";
import type { SimulatedOutage } from "@/lib/demo/simulated-outage-state";

/**
 * Demo only: stops the primary backup store (its S3 server refuses every connection) so a restore
 * can be seen reading from the DR replica, and ends it. Everyone sees the banner; operators get
 * the buttons, as the API allows.
 */
export function SimulatedOutageControl({ initial, canControl }: { initial: SimulatedOutage; canControl: boolean }) {
  const { data: outage } = useSimulatedOutage(initial);
  const change = useSetSimulatedOutage();
  const [confirming, setConfirming] = useState(false);
  // The state this person just switched to: once shown, its heading takes the focus (the button is gone).
  const switchedTo = useRef<boolean | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const headingId = useId();

  useEffect(() => {
    if (switchedTo.current === null || switchedTo.current !== outage.down) return;
    switchedTo.current = null;
    heading.current?.focus();
  });

  const replicas = outage.replicas.length > 0 ? outage.replicas.join(", ") : null;
  const switchTo = (down: boolean) =>
    change.mutate(down, {
      onSuccess: () => {
        switchedTo.current = down;
        setConfirming(false);
      },
    });
  const close = () => {
    setConfirming(false);
    if (!change.isPending) change.reset();
  };
  const error = change.error && (
    <p role="alert" className="text-sm font-medium text-danger-text">
      {change.error.message}
    </p>
  );

  if (outage.down) {
    return (
      <section
        aria-labelledby={headingId}
        data-simulated-outage="down"
        className="flex flex-wrap items-start gap-3 rounded-lg border border-danger/30 bg-danger-soft px-4 py-3 text-danger-text"
      >
        <CloudOff aria-hidden className="mt-0.5 size-5 shrink-0" />
        <div className="min-w-0 flex-1 basis-60 space-y-1 text-sm">
          <h3 ref={heading} id={headingId} tabIndex={-1} className="font-semibold">
            Simulated primary region outage
          </h3>
          <p>
            The primary backup store (<AddressText value={outage.primary} />) refuses every connection
            {outage.startedAt && (
              <>
                ; down since <Time value={outage.startedAt} relative />
              </>
            )}
            {outage.startedBy && <>, started by {outage.startedBy}</>}.{" "}
            {replicas
              ? `Logical restores read their dump from ${replicas}, where it holds an exact copy, and are recorded as cross-region.`
              : "This environment has no replica to read from: restores from the backup store fail until it ends."}
          </p>
          {!canControl && <p>An operator can end it.</p>}
          {error}
        </div>
        {canControl && (
          <Button variant="primary" loading={change.isPending} onClick={() => switchTo(false)}>
            End the simulated outage
          </Button>
        )}
      </section>
    );
  }

  return (
    <section
      aria-labelledby={headingId}
      data-simulated-outage="up"
      className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-border px-3 py-3"
    >
      <div className="min-w-0 flex-1 basis-60 space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <h3 ref={heading} id={headingId} tabIndex={-1} className="text-sm font-semibold">
            Regional failure
          </h3>
          <Badge tone="info">demo only</Badge>
        </div>
        <p className="text-muted">
          Stop the primary backup store to see a restore read its dump from {replicas ?? "a replica (none is configured)"} instead.
        </p>
        {!canControl && <p className="text-muted">An operator can start it.</p>}
      </div>
      {canControl && (
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Simulate a primary region outage
        </Button>
      )}
      <Dialog
        open={confirming}
        onClose={close}
        title="Simulate a primary region outage?"
        footer={
          <>
            <Button onClick={close}>Cancel</Button>
            <Button variant="danger" loading={change.isPending} onClick={() => switchTo(true)}>
              Start the outage
            </Button>
          </>
        }
      >
        <div className="space-y-3 text-sm">
          <ul className="list-disc space-y-1 pl-5">
            <li>
              The primary backup store (<AddressText value={outage.primary} />) stops answering: its server refuses every connection, for
              everyone using this demo. A restore reading from it now loses its connection.
            </li>
            <li>
              {replicas
                ? `Logical restores read their dump from the DR replica, ${replicas}, where it holds an exact copy, and are recorded as cross-region.`
                : "No replica is configured: restores from the backup store fail until the outage ends."}
            </li>
            <li>Catalog refreshes cannot list the primary; the replica is still listed.</li>
            <li>End it any time from this card; nothing is deleted. Restarting the demo ends it too.</li>
          </ul>
          {error}
        </div>
      </Dialog>
    </section>
  );
}
