import type { ParseKeys, TFunction } from "i18next";
import type az from "./locales/az.json";

/** The dotted paths of the catalogue's groups whose entries are all texts (`queue.status`,
 * `form.fields`, …): the groups that name the codes the desk and the centre send. */
type Groups<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string
    ? never
    :
        | (T[K] extends Record<string, string> ? `${Prefix}${K}` : never)
        | Groups<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

export type CodeGroup = Groups<typeof az>;

/**
 * The words for a code the desk or the centre sends as a plain string (a status, a history
 * event, a form field, …) from `group` of the catalogue; a code the catalogue does not name yet
 * (new at the centre) is shown as it is. The group is checked at compile time; the code cannot
 * be, which is why this is the one place a translation key is built from a string.
 */
export function codeText(t: TFunction, group: CodeGroup, code: string): string {
  // The cast is the unchecked part: `code` came from data, and `defaultValue` covers a miss.
  return t(`${group}.${code}` as ParseKeys, { defaultValue: code });
}
