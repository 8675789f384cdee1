import { useTranslation } from "react-i18next";
import type { DeskError } from "../ipc/client";

/** What went wrong, in the officer's language, with the technical detail for support staff
 * (shown at once for a configuration error: the file, line and key are what IT needs). */
export function ErrorNotice({ error }: { error: DeskError }) {
  const { t } = useTranslation();
  return (
    <div role="alert" className="error-notice" data-testid="error-notice" data-kind={error.kind}>
      <p>{t(`errors.${error.kind}`)}</p>
      <details open={error.kind === "configuration"}>
        <summary>{t("errors.detail")}</summary>
        <code>{error.message}</code>
      </details>
    </div>
  );
}
