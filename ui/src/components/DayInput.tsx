// A day typed as officers write it (dd.mm.yyyy): `<input type=date>` takes no typing in
// WebKitGTK, so days are text read by `parseDate`.
import { useTranslation } from "react-i18next";

/** A day typed as officers write it; Enter (without Ctrl, which saves the form) adds it. */
export function DayInput({
  label,
  value,
  invalid,
  onChange,
  onEnter,
  testId,
  placeholder,
}: {
  label: string;
  value: string;
  invalid: boolean;
  onChange: (value: string) => void;
  onEnter: () => void;
  testId: string;
  /** What the empty field shows; the way to write a day when absent. */
  placeholder?: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <label>
      {label}{" "}
      <input
        value={value}
        placeholder={placeholder ?? t("distribution.dayFormat")}
        inputMode="numeric"
        size={10}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.ctrlKey) {
            e.preventDefault();
            onEnter();
          }
        }}
        aria-invalid={invalid}
        data-testid={testId}
      />
    </label>
  );
}
