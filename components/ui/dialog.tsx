"use client";

import { X } from "lucide-react";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { Button } from "./button";
import { cx } from "./cx";

const SIZES = { sm: "max-w-sm", md: "max-w-lg", lg: "max-w-2xl" } as const;

export interface DialogProps {
  open: boolean;
  /** Called whenever the dialog closes: Escape, the close button, a backdrop click, `form method="dialog"`. */
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons, right-aligned; put the safe choice first so it is nearest the focus start. */
  footer?: ReactNode;
  size?: keyof typeof SIZES;
  /** false while a destructive confirmation must be answered explicitly: no backdrop-click close. */
  dismissible?: boolean;
}

/**
 * A modal on the native <dialog>: showModal() gives the focus trap, inertness of the page,
 * Escape to close and focus return to the opener, all from the platform. A dialog its owner
 * stops rendering while open never closes natively, so it returns focus to its opener itself.
 */
export function Dialog({ open, onClose, title, description, children, footer, size = "md", dismissible = true }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  // What had focus when the dialog opened; cleared once the platform has returned focus to it.
  const opener = useRef<HTMLElement | null>(null);

  // Every way of closing goes through the native close(), so onClose runs once, from the close event.
  const close = () => ref.current?.close();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  // Unmounted while open: the removed <dialog> took focus with it. Give it back to the opener if
  // it is still on the page and nothing else took focus meanwhile (an outcome focused after an action).
  useEffect(
    () => () => {
      const target = opener.current;
      const lost = document.activeElement === null || document.activeElement === document.body;
      if (target?.isConnected && lost) target.focus();
    },
    [],
  );

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onClose={() => {
        opener.current = null;
        onClose();
      }}
      onClick={(event) => {
        // A click on the dialog element itself (not its content) is a click on the backdrop.
        if (dismissible && event.target === event.currentTarget) close();
      }}
      className={cx(
        "m-auto w-[calc(100%-2rem)] rounded-lg border border-border bg-surface p-0 text-fg shadow-xl backdrop:bg-zinc-950/50",
        SIZES[size],
      )}
    >
      <div className="flex items-start justify-between gap-4 px-5 pt-4">
        <div className="min-w-0">
          <h2 id={titleId} className="text-base font-semibold">
            {title}
          </h2>
          {description && (
            <p id={descriptionId} className="mt-1 text-muted">
              {description}
            </p>
          )}
        </div>
        <Button variant="ghost" size="sm" className="-mr-2 px-1.5" aria-label="Close" onClick={close} icon={<X aria-hidden />} />
      </div>
      {children && <div className="px-5 py-4">{children}</div>}
      {footer && <div className="flex flex-wrap justify-end gap-2 border-t border-border px-5 py-3">{footer}</div>}
    </dialog>
  );
}
