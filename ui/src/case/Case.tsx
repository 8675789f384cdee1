import type { ParseKeys } from "i18next";
import {
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useRef,
  useState,
} from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { useCatalogue } from "../data/catalogue";
import { useLoad } from "../data/useLoad";
import { codeText } from "../i18n/codes";
import {
  type CaseView,
  type DecisionKind,
  type DeskError,
  type DocumentText,
  desk,
  type FormGroupView,
  toDeskError,
  type WordBox,
} from "../ipc/client";
import { Deadline, keptDays } from "../queue/Deadline";
import { formatDate, formatDateTime } from "../queue/format";
import { ExecutionDialog, ExecutionState, ReopenDialog } from "./AfterDecision";
import { ApplicantHistory } from "./ApplicantHistory";
import { ChecklistZone } from "./ChecklistZone";
import { CounterDialog } from "./CounterDialog";
import { DecisionDialog } from "./DecisionDialog";
import { DocumentPane, type PaneCommand } from "./DocumentPane";
import { LetterDialog } from "./LetterDialog";
import { Notes } from "./Notes";
import { ProposalState } from "./ProposalState";
import { TextPanel } from "./TextPanel";
import "./case.css";

const DECISION_KEYS: Record<string, DecisionKind> = {
  a: "accept",
  m: "missing_documents",
  r: "refuse",
};

const PANE_KEYS: Record<string, PaneCommand> = {
  PageDown: "next-page",
  PageUp: "previous-page",
  "+": "zoom-in",
  "=": "zoom-in",
  "-": "zoom-out",
  w: "fit-width",
  f: "fit-page",
  o: "rotate",
};

/** The keys of the case screen, for the help overlay. */
const HELP: [keys: string, label: ParseKeys][] = [
  ["a", "decision.kind.accept"],
  ["m", "decision.kind.missing_documents"],
  ["r", "decision.kind.refuse"],
  ["Ctrl+Enter", "help.decide"],
  ["↑ / ↓ · Space", "help.checks"],
  ["n", "case.next"],
  ["c", "help.note"],
  ["e", "help.execute"],
  ["u", "help.reopen"],
  ["l", "help.letter"],
  ["i", "help.counter"],
  ["Esc", "case.back"],
  ["Tab / 1 / 2", "help.pane"],
  ["PageDown / PageUp", "help.pages"],
  ["+ / −", "help.zoom"],
  ["w / f", "help.fit"],
  ["o", "viewer.rotate"],
  ["p", "help.panes"],
  ["t", "help.text"],
  ["?", "help.title"],
];

/** A form value in words: coded values (service, fee tier, purpose, nationality) are named
 * through the catalogue or the message catalogue; what the applicant typed is shown as typed. */
export function useFormValue() {
  const { t } = useTranslation();
  const { serviceName } = useCatalogue();
  return (key: string, value: string) => {
    if (key === "service") return serviceName(value);
    if (isCoded(key)) return codeText(t, `form.values.${key}`, value);
    return value;
  };
}

/** Form fields whose values are codes named in the message catalogue. */
const CODED_FIELDS = ["fee_tier", "purpose", "nationality"] as const;
const isCoded = (key: string): key is (typeof CODED_FIELDS)[number] =>
  (CODED_FIELDS as readonly string[]).includes(key);

/** One group of the form, as terms and values. */
function FormFields({
  group,
  value,
}: {
  group: FormGroupView;
  value: (key: string, value: string) => string;
}) {
  const { t } = useTranslation();
  return (
    <dl className="facts">
      {group.fields.map((f) => (
        <div key={f.key}>
          <dt>{codeText(t, "form.fields", f.key)}</dt>
          <dd>{value(f.key, f.value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A button of the case screen that says its key. */
function KeyButton({
  keys,
  testId,
  onClick,
  children,
}: {
  keys: string;
  testId: string;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="secondary"
      onClick={onClick}
      data-testid={testId}
      aria-keyshortcuts={keys}
    >
      {children} <kbd>{keys}</kbd>
    </button>
  );
}

/** The officer may add a document brought to the counter: their case, still open. */
const takesDocuments = (kase: CaseView) =>
  kase.mine && (kase.status === "pending" || kase.status === "missing_documents");

/** The panes a case opens with: its first two documents, or its form when it has none. */
function firstPanes(kase: CaseView | null): [string, string] {
  const docs = kase?.documents.map((d) => d.id) ?? [];
  return [docs[0] ?? "form", docs[1] ?? docs[0] ?? "form"];
}

/** A case: the form, the checklist and history beside two document panes, and the decision. */
export function Case({
  caseId,
  onBack,
  onNext,
}: {
  caseId: string;
  onBack: () => void;
  /** Opens the next case of the queue; resolves false when there is none. */
  onNext: () => Promise<boolean>;
}) {
  const { t } = useTranslation();
  const loaded = useLoad(caseId, desk.caseView);
  const kase = loaded.data;
  const error = loaded.error;
  const { serviceName, documentName } = useCatalogue();
  // The documents the officer put in the panes, for the case they chose them in.
  const [chosen, setChosen] = useState<{ caseId: string; panes: [string, string] } | null>(null);
  const panes = chosen?.caseId === caseId ? chosen.panes : firstPanes(kase);
  const setPanes = (next: [string, string]) => setChosen({ caseId, panes: next });
  const [twoPanes, setTwoPanes] = useState(true);
  const [active, setActive] = useState<0 | 1>(0);
  const [command, setCommand] = useState<{ name: PaneCommand; seq: number } | null>(null);
  const [dialog, setDialog] = useState<DecisionKind | null>(null);
  /** After the decision: reopening it (a supervisor) or recording the permit issued. */
  const [after, setAfter] = useState<"reopen" | "execute" | "letter" | "counter" | null>(null);
  const [help, setHelp] = useState(false);
  const [showText, setShowText] = useState(false);
  /** Where the text panels found the applicant's values on recognised scans, by document. */
  const [boxes, setBoxes] = useState<Record<string, WordBox[]>>({});
  const keepBoxes = useCallback(
    (text: DocumentText) => setBoxes((b) => ({ ...b, [text.document_id]: text.boxes })),
    [],
  );
  const [noMore, setNoMore] = useState(false);
  /** Why asking for the next case failed. */
  const [nextError, setNextError] = useState<DeskError | null>(null);
  const root = useRef<HTMLElement>(null);
  const noteInput = useRef<HTMLTextAreaElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: another case is the trigger.
  useEffect(() => {
    setNoMore(false);
    setNextError(null);
  }, [caseId]);

  const formValue = useFormValue();

  // The case screen holds the focus from the moment it opens (busy, failed or shown), so its
  // keys work at once; a dialog or the help overlay hands it back when it closes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: refocus when another case opens or the shown one loads.
  useEffect(() => {
    if (!root.current?.contains(document.activeElement)) root.current?.focus();
  }, [caseId, kase?.id, error]);

  async function next() {
    setNextError(null);
    try {
      if (!(await onNext())) setNoMore(true);
    } catch (thrown) {
      setNextError(toDeskError(thrown));
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    const target = event.target as HTMLElement;
    if (dialog || after || ["INPUT", "TEXTAREA"].includes(target.tagName)) return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const key = event.key;
    // A pane's document picker keeps the keys that move in a list; the case's shortcuts still
    // work on it (a letter does not pick a document by its first letter).
    if (target.tagName === "SELECT" && (key.length > 1 || key === " ") && key !== "Escape") return;
    let handled = true;
    if (key === "Escape") {
      if (help) {
        setHelp(false);
        root.current?.focus();
      } else onBack();
    } else if (key === "?") {
      setHelp((h) => !h);
    } else if (key in DECISION_KEYS && kase?.can_decide) {
      setDialog(DECISION_KEYS[key] ?? null);
    } else if (key === "e" && kase?.can_execute) {
      setAfter("execute");
    } else if (key === "u" && kase?.can_reopen) {
      setAfter("reopen");
    } else if (key === "l" && kase?.letter_decision) {
      setAfter("letter");
    } else if (key === "i" && kase && takesDocuments(kase)) {
      setAfter("counter");
    } else if (key === "n") {
      void next();
    } else if (key === "c") {
      noteInput.current?.focus();
    } else if (key === "t") {
      setShowText((on) => !on);
    } else if (key === "p") {
      setTwoPanes((two) => !two);
      setActive(0);
    } else if (key === "1" || key === "2") {
      setActive(key === "1" || !twoPanes ? 0 : 1);
    } else if (key in PANE_KEYS) {
      const name = PANE_KEYS[key];
      if (name) setCommand((c) => ({ name, seq: (c?.seq ?? 0) + 1 }));
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  }

  // The same focusable screen whether it is loading, failed or shown (React keeps the element,
  // and with it the focus, from one to the next).
  const screen = {
    className: "case-screen",
    ref: root,
    tabIndex: -1,
    onKeyDown,
    "data-testid": "case-screen",
  };
  if (error) {
    return (
      <main {...screen}>
        <ErrorNotice error={error} />
        <button type="button" onClick={onBack}>
          {t("case.back")}
        </button>
      </main>
    );
  }
  if (!kase) {
    return <main {...screen} aria-busy="true" aria-label={t("case.title")} />;
  }

  const decision = kase.decision;
  const shown = twoPanes ? panes : ([panes[0]] as string[]);

  return (
    <main {...screen} aria-label={`${t("case.title")} ${kase.number}`} data-case={kase.id}>
      <header className="case-bar">
        <button type="button" className="secondary" onClick={onBack} data-testid="case-back">
          ← {t("case.back")}
        </button>
        <h1 data-testid="case-number">{kase.number}</h1>
        <span className="case-applicant">{kase.applicant.name_latin}</span>
        <span className="case-service">{serviceName(kase.service)}</span>
        <span className="case-due">
          {t("queue.columns.due")}: <Deadline row={kase} />
        </span>
        {kase.applicant_history.some((r) => r.possible_duplicate) && (
          <span className="related-warning" data-testid="case-duplicate">
            ⚠ {t("related.duplicate")}
          </span>
        )}
        <span className="case-officer">
          {t("case.officer")}: {kase.officer?.full_name ?? t("case.nobody")}
        </span>
        <button
          type="button"
          className="secondary"
          aria-pressed={showText}
          aria-keyshortcuts="t"
          onClick={() => setShowText((on) => !on)}
          data-testid="case-text"
        >
          {t("text.title")} <kbd>t</kbd>
        </button>
        <button type="button" className="secondary" onClick={() => setHelp(true)}>
          ? {t("help.title")}
        </button>
        <LanguageSwitch />
      </header>

      <div className="case-body">
        <aside className="case-side">
          <section aria-labelledby="checklist-title">
            <h2 id="checklist-title">{t("case.checklist")}</h2>
            <ul className="checklist" data-testid="checklist">
              {kase.checklist.map((item) => (
                <li key={item.doc_type} className={item.state} data-state={item.state}>
                  <span className="mark" aria-hidden="true">
                    {item.state === "present" ? "✓" : item.state === "absent" ? "✗" : "!"}
                  </span>
                  {documentName(item.doc_type)} — {t(`checklist.${item.state}`)}
                  {item.zone && <ChecklistZone zone={item.zone} onRecognised={loaded.reload} />}
                </li>
              ))}
            </ul>
            {takesDocuments(kase) && (
              <KeyButton keys="i" testId="case-counter" onClick={() => setAfter("counter")}>
                {t("counter.add")}
              </KeyButton>
            )}
          </section>
          <Notes
            kase={kase}
            input={noteInput}
            onSaved={loaded.replace}
            onLeave={() => root.current?.focus()}
          />
          <section aria-labelledby="applicant-title">
            <h2 id="applicant-title">{t("case.applicant")}</h2>
            <dl className="facts">
              <dt>{t("form.fields.name_native")}</dt>
              <dd>{kase.applicant.name_native}</dd>
              <dt>{t("form.fields.date_of_birth")}</dt>
              <dd>{formatDate(kase.applicant.date_of_birth)}</dd>
              {kase.applicant.fin && (
                <>
                  <dt>FIN</dt>
                  <dd>{kase.applicant.fin}</dd>
                </>
              )}
              {kase.applicant.passport_number && (
                <>
                  <dt>{t("form.fields.passport_number")}</dt>
                  <dd>{kase.applicant.passport_number}</dd>
                </>
              )}
              <dt>{t("case.submitted")}</dt>
              <dd>{formatDate(kase.submitted_at)}</dd>
            </dl>
          </section>
          <ApplicantHistory kase={kase} />
          <section aria-labelledby="form-title">
            <h2 id="form-title">{t("case.form")}</h2>
            {kase.form.map((group) => (
              <div key={group.key} className="form-group">
                <h3>{codeText(t, "form.groups", group.key)}</h3>
                <FormFields group={group} value={formValue} />
              </div>
            ))}
          </section>
          <section aria-labelledby="history-title">
            <h2 id="history-title">{t("case.history")}</h2>
            <ol className="history" data-testid="history">
              {kase.history.map((h, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: history is append-only.
                <li key={i}>
                  <time>{formatDateTime(h.at)}</time> {codeText(t, "history", h.kind)}
                  {h.actor && ` — ${h.actor}`}
                  {h.to && ` → ${h.to}`}
                  {h.decision && `: ${codeText(t, "decision.kind", h.decision)}`}
                  {h.reason && ` (${h.reason})`}
                  {h.ground && ` · ${t(`appeals.grounds.${h.ground}`)}`}
                  {h.text && `: ${h.text}`}
                  {h.issued_on && ` · ${formatDate(h.issued_on)}`}
                  {h.due_date && ` → ${formatDate(h.due_date)}`}
                  {h.working_days !== null && ` (${keptDays(t, h.working_days)})`}
                </li>
              ))}
            </ol>
          </section>
        </aside>

        <div
          className={`panes ${twoPanes ? "two" : "one"}`}
          data-testid="case-panes"
          data-panes={twoPanes ? "two" : "one"}
        >
          {shown.map((docId, index) => {
            const doc = kase.documents.find((d) => d.id === docId);
            return (
              <div
                // biome-ignore lint/suspicious/noArrayIndexKey: two fixed panes.
                key={index}
                className={`pane-slot ${active === index ? "active" : ""}`}
                onPointerDown={() => setActive(index as 0 | 1)}
              >
                <label className="pane-pick">
                  <span className="visually-hidden">{t("viewer.show", { pane: index + 1 })}</span>
                  <select
                    value={docId}
                    onChange={(e) => {
                      const next: [string, string] = [...panes];
                      next[index] = e.target.value;
                      setPanes(next);
                    }}
                    data-testid={`pane-${index + 1}-select`}
                  >
                    <option value="form">{t("case.form")}</option>
                    {kase.documents.map((d) => (
                      <option key={d.id} value={d.id}>
                        {`${documentName(d.doc_type)} · ${d.file_name}`}
                        {d.added_by && ` · ${t("counter.by", { name: d.added_by })}`}
                        {d.delivery && d.delivery !== "kept" && ` · ${t(`counter.${d.delivery}`)}`}
                      </option>
                    ))}
                  </select>
                </label>
                {doc ? (
                  <DocumentPane
                    // A fresh pane per document: nothing of the previous one's state carries over.
                    key={doc.id}
                    document={doc}
                    command={active === index ? command : null}
                    testId={`pane-${index + 1}`}
                    boxes={showText ? boxes[doc.id] : undefined}
                  />
                ) : (
                  <div className="pane-form" data-testid={`pane-${index + 1}`}>
                    {kase.form.map((group) => (
                      <FormFields key={group.key} group={group} value={formValue} />
                    ))}
                  </div>
                )}
                {showText && doc && (
                  <TextPanel
                    key={doc.id}
                    documentId={doc.id}
                    testId={`pane-${index + 1}-text`}
                    onText={keepBoxes}
                  />
                )}
              </div>
            );
          })}
        </div>
      </div>

      <footer className="decision-bar">
        {kase.can_decide ? (
          (["accept", "missing_documents", "refuse"] as const).map((kind) => (
            <button
              key={kind}
              type="button"
              className={`decide ${kind}`}
              onClick={() => setDialog(kind)}
              data-testid={`decide-${kind}`}
              aria-keyshortcuts={Object.keys(DECISION_KEYS).find((k) => DECISION_KEYS[k] === kind)}
            >
              {t(`decision.kind.${kind}`)}{" "}
              <kbd>{Object.keys(DECISION_KEYS).find((k) => DECISION_KEYS[k] === kind)}</kbd>
            </button>
          ))
        ) : (
          <span
            className={`decision-state ${decision?.state ?? "none"}`}
            role="status"
            data-testid="decision-state"
            data-state={decision?.state ?? "none"}
          >
            {decision
              ? `${t(`decision.kind.${decision.kind}`)} · ${t(`decision.state.${decision.state}`)}`
              : codeText(t, "queue.status", kase.status)}
          </span>
        )}
        <ExecutionState kase={kase} />
        <ProposalState kase={kase} />
        {kase.can_execute && (
          <KeyButton keys="e" testId="case-execute" onClick={() => setAfter("execute")}>
            {t("appeals.execute")}
          </KeyButton>
        )}
        {kase.letter_decision && (
          <KeyButton keys="l" testId="case-letter" onClick={() => setAfter("letter")}>
            {t("letter.open")}
          </KeyButton>
        )}
        {kase.can_reopen && (
          <KeyButton keys="u" testId="case-reopen" onClick={() => setAfter("reopen")}>
            {t("appeals.reopen")}
          </KeyButton>
        )}
        <button
          type="button"
          className="secondary"
          onClick={() => void next()}
          data-testid="case-next"
          aria-keyshortcuts="n"
        >
          {t("case.next")} <kbd>n</kbd>
        </button>
        {noMore && <span role="status">{t("case.noMore")}</span>}
        {nextError && <ErrorNotice error={nextError} />}
      </footer>

      {dialog && (
        <DecisionDialog
          kase={kase}
          kind={dialog}
          onClose={() => {
            setDialog(null);
            root.current?.focus();
          }}
          onDecided={(view) => {
            loaded.replace(view);
            setDialog(null);
            root.current?.focus();
          }}
        />
      )}
      {after &&
        (() => {
          const close = () => {
            setAfter(null);
            root.current?.focus();
          };
          const done = (view: CaseView) => {
            loaded.replace(view);
            close();
          };
          if (after === "counter") {
            return <CounterDialog kase={kase} onClose={close} onAdded={done} />;
          }
          if (after === "letter" && kase.letter_decision) {
            return <LetterDialog kase={kase} decisionId={kase.letter_decision} onClose={close} />;
          }
          return after === "reopen" ? (
            <ReopenDialog kase={kase} onClose={close} onDone={done} />
          ) : (
            <ExecutionDialog kase={kase} onClose={close} onDone={done} />
          );
        })()}
      {help && (
        <Dialog labelledBy="help-title" className="help" data-testid="help-overlay">
          <h2 id="help-title">{t("help.title")}</h2>
          <dl className="keys">
            {HELP.map(([keys, label]) => (
              <div key={keys}>
                <dt>
                  <kbd>{keys}</kbd>
                </dt>
                <dd>{t(label)}</dd>
              </div>
            ))}
          </dl>
          <button
            type="button"
            onClick={() => {
              setHelp(false);
              root.current?.focus();
            }}
            ref={(el) => el?.focus()}
          >
            {t("help.close")}
          </button>
        </Dialog>
      )}
    </main>
  );
}
