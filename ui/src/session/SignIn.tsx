import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import markUrl from "../../../icons/migdesk.svg";
import { AboutWorkstation } from "../components/AboutWorkstation";
import { ErrorNotice } from "../components/ErrorNotice";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { type DeskError, desk, type SessionInfo, toDeskError } from "../ipc/client";
import { Field } from "./Field";
import "./session.css";

/** The first screen: the central service's address (remembered), user name and password. */
export function SignIn({
  server,
  serverLocked = false,
  onSignedIn,
}: {
  server: string | null;
  /** The workstation's configuration locks the centre: shown, not asked. */
  serverLocked?: boolean;
  onSignedIn: (session: SessionInfo) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [error, setError] = useState<DeskError | null>(null);
  const [busy, setBusy] = useState(false);
  const serverRef = useRef<HTMLInputElement>(null);
  const userRef = useRef<HTMLInputElement>(null);

  // The first field still to fill has the focus: the user name when the server is offered.
  useEffect(() => {
    (serverRef.current?.value ? userRef.current : serverRef.current)?.focus();
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      const session = await desk.signIn({
        server: field("server"),
        username: field("username"),
        password: String(form.get("password") ?? ""),
      });
      onSignedIn(session);
    } catch (thrown) {
      setError(toDeskError(thrown));
      setBusy(false);
    }
  }

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

      <form className="card" aria-labelledby={`${id}-title`} onSubmit={submit}>
        <h1 id={`${id}-title`} data-testid="sign-in-title">
          {t("signIn.title")}
        </h1>
        {serverLocked && server ? (
          <p className="locked-server" data-testid="sign-in-server-locked">
            {t("signIn.serverLocked")}: <strong>{server}</strong>
            <input type="hidden" name="server" value={server} ref={serverRef} />
          </p>
        ) : (
          <Field
            label={t("signIn.server")}
            name="server"
            type="url"
            autoComplete="url"
            placeholder="https://"
            defaultValue={server ?? ""}
            ref={serverRef}
            required
            data-testid="sign-in-server"
          />
        )}
        <Field
          label={t("signIn.username")}
          name="username"
          ref={userRef}
          autoComplete="username"
          required
          data-testid="sign-in-username"
        />
        <Field
          label={t("signIn.password")}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          data-testid="sign-in-password"
        />
        {error && <ErrorNotice error={error} />}
        <button type="submit" disabled={busy} aria-busy={busy} data-testid="sign-in-submit">
          {busy ? t("signIn.busy") : t("signIn.submit")}
        </button>
      </form>

      <AboutWorkstation />
    </main>
  );
}
