// A field of the sign-in and lock screens' cards: its label above the input, tied by an id.
import { type ComponentProps, useId } from "react";

/** An input with its visible label; the other props (and the ref) go to the input. */
export function Field({
  label,
  ...input
}: { label: string } & Omit<ComponentProps<"input">, "id">) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} />
    </>
  );
}
