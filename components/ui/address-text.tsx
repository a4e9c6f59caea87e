import { Fragment } from "react";
import { addressTokens } from "@/lib/address-tokens";
import { cx } from "./cx";

/**
 * A URL, host:port or path in monospace that wraps at a space or after a "/", never inside its
 * port; only a part wider than the whole line breaks within itself, so nothing widens the page.
 */
export function AddressText({ value, className }: { value: string; className?: string }) {
  return (
    <span className={cx("font-mono [overflow-wrap:anywhere]", className)}>
      {addressTokens(value).map((token, index) => (
        <Fragment key={index}>
          {token.kind === "break" ? <wbr /> : token.kind === "port" ? <span className="whitespace-nowrap">{token.text}</span> : token.text}
        </Fragment>
      ))}
    </span>
  );
}
