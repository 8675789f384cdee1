import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { type CaseView, type DeskError, desk, type Letter, toDeskError } from "../ipc/client";
import { PdfPage } from "./PdfPage";

/** The bytes of a base64 string. */
function bytes(base64: string): Uint8Array {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const PAGE_BOX = { width: 560, height: 792 };

/** The letter the applicant received for the decision that stands, as the centre renders it:
 * every page drawn by pdf.js, printed through the system's print dialog (Ctrl+P or the button;
 * only the letter is printed). Escape closes it. It needs the centre and is never saved. */
export function LetterDialog({
  kase,
  decisionId,
  onClose,
}: {
  kase: CaseView;
  decisionId: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [letter, setLetter] = useState<Letter | null>(null);
  const [error, setError] = useState<DeskError | null>(null);
  const [pages, setPages] = useState(1);
  const [painted, setPainted] = useState(0);
  const close = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    desk
      .decisionLetter(kase.id, decisionId)
      .then((l) => live && setLetter(l))
      .catch((e: unknown) => live && setError(toDeskError(e)));
    return () => {
      live = false;
    };
  }, [kase.id, decisionId]);

  const pdf = useMemo(() => (letter ? bytes(letter.pdf_base64) : null), [letter]);

  // The keys go to the dialog at once (the print button waits for the letter).
  useEffect(() => {
    close.current?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    } else if (event.key === "p" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (pdf) window.print();
    }
  }

  return (
    <Dialog
      labelledBy={`${id}-title`}
      className="letter"
      onKeyDown={onKeyDown}
      data-testid="letter-dialog"
      data-pages={pdf ? pages : undefined}
      data-painted={painted}
    >
      <h2 id={`${id}-title`}>
        {t("letter.title")} · {kase.number}
      </h2>
      <p className="notes-hint">{t("letter.hint")}</p>
      {error && <ErrorNotice error={error} />}
      {!pdf && !error && <p aria-busy="true">{t("letter.loading")}</p>}
      {pdf && (
        <div className="letter-pages" data-testid="letter-pages">
          {Array.from({ length: pages }, (_, page) => (
            <PdfPage
              // biome-ignore lint/suspicious/noArrayIndexKey: the letter's pages, in order.
              key={page}
              source={pdf}
              page={page}
              rotation={0}
              fit="width"
              zoom={1}
              box={PAGE_BOX}
              onLoaded={setPages}
              onPainted={() => setPainted((n) => n + 1)}
              onError={setError}
            />
          ))}
        </div>
      )}
      <div className="dialog-actions">
        <button
          type="button"
          className="secondary"
          ref={close}
          onClick={onClose}
          data-testid="letter-close"
        >
          {t("help.close")} <kbd>Esc</kbd>
        </button>
        <button
          type="button"
          disabled={!pdf}
          onClick={() => window.print()}
          data-testid="letter-print"
        >
          {t("letter.print")} <kbd>Ctrl+P</kbd>
        </button>
      </div>
    </Dialog>
  );
}
