import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { type DeskError, desk, toDeskError, type UpdateOffer } from "../ipc/client";

/** How often a desk left open asks again whether a newer desk is out. */
const DAILY_MS = 24 * 60 * 60 * 1000;

/** A newer desk IT published: what is new, in the officer's language, and a button that
 * installs it and restarts — disabled, saying why, while decisions or notes wait to be sent.
 * Asked when the queue opens, after each sync (`checkAfter` changes) and daily. A centre out of
 * reach says nothing here (the sync says it); a refused offer is shown. */
export function UpdateNotice({ checkAfter }: { checkAfter: unknown }) {
  const { t, i18n } = useTranslation();
  const [offer, setOffer] = useState<UpdateOffer | null>(null);
  const [error, setError] = useState<DeskError | null>(null);
  const [installing, setInstalling] = useState(false);

  const check = useCallback(() => {
    desk.updateOffer().then(setOffer, (thrown: unknown) => {
      const e = toDeskError(thrown);
      if (e.kind === "update") setError(e);
    });
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: asked again after each sync
  useEffect(check, [check, checkAfter]);
  useEffect(() => {
    const timer = setInterval(check, DAILY_MS);
    return () => clearInterval(timer);
  }, [check]);

  async function install(version: string) {
    setInstalling(true);
    setError(null);
    try {
      // On success the desk restarts as the new version: nothing comes back.
      await desk.installUpdate(version);
    } catch (thrown) {
      setError(toDeskError(thrown));
      setInstalling(false);
      check();
    }
  }

  if (!offer) return error ? <ErrorNotice error={error} /> : null;
  const lang = (["az", "en", "ru"] as const).find((l) => l === i18n.language) ?? "az";
  const waits = offer.unsent > 0;
  return (
    <section
      className="update-offer"
      data-testid="update-offer"
      data-version={offer.version}
      data-unsent={offer.unsent}
      aria-labelledby="update-offer-title"
    >
      <h2 id="update-offer-title">{t("update.available", { version: offer.version })}</h2>
      <p className="update-notes" data-testid="update-notes">
        {offer.notes[lang]}
      </p>
      {waits && (
        <p className="note" data-testid="update-waits">
          {t("update.waits", { count: offer.unsent })}
        </p>
      )}
      <button
        type="button"
        data-testid="update-install"
        disabled={waits || installing}
        onClick={() => void install(offer.version)}
      >
        {installing ? t("update.installing") : t("update.install")}
      </button>
      {error && <ErrorNotice error={error} />}
    </section>
  );
}
