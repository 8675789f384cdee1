import { describe, expect, it } from "vitest";
import { ERROR_KINDS } from "../ipc/client";
import { createI18n, DEFAULT_LANGUAGE, LANGUAGE_STORAGE_KEY, LANGUAGES, resources } from ".";
import { codeText } from "./codes";

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === "string" ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );
}

function leaves(tree: Tree): string[] {
  return Object.values(tree).flatMap((v) => (typeof v === "string" ? [v] : leaves(v)));
}

/** Keys with plural suffixes folded: each language has the plural forms its grammar needs. */
function baseKeys(tree: Tree): string[] {
  const plural = /_(zero|one|two|few|many|other)$/;
  return [...new Set(keys(tree).map((k) => k.replace(plural, "")))].sort();
}

describe("translations", () => {
  const az = baseKeys(resources.az.translation as Tree);

  it.each(LANGUAGES)("%s has exactly the Azerbaijani keys", (lng) => {
    expect(baseKeys(resources[lng].translation as Tree)).toEqual(az);
  });

  it.each(LANGUAGES)("%s has every plural form its grammar needs", (lng) => {
    const all = keys(resources[lng].translation as Tree);
    const rules = new Intl.PluralRules(lng);
    for (const key of all.filter((k) => k.endsWith("_other"))) {
      const base = key.slice(0, -"_other".length);
      for (const form of rules.resolvedOptions().pluralCategories) {
        expect(all).toContain(`${base}_${form}`);
      }
    }
  });

  it.each(LANGUAGES)("%s has no empty text", (lng) => {
    for (const text of leaves(resources[lng].translation as Tree)) {
      expect(text.trim()).not.toBe("");
    }
  });

  it("has an error message for every error kind the core sends", () => {
    // Kinds are generated from the Rust ErrorKind; see ipc/bindings.ts.
    for (const kind of ERROR_KINDS) {
      for (const lng of LANGUAGES) {
        expect(keys(resources[lng].translation as Tree)).toContain(`errors.${kind}`);
      }
    }
  });
});

describe("translation keys", () => {
  // These lines are checked by the type check too: each @ts-expect-error fails it if the call
  // below it ever compiles.
  it("are typed: a key missing from the catalogue does not compile, even with a default", () => {
    const { t } = createI18n("en");
    expect(t("signIn.title")).toBe("Sign in");
    // @ts-expect-error the catalogue has no such key.
    expect(t("a.missing.key")).toBe("a.missing.key");
    // @ts-expect-error a default value does not excuse a missing key.
    expect(t("a.missing.key", "fallback")).toBe("fallback");
  });

  it("name codes from data through a checked group, the code itself when unnamed", () => {
    const { t } = createI18n("en");
    expect(codeText(t, "queue.status", "refused")).toBe(
      resources.en.translation.queue.status.refused,
    );
    expect(codeText(t, "queue.status", "archived")).toBe("archived");
    // @ts-expect-error there is no such group.
    expect(codeText(t, "queue.statuses", "refused")).toBe("refused");
    // @ts-expect-error a single text is not a group.
    expect(codeText(t, "queue.title", "x")).toBe("x");
  });
});

describe("language choice", () => {
  it("starts in Azerbaijani", () => {
    const i18n = createI18n();
    expect(DEFAULT_LANGUAGE).toBe("az");
    expect(i18n.language).toBe("az");
    expect(document.documentElement.lang).toBe("az");
  });

  it("is remembered on the workstation", async () => {
    const i18n = createI18n();
    await i18n.changeLanguage("ru");
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe("ru");
    expect(createI18n().language).toBe("ru");
  });

  it("ignores a stored value that is not a language", () => {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, "xx");
    expect(createI18n().language).toBe("az");
  });

  it("keeps Azerbaijani case rules in translations", () => {
    // İ and ı must survive as written: a careless upper/lower-casing would break them.
    expect(createI18n("az").t("signIn.username")).toBe("İstifadəçi adı");
  });
});
