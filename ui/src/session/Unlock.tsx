import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { type DeskError, desk, type SessionInfo, toDeskError } from "../ipc/client";
import { Field } from "./Field";
import "./session.css";

/** The lock screen: the officer's password opens the cached work again, with or without a network. */
export function Unlock({
  session,
  onChange,
}: {
  session: SessionInfo;
  onChange: (session: SessionInfo) => void;
}) {
  const { t } = useTranslation();
  const passwordRef = useRef<HTMLInputElement>(null);
  // The password field has the focus: typing it is the only thing to do here.
  useEffect(() => passwordRef.current?.focus(), []);
  const id = useId();
  const [error, setError] = useState<DeskError | null>(null);

  async function attempt(action: () => Promise<SessionInfo>) {
    setError(null);
    try {
      onChange(await action());
    } catch (thrown) {
      setError(toDeskError(thrown));
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    void attempt(() => desk.unlock(password));
  }

  return (
    <main className="sign-in">
      <header className="brand">
        <LanguageSwitch />
      </header>
      <form className="card" aria-labelledby={`${id}-title`} onSubmit={submit}>
        <h1 id={`${id}-title`} data-testid="unlock-title">
          {t("unlock.title")}
        </h1>
        <p>{t("unlock.who", { name: session.user_name ?? "" })}</p>
        <Field
          label={t("unlock.password")}
          name="password"
          ref={passwordRef}
          type="password"
          autoComplete="current-password"
          required
          data-testid="unlock-password"
        />
        {error && <ErrorNotice error={error} />}
        <button type="submit" data-testid="unlock-submit">
          {t("unlock.submit")}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => void attempt(() => desk.signOut())}
          aria-describedby={`${id}-sign-out-note`}
          data-testid="unlock-sign-out"
        >
          {t("unlock.signOut")}
        </button>
        <p id={`${id}-sign-out-note`} className="note">
          {t("unlock.signOutNote")}
        </p>
      </form>
    </main>
  );
}
