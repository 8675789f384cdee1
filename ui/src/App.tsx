import type { i18n as I18n } from "i18next";
import { useCallback, useEffect, useState } from "react";
import { I18nextProvider, useTranslation } from "react-i18next";
import { Case } from "./case/Case";
import { ErrorNotice } from "./components/ErrorNotice";
import { LanguageSwitch } from "./components/LanguageSwitch";
import { CatalogueProvider } from "./data/catalogue";
import { prefetchCaseAt } from "./data/prefetch";
import { isLanguage, LANGUAGE_CHOSEN } from "./i18n";
import { type DeskError, desk, type QueueQuery, type SessionInfo, toDeskError } from "./ipc/client";
import { Queue } from "./queue/Queue";
import { SignIn } from "./session/SignIn";
import { Unlock } from "./session/Unlock";
import { Department } from "./supervision/Department";

/** How often the UI asks whether the core has locked the desk for idleness. */
const LOCK_CHECK_MS = 30_000;

const NOBODY: SessionInfo = {
  signed_in: false,
  locked: false,
  server: null,
  user_name: null,
  role: null,
  clock_off_by_seconds: null,
  server_locked: false,
  default_language: null,
};

function Screens() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState<DeskError | null>(null);
  const [open, setOpen] = useState<{ id: string; index: number; query: QueueQuery } | null>(null);
  const [department, setDepartment] = useState(false);
  const { i18n } = useTranslation();
  const refresh = useCallback(() => {
    desk.session().then(setSession, (thrown: unknown) => {
      setError(toDeskError(thrown));
      setSession(NOBODY);
    });
  }, []);

  useEffect(refresh, [refresh]);
  // The workstation's language, until the officer chooses one.
  const configured = session?.default_language;
  useEffect(() => {
    if (!LANGUAGE_CHOSEN && isLanguage(configured)) void i18n.changeLanguage(configured);
  }, [configured, i18n]);
  // While a case is open, the next one of the queue is prepared, for `n`.
  useEffect(() => {
    if (open) prefetchCaseAt(open.query, open.index + 1);
  }, [open]);
  // Another officer signing in starts at the queue.
  useEffect(() => {
    if (session && (!session.signed_in || session.role !== "supervisor")) setDepartment(false);
  }, [session]);
  useEffect(() => {
    if (!session?.signed_in || session.locked) return;
    const timer = setInterval(refresh, LOCK_CHECK_MS);
    return () => clearInterval(timer);
  }, [session, refresh]);

  if (session === null) return null;
  // A workstation configured wrongly by IT: nothing to sign in to until IT corrects it.
  if (error?.kind === "configuration") {
    return (
      <main className="sign-in configuration-error" data-testid="configuration-error">
        <LanguageSwitch />
        <ErrorNotice error={error} />
      </main>
    );
  }
  if (!session.signed_in) {
    return (
      <>
        {error && <ErrorNotice error={error} />}
        <SignIn
          server={session.server}
          serverLocked={session.server_locked}
          onSignedIn={(signedIn) => {
            setError(null);
            setSession(signedIn);
          }}
        />
      </>
    );
  }
  if (session.locked) return <Unlock session={session} onChange={setSession} />;

  async function openNext(): Promise<boolean> {
    if (!open) return false;
    const index = open.index + 1;
    const page = await desk.queuePage({ ...open.query, offset: index, limit: 1 });
    const row = page.rows[0];
    if (!row) return false;
    setOpen({ ...open, id: row.id, index });
    return true;
  }

  const inDepartment = department && session.role === "supervisor";
  return (
    <CatalogueProvider>
      <Queue
        session={session}
        onChange={setSession}
        onSessionEnded={(ended) => {
          setError(ended);
          refresh();
        }}
        onOpen={(id, index, query) => setOpen({ id, index, query })}
        onDepartment={() => setDepartment(true)}
        hidden={open !== null || inDepartment}
      />
      {inDepartment && !open && <Department onClose={() => setDepartment(false)} />}
      {open && <Case caseId={open.id} onBack={() => setOpen(null)} onNext={openNext} />}
    </CatalogueProvider>
  );
}

export function App({ i18n }: { i18n: I18n }) {
  return (
    <I18nextProvider i18n={i18n}>
      <Screens />
    </I18nextProvider>
  );
}
