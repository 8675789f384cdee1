import { type KeyboardEvent, type RefObject, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { type CaseView, type DeskError, desk, toDeskError } from "../ipc/client";
import { formatDateTime } from "../queue/format";

/** The case's internal notes (between colleagues, never sent to the applicant) and a box to
 * write one: kept on this desk at once, sent at the next sync. Ctrl+Enter saves; Escape hands
 * the keys back to the case screen. */
export function Notes({
  kase,
  input,
  onSaved,
  onLeave,
}: {
  kase: CaseView;
  /** The text box, so the case screen's `c` key can bring the focus to it. */
  input: RefObject<HTMLTextAreaElement | null>;
  onSaved: (view: CaseView) => void;
  /** The officer is done with the box (saved, or pressed Escape). */
  onLeave: () => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<DeskError | null>(null);
  const boxId = useId();
  const hintId = useId();
  const empty = text.trim() === "";

  async function save() {
    if (empty || saving) return;
    setSaving(true);
    setError(null);
    try {
      const view = await desk.addNote(kase.id, text);
      setText("");
      onSaved(view);
      onLeave();
    } catch (thrown) {
      setError(toDeskError(thrown));
    } finally {
      setSaving(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void save();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onLeave();
    }
  }

  return (
    <section aria-labelledby="notes-title" className="notes-section">
      <h2 id="notes-title">{t("notes.title")}</h2>
      <p className="notes-hint">{t("notes.hint")}</p>
      {kase.notes.length === 0 ? (
        <p className="notes-none">{t("notes.none")}</p>
      ) : (
        <ol className="notes" data-testid="notes">
          {kase.notes.map((note) => (
            <li
              key={note.id}
              className={`note ${note.delivery}`}
              data-delivery={note.delivery}
              data-origin={note.origin}
            >
              <div className="note-meta">
                <span className="note-author">{note.author ?? t("case.nobody")}</span>{" "}
                <time dateTime={note.written_at}>{formatDateTime(note.written_at)}</time>
                {note.origin === "reassignment" && (
                  <span className="note-origin"> · {t("notes.reassignment")}</span>
                )}
                {note.delivery !== "kept" && (
                  <span className="note-state"> · {t(`notes.${note.delivery}`)}</span>
                )}
              </div>
              <p className="note-text">{note.text}</p>
              {note.delivery === "refused" && note.problem && (
                <p className="note-problem">{note.problem}</p>
              )}
            </li>
          ))}
        </ol>
      )}
      <label htmlFor={boxId} className="note-label">
        {t("notes.label")} <kbd>c</kbd>
      </label>
      <textarea
        id={boxId}
        ref={input}
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={hintId}
        aria-keyshortcuts="c"
        maxLength={4000}
        data-testid="note-text"
      />
      <p id={hintId} className="notes-hint">
        {t("notes.keys")}
      </p>
      <button
        type="button"
        className="secondary"
        disabled={empty || saving}
        onClick={() => void save()}
        data-testid="note-add"
      >
        {t("notes.add")}
      </button>
      {error && <ErrorNotice error={error} />}
    </section>
  );
}
