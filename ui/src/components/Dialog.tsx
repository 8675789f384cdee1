// A modal dialog over a dimmed screen (styled in components.css). Focus and the keys that close
// it stay with each caller, which knows what closing means there.
import type { HTMLAttributes, ReactNode } from "react";

/** The backdrop and the dialog box: a `dialog` (or an `alertdialog`, for a warning that needs
 * an answer) named by its heading, with any further class, handlers and data attributes. */
export function Dialog({
  role = "dialog",
  labelledBy,
  className,
  children,
  ...rest
}: Omit<HTMLAttributes<HTMLDivElement>, "role" | "aria-modal" | "aria-labelledby"> & {
  role?: "dialog" | "alertdialog";
  /** The id of the dialog's heading. */
  labelledBy: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="dialog-backdrop">
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: both roles are modal dialogs. */}
      <div
        role={role}
        aria-modal="true"
        aria-labelledby={labelledBy}
        className={className ? `dialog ${className}` : "dialog"}
        {...rest}
      >
        {children}
      </div>
    </div>
  );
}
