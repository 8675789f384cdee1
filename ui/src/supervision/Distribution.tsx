// How the department's new applications reach its officers, in the department screen: the
// rule (a radio group, kept at the centre as soon as it changes) and, one officer at a time,
// the services they handle (none ticked: every service) and the days they are away.
import { type KeyboardEvent, type RefObject, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { DayInput } from "../components/DayInput";
import { ErrorNotice } from "../components/ErrorNotice";
import { LoadingNote } from "../components/LoadingNote";
import { useCatalogue } from "../data/catalogue";
import {
  type Absence,
  type DeskError,
  type DistributionRule,
  type DistributionView,
  desk,
  type OfficerIntakeView,
  toDeskError,
} from "../ipc/client";
import { formatDate, parseDate } from "../queue/format";

const RULES: DistributionRule[] = ["least_open_work", "round_robin", "pool"];

function absenceText(a: Absence): string {
  return a.from === a.to ? formatDate(a.from) : `${formatDate(a.from)} – ${formatDate(a.to)}`;
}

/** One officer's services and absences, edited; saved together. */
function OfficerEditor({
  officer,
  onSave,
  onCancel,
}: {
  officer: OfficerIntakeView;
  onSave: (services: string[], absences: Absence[]) => Promise<void>;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { catalogue, serviceName } = useCatalogue();
  const [services, setServices] = useState<string[]>(officer.services);
  const [absences, setAbsences] = useState<Absence[]>(officer.absences);
  // Typed as officers write days (dd.mm.yyyy); an empty "to" is the same day.
  const [fromText, setFromText] = useState("");
  const [toText, setToText] = useState("");
  const [saving, setSaving] = useState(false);
  const from = parseDate(fromText);
  const to = toText.trim() === "" ? from : parseDate(toText);
  const fromWrong = fromText.trim() !== "" && from === null;
  const toWrong = toText.trim() !== "" && to === null;
  const rangeWrong = from !== null && to !== null && to < from;
  const canAdd = from !== null && to !== null && !rangeWrong;

  function addAbsence() {
    if (from === null || to === null || rangeWrong) return;
    setAbsences([...absences, { from, to }]);
    setFromText("");
    setToText("");
  }

  async function save() {
    setSaving(true);
    try {
      await onSave(services, absences);
    } finally {
      setSaving(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Enter" && event.ctrlKey) {
      event.preventDefault();
      void save();
    }
  }

  return (
    <form
      className="distribution-editor"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={onKeyDown}
      data-testid="distribution-editor"
    >
      <h3 id={`${id}-title`}>{officer.full_name}</h3>
      <fieldset>
        <legend>{t("distribution.services")}</legend>
        <p className="note">{t("distribution.servicesHint")}</p>
        <div className="distribution-services">
          {catalogue?.services.map((s) => (
            <label key={s.code}>
              <input
                type="checkbox"
                checked={services.includes(s.code)}
                onChange={(e) =>
                  setServices(
                    e.target.checked ? [...services, s.code] : services.filter((c) => c !== s.code),
                  )
                }
                data-testid={`distribution-service-${s.code}`}
              />{" "}
              {serviceName(s.code)}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("distribution.away")}</legend>
        {absences.length === 0 ? (
          <p className="note">{t("distribution.neverAway")}</p>
        ) : (
          <ul>
            {absences.map((a, i) => (
              <li key={`${a.from}-${a.to}`} data-testid="distribution-absence">
                {absenceText(a)}{" "}
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setAbsences(absences.filter((_, j) => j !== i))}
                >
                  {t("distribution.remove")}
                </button>
              </li>
            ))}
          </ul>
        )}
        <DayInput
          label={t("distribution.from")}
          value={fromText}
          invalid={fromWrong}
          onChange={setFromText}
          onEnter={addAbsence}
          testId="distribution-from"
        />{" "}
        <DayInput
          label={t("distribution.to")}
          value={toText}
          invalid={toWrong || rangeWrong}
          onChange={setToText}
          onEnter={addAbsence}
          testId="distribution-to"
        />{" "}
        <button
          type="button"
          onClick={addAbsence}
          disabled={!canAdd}
          data-testid="distribution-add-absence"
        >
          {t("distribution.addAbsence")}
        </button>
        {(fromWrong || toWrong) && (
          <p className="note" role="alert">
            {t("distribution.notADay")}
          </p>
        )}
        {rangeWrong && (
          <p className="note" role="alert">
            {t("distribution.rangeWrong")}
          </p>
        )}
      </fieldset>
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onCancel}>
          {t("distribution.cancel")}
        </button>
        <button
          type="submit"
          disabled={saving}
          aria-keyshortcuts="Control+Enter"
          data-testid="distribution-save"
        >
          {t("distribution.save")}
        </button>
      </div>
    </form>
  );
}

export function Distribution({
  distribution,
  loading,
  error,
  section,
  onChanged,
}: {
  distribution: DistributionView | null;
  loading: boolean;
  error: DeskError | null;
  section: RefObject<HTMLElement | null>;
  onChanged: (distribution: DistributionView) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { serviceName } = useCatalogue();
  const [editing, setEditing] = useState<string | null>(null);
  const [failed, setFailed] = useState<DeskError | null>(null);

  async function keep(
    rule: DistributionRule,
    officer?: OfficerIntakeView["officer_id"],
    services: string[] = [],
    absences: Absence[] = [],
  ) {
    setFailed(null);
    try {
      const officers = officer === undefined ? [] : [{ officer_id: officer, services, absences }];
      onChanged(await desk.setDepartmentDistribution({ rule, officers }));
      return true;
    } catch (thrown) {
      setFailed(toDeskError(thrown));
      return false;
    }
  }

  const officerEditing = distribution?.officers.find((o) => o.officer_id === editing);
  return (
    <section
      className="department-panel department-distribution"
      ref={section}
      tabIndex={-1}
      aria-labelledby={`${id}-title`}
      aria-busy={loading}
      data-testid="department-distribution"
    >
      <h2 id={`${id}-title`}>{t("distribution.title")}</h2>
      <p className="note">{t("distribution.key")}</p>
      {error && (
        <>
          <p className="note">{t("distribution.offline")}</p>
          <ErrorNotice error={error} />
        </>
      )}
      {failed && <ErrorNotice error={failed} />}
      <LoadingNote shown={loading && distribution === null && !error} />
      {distribution && (
        <>
          <fieldset className="distribution-rule" aria-keyshortcuts="b">
            <legend>{t("distribution.rule")}</legend>
            {RULES.map((rule) => (
              <label key={rule}>
                <input
                  type="radio"
                  name={`${id}-rule`}
                  value={rule}
                  checked={distribution.rule === rule}
                  onChange={() => void keep(rule)}
                  data-testid={`distribution-rule-${rule}`}
                />{" "}
                {t(`distribution.rules.${rule}`)}
              </label>
            ))}
          </fieldset>
          <table className="case-table" data-testid="distribution-officers">
            <thead>
              <tr>
                <th scope="col">{t("supervision.columns.name")}</th>
                <th scope="col">{t("supervision.columns.open")}</th>
                <th scope="col">{t("distribution.services")}</th>
                <th scope="col">{t("distribution.away")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("distribution.edit")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {distribution.officers.map((o) => (
                <tr
                  key={o.officer_id}
                  data-testid="distribution-officer"
                  data-officer={o.officer_id}
                  data-away={o.away_today}
                >
                  <th scope="row">{o.full_name}</th>
                  <td>{o.open_cases}</td>
                  <td>
                    {o.services.length === 0
                      ? t("distribution.allServices")
                      : o.services.map(serviceName).join(", ")}
                  </td>
                  <td className={o.away_today ? "overdue" : undefined}>
                    {o.away_today && `${t("distribution.awayToday")} · `}
                    {o.absences.map(absenceText).join(", ")}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => setEditing(o.officer_id)}
                      aria-expanded={editing === o.officer_id}
                      data-testid="distribution-edit"
                    >
                      {t("distribution.edit")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {officerEditing && (
            <OfficerEditor
              key={officerEditing.officer_id}
              officer={officerEditing}
              onCancel={() => setEditing(null)}
              onSave={async (services, absences) => {
                if (await keep(distribution.rule, officerEditing.officer_id, services, absences)) {
                  setEditing(null);
                }
              }}
            />
          )}
        </>
      )}
    </section>
  );
}
