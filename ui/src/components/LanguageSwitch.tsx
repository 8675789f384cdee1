import { useTranslation } from "react-i18next";
import { LANGUAGES } from "../i18n";

/** Three buttons, each naming its language in that language; the current one is pressed. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <fieldset className="language-switch">
      <legend className="visually-hidden">{t("language.label")}</legend>
      {LANGUAGES.map((lng) => {
        const current = i18n.language === lng;
        return (
          <button
            key={lng}
            type="button"
            lang={lng}
            data-testid={`language-${lng}`}
            aria-pressed={current}
            className={current ? "current" : undefined}
            onClick={() => void i18n.changeLanguage(lng)}
          >
            {t("language.name", { lng })}
          </button>
        );
      })}
    </fieldset>
  );
}
