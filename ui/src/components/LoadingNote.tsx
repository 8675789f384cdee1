// "Loading…", where a part of a screen waits for its first answer.
import { useTranslation } from "react-i18next";

/** Says the part above is loading, while `shown`: until its first answer (or error) comes. */
export function LoadingNote({ shown = true }: { shown?: boolean }) {
  const { t } = useTranslation();
  return shown ? <p className="note">{t("queue.loading")}</p> : null;
}
