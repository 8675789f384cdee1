import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  type DeskError,
  desk,
  toDeskError,
  type ChecklistZone as Zone,
  type ZoneField,
} from "../ipc/client";
import { formatDate } from "../queue/format";
import { differenceText } from "./TextPanel";

/**
 * An identity document's machine-readable zone on the checklist: agrees with the form, each
 * difference, failing check digits (a likely misreading when the zone was recognised on a
 * scan), an expiry past. A scan not recognised yet is read as soon as the case shows it, and
 * `onRecognised` asks for the case again.
 */
export function ChecklistZone({ zone, onRecognised }: { zone: Zone; onRecognised: () => void }) {
  const { t } = useTranslation();
  const [failed, setFailed] = useState<DeskError | null>(null);
  const reading = zone.recognisable && zone.check === null;

  useEffect(() => {
    if (!reading) return;
    let live = true;
    setFailed(null);
    desk.recogniseDocument(zone.document_id).then(
      () => live && onRecognised(),
      (e) => live && setFailed(toDeskError(e)),
    );
    return () => {
      live = false;
    };
  }, [reading, zone.document_id, onRecognised]);

  const lines: { key: string; ok: boolean; text: string }[] = [];
  const check = zone.check;
  if (reading) {
    lines.push(
      failed
        ? { key: "failed", ok: false, text: t("checklist.zone.unread", { detail: failed.message }) }
        : { key: "reading", ok: true, text: t("checklist.zone.reading") },
    );
  } else if (!check) {
    lines.push({ key: "none", ok: false, text: t("checklist.zone.none") });
  } else {
    const field = (f: ZoneField) => t(`text.zone.field.${f}`);
    const whole = check.failed.length === 0;
    const misread = zone.recognised && !whole;
    if (!whole) {
      const fields = check.failed.map(field).join(", ");
      lines.push({
        key: "digits",
        ok: false,
        text: t(misread ? "checklist.zone.misread" : "checklist.zone.failed", { fields }),
      });
    }
    if (!misread) {
      for (const d of check.differences) {
        lines.push({
          key: `differs-${d.field}`,
          ok: false,
          text: differenceText(t, d),
        });
      }
    }
    if (whole && check.differences.length === 0) {
      lines.push({ key: "agrees", ok: true, text: t("checklist.zone.agrees") });
    }
    if (check.expired && check.expiry) {
      const date = formatDate(check.expiry);
      lines.push({ key: "expired", ok: false, text: t("text.zone.expired", { date }) });
    }
  }
  return (
    <ul
      className="checklist-zone"
      data-testid="checklist-zone"
      data-document={zone.document_id}
      data-state={reading ? (failed ? "unread" : "reading") : check ? "checked" : "none"}
    >
      {lines.map((l) => (
        <li key={l.key} className={l.ok ? "found" : "missing"}>
          {l.key === "reading" ? (
            <progress aria-label={l.text} />
          ) : (
            <span aria-hidden="true">{l.ok ? "✓" : "⚠"}</span>
          )}{" "}
          {l.text}
        </li>
      ))}
    </ul>
  );
}
