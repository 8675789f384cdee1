/** A date as officers write it: dd.mm.yyyy (from `yyyy-mm-dd…`). */
export function formatDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : iso;
}

/** A moment as officers read it: dd.mm.yyyy HH:MM in this workstation's time zone. */
export function formatDateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(at.getDate())}.${two(at.getMonth() + 1)}.${at.getFullYear()} ${two(at.getHours())}:${two(at.getMinutes())}`;
}

/** A day as an officer types it — dd.mm.yyyy, or yyyy-mm-dd — as `yyyy-mm-dd`; null when it
 * is not a real day. */
export function parseDate(text: string): string | null {
  const trimmed = text.trim();
  const local = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(trimmed);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  const [year, month, day] = local
    ? [Number(local[3]), Number(local[2]), Number(local[1])]
    : iso
      ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
      : [0, 0, 0];
  const at = new Date(Date.UTC(year, month - 1, day));
  if (
    year < 1900 ||
    at.getUTCFullYear() !== year ||
    at.getUTCMonth() !== month - 1 ||
    at.getUTCDate() !== day
  ) {
    return null;
  }
  const two = (n: number) => String(n).padStart(2, "0");
  return `${year}-${two(month)}-${two(day)}`;
}
