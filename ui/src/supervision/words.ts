import type { TFunction } from "i18next";
import { formatDateTime } from "../queue/format";

/** When an officer's desk last synced with the centre, or that it never did. */
export function lastSync(t: TFunction, at: string | null): string {
  return at === null ? t("supervision.never") : formatDateTime(at);
}
