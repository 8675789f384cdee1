import { useId } from "react";
import { useTranslation } from "react-i18next";
import markUrl from "../../../icons/migdesk.svg";
import { AboutWorkstation } from "../components/AboutWorkstation";
import { LanguageSwitch } from "../components/LanguageSwitch";

/**
 * The first screen. The fields take input but sign-in is not connected yet; the screen says so
 * instead of pretending.
 */
export function SignIn() {
  const { t } = useTranslation();
  const id = useId();
  const noteId = `${id}-note`;

  return (
    <main className="sign-in">
      <header className="brand">
        <img src={markUrl} alt="" width={56} height={56} />
        <div>
          <p className="app-name">{t("app.name")}</p>
          <p className="tagline">{t("app.tagline")}</p>
        </div>
        <LanguageSwitch />
      </header>

      <form
        className="card"
        aria-labelledby={`${id}-title`}
        aria-describedby={noteId}
        onSubmit={(event) => event.preventDefault()}
      >
        <h1 id={`${id}-title`} data-testid="sign-in-title">
          {t("signIn.title")}
        </h1>
        <label htmlFor={`${id}-server`}>{t("signIn.server")}</label>
        <input
          id={`${id}-server`}
          name="server"
          type="url"
          autoComplete="url"
          placeholder="https://"
        />
        <label htmlFor={`${id}-user`}>{t("signIn.username")}</label>
        <input id={`${id}-user`} name="username" autoComplete="username" />
        <label htmlFor={`${id}-password`}>{t("signIn.password")}</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete="current-password"
        />
        <p id={noteId} className="note" data-testid="sign-in-not-yet">
          {t("signIn.notYet")}
        </p>
        <button type="submit" disabled>
          {t("signIn.submit")}
        </button>
      </form>

      <AboutWorkstation />
    </main>
  );
}
