// Translation keys are typed from the Azerbaijani catalogue (the default language, and the one
// whose keys every other catalogue must have): `t("a.missing.key")` fails to compile.
import "i18next";
import type az from "./locales/az.json";

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    // A default value does not excuse a key the catalogue lacks.
    strictKeyChecks: true;
    resources: { translation: typeof az };
  }
}
