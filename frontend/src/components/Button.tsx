// Buttons keep their name while busy (so they can always be found by it) and
// show a spinner instead; a pending button is disabled to prevent repeats.
import type { ComponentPropsWithRef, ReactNode } from "react";

interface ButtonProps extends ComponentPropsWithRef<"button"> {
  variant?: "primary" | "secondary" | "danger" | "danger-ghost";
  pending?: boolean;
  block?: boolean;
  children: ReactNode;
}

export function Button({
  variant = "secondary",
  pending = false,
  block = false,
  type = "button",
  disabled,
  className,
  children,
  ...rest
}: ButtonProps) {
  const classes = ["button", `button-${variant}`, block ? "button-block" : "", className ?? ""]
    .filter(Boolean)
    .join(" ");
  return (
    <button type={type} className={classes} disabled={disabled || pending} aria-busy={pending || undefined} {...rest}>
      {pending ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}
