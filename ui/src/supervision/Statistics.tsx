// The department's statistics in the department screen: decisions per week by outcome, by
// officer and by service; working days from submission to decision and the share in time;
// today's open cases by age; the refusal reasons, fields and missing documents most often
// named. For a period and a service; computed by the centre, the last figures readable offline;
// each chart with a table alternative and a CSV file; printable.
import type * as Plot from "@observablehq/plot";
import { barX, barY, ruleX, ruleY } from "@observablehq/plot";
import type { TFunction } from "i18next";
import { type FormEvent, type RefObject, useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { DayInput } from "../components/DayInput";
import { ErrorNotice } from "../components/ErrorNotice";
import { LoadingNote } from "../components/LoadingNote";
import { useCatalogue } from "../data/catalogue";
import { useLoad } from "../data/useLoad";
import { codeText } from "../i18n/codes";
import {
  type DecisionKind,
  type DeskError,
  desk,
  type Statistics as Figures,
  type OutcomeCounts,
  type StatisticsTable,
  toDeskError,
} from "../ipc/client";
import { formatDate, formatDateTime, parseDate } from "../queue/format";
import { ChartFigure, type Table, token } from "./ChartFigure";

const OUTCOMES = ["accepted", "missing_documents", "refused"] as const;
type Outcome = (typeof OUTCOMES)[number];
const KIND: Record<Outcome, DecisionKind> = {
  accepted: "accept",
  missing_documents: "missing_documents",
  refused: "refuse",
};
/** The outcomes' colour tokens, as in supervision.css's legend. */
const COLOURS = ["--success", "--caution", "--danger"];
const WIDTH = 600;

const loadStatistics = (key: string) => desk.departmentStatistics(JSON.parse(key));

function outcomeLabels(t: TFunction): string[] {
  return OUTCOMES.map((o) => t(`decision.kind.${KIND[o]}`));
}

function total(c: OutcomeCounts): number {
  return c.accepted + c.missing_documents + c.refused;
}

/** A table of counts by outcome, one row a week, officer or service. */
function outcomeTable(t: TFunction, first: string, items: [string, OutcomeCounts][]): Table {
  return {
    header: [first, ...outcomeLabels(t), t("statistics.total")],
    rows: items.map(([key, c]) => [key, ...OUTCOMES.map((o) => String(c[o])), String(total(c))]),
  };
}

/** A stacked bar chart of a table made by `outcomeTable`: upright (weeks) or lying (names). */
function stackedPlot(t: TFunction, table: Table, upright: boolean): Plot.PlotOptions {
  const labels = outcomeLabels(t);
  const keys = table.rows.map((r) => r[0]);
  const data = table.rows.flatMap((r) =>
    labels.map((outcome, i) => ({ key: r[0], outcome, count: Number(r[i + 1]) })),
  );
  const title = (d: { key: string; outcome: string; count: number }) =>
    `${d.key} · ${d.outcome}: ${d.count}`;
  const color = { domain: labels, range: COLOURS.map(token) };
  if (upright) {
    // At most about eight labels under the bars (day and month), however long the period.
    const every = Math.max(1, Math.ceil(keys.length / 8));
    return {
      width: WIDTH,
      height: 240,
      marginBottom: 36,
      color,
      x: {
        type: "band",
        domain: keys,
        label: null,
        ticks: keys.filter((_, i) => i % every === 0),
        tickFormat: (key: string) => key.slice(0, 5),
      },
      y: { grid: true, label: t("statistics.decisions") },
      marks: [barY(data, { x: "key", y: "count", fill: "outcome", title }), ruleY([0])],
    };
  }
  return {
    width: WIDTH,
    height: 40 + 24 * keys.length,
    marginLeft: 200,
    color,
    x: { grid: true, label: t("statistics.decisions") },
    y: { domain: keys, label: null },
    marks: [barX(data, { y: "key", x: "count", fill: "outcome", title }), ruleX([0])],
  };
}

/** A lying bar chart of a two-column table (name, count). */
function countPlot(table: Table, label: string): Plot.PlotOptions {
  const data = table.rows.map((r) => ({ key: r[0], count: Number(r[1]) }));
  return {
    width: WIDTH,
    height: 40 + 24 * data.length,
    marginLeft: 220,
    x: { grid: true, label },
    y: { domain: data.map((d) => d.key), label: null },
    marks: [
      barX(data, {
        y: "key",
        x: "count",
        fill: token("--brand"),
        title: (d) => `${d.key}: ${d.count}`,
      }),
      ruleX([0]),
    ],
  };
}

/** Every table of the figures, in the officer's language. */
function tables(
  t: TFunction,
  f: Figures,
  names: { service: (c: string) => string; document: (c: string) => string },
) {
  const named = (
    head: string,
    items: { code: string; count: number }[],
    name: (c: string) => string,
  ) => ({
    header: [head, t("statistics.times")],
    rows: items.map((n) => [name(n.code), String(n.count)]),
  });
  return {
    weeks: outcomeTable(
      t,
      t("statistics.week"),
      f.weeks.map((w) => [formatDate(w.week_start), w.decided]),
    ),
    officers: outcomeTable(
      t,
      t("statistics.officer"),
      f.by_officer.map((o) => [o.officer?.full_name ?? t("statistics.unknownOfficer"), o.decided]),
    ),
    services: outcomeTable(
      t,
      t("statistics.service"),
      f.by_service.map((s) => [names.service(s.service), s.decided]),
    ),
    backlog: {
      header: [t("statistics.age"), t("statistics.cases")],
      rows: f.backlog.map((b) => [
        b.max_working_days === null
          ? t("statistics.ageFrom", { min: b.min_working_days })
          : `${b.min_working_days}–${b.max_working_days}`,
        String(b.cases),
      ]),
    },
    reasons: named(t("statistics.reason"), f.refusal_reasons, (c) =>
      codeText(t, "decision.reason", c),
    ),
    fields: named(t("statistics.field"), f.refused_fields, (c) => codeText(t, "form.fields", c)),
    documents: named(t("statistics.document"), f.missing_documents, names.document),
  };
}

/** The charts, in the order shown; each is also the name of its table and its CSV file. */
const CHARTS = [
  "weeks",
  "officers",
  "services",
  "backlog",
  "reasons",
  "fields",
  "documents",
] as const;

/** What a chart shows, in a sentence, for those who cannot see it. */
function chartSummary(
  t: TFunction,
  chart: (typeof CHARTS)[number],
  f: Figures,
  table: Table,
): string {
  if (chart === "weeks") {
    return t("statistics.summaries.weeks", { count: total(f.decided), weeks: f.weeks.length });
  }
  if (chart === "backlog") {
    return t("statistics.summaries.backlog", { count: f.backlog.reduce((n, b) => n + b.cases, 0) });
  }
  return t("statistics.summaries.ranked", { first: table.rows[0]?.[0] ?? "" });
}

/** The figures in a few numbers. */
function Summary({ figures }: { figures: Figures }) {
  const { t } = useTranslation();
  const decided = total(figures.decided);
  const open = figures.backlog.reduce((n, b) => n + b.cases, 0);
  const days = figures.working_days;
  return (
    <dl className="stat-summary" data-testid="stat-summary">
      <div>
        <dt>{t("statistics.decided")}</dt>
        <dd data-testid="stat-decided">{decided}</dd>
      </div>
      <div>
        <dt>{t("statistics.onTime")}</dt>
        <dd data-testid="stat-on-time">
          {decided === 0 ? "—" : `${Math.round((100 * figures.on_time) / decided)}%`}
        </dd>
      </div>
      <div>
        <dt>{t("statistics.median")}</dt>
        <dd>{days.median ?? "—"}</dd>
      </div>
      <div>
        <dt>{t("statistics.p90")}</dt>
        <dd>{days.p90 ?? "—"}</dd>
      </div>
      <div>
        <dt>{t("statistics.open")}</dt>
        <dd>{open}</dd>
      </div>
    </dl>
  );
}

function Legend() {
  const { t } = useTranslation();
  return (
    <ul className="stat-legend" aria-label={t("statistics.legend")}>
      {OUTCOMES.map((o) => (
        <li key={o}>
          <span className={`stat-swatch stat-swatch-${o}`} aria-hidden="true" />
          {t(`decision.kind.${KIND[o]}`)}
        </li>
      ))}
    </ul>
  );
}

type Exported = { state: "done"; path: string } | { state: "failed"; error: DeskError };

/** The statistics section; `section` takes the focus for its key. */
export function Statistics({ section }: { section: RefObject<HTMLElement | null> }) {
  const { t } = useTranslation();
  const id = useId();
  const { catalogue, serviceName, documentName } = useCatalogue();
  const [query, setQuery] = useState("{}");
  const [fromText, setFromText] = useState("");
  const [toText, setToText] = useState("");
  const [service, setService] = useState("");
  const [wrong, setWrong] = useState(false);
  const [exported, setExported] = useState<Exported | null>(null);
  const loaded = useLoad(query, loadStatistics);
  const view = loaded.data;

  const all = useMemo(
    () => view && tables(t, view.figures, { service: serviceName, document: documentName }),
    [t, view, serviceName, documentName],
  );
  const plots = useMemo(
    () =>
      all && {
        weeks: stackedPlot(t, all.weeks, true),
        officers: stackedPlot(t, all.officers, false),
        services: stackedPlot(t, all.services, false),
        backlog: countPlot(all.backlog, t("statistics.cases")),
        reasons: countPlot(all.reasons, t("statistics.times")),
        fields: countPlot(all.fields, t("statistics.times")),
        documents: countPlot(all.documents, t("statistics.times")),
      },
    [t, all],
  );

  function show() {
    const from = fromText.trim() === "" ? null : parseDate(fromText);
    const to = toText.trim() === "" ? null : parseDate(toText);
    const bad = (from === null && fromText.trim() !== "") || (to === null && toText.trim() !== "");
    setWrong(bad);
    if (bad) return;
    const next = { from, to, service: service === "" ? null : service };
    const key = JSON.stringify(next);
    if (key === query) loaded.reload();
    else setQuery(key);
  }

  async function exportTable(table: StatisticsTable, content: Table) {
    setExported(null);
    try {
      const path = await desk.exportStatistics({ table, ...content });
      setExported({ state: "done", path });
    } catch (thrown) {
      setExported({ state: "failed", error: toDeskError(thrown) });
    }
  }

  const f = view?.figures;
  return (
    <section
      className="department-panel department-statistics"
      ref={section}
      tabIndex={-1}
      aria-labelledby={`${id}-title`}
      aria-busy={loaded.loading}
      data-testid="department-statistics"
    >
      <h2 id={`${id}-title`}>{t("statistics.title")}</h2>
      <p className="note">{t("statistics.key")}</p>
      <form
        className="stat-filters"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          show();
        }}
      >
        <DayInput
          label={t("statistics.from")}
          value={fromText}
          invalid={wrong}
          onChange={setFromText}
          onEnter={show}
          placeholder={f && formatDate(f.from)}
          testId="stat-from"
        />
        <DayInput
          label={t("statistics.to")}
          value={toText}
          invalid={wrong}
          onChange={setToText}
          onEnter={show}
          placeholder={f && formatDate(f.to)}
          testId="stat-to"
        />
        <label>
          {t("statistics.service")}{" "}
          <select
            value={service}
            onChange={(e) => setService(e.target.value)}
            data-testid="stat-service"
          >
            <option value="">{t("statistics.allServices")}</option>
            {catalogue?.services.map((s) => (
              <option key={s.code} value={s.code}>
                {serviceName(s.code)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={loaded.loading} data-testid="stat-show">
          {t("statistics.show")}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => window.print()}
          disabled={!view}
          data-testid="stat-print"
        >
          {t("statistics.print")}
        </button>
      </form>
      {wrong && (
        <p className="note" role="alert">
          {t("distribution.notADay")}
        </p>
      )}
      {loaded.error && <ErrorNotice error={loaded.error} />}
      {view?.offline && (
        <p className="related-warning" role="status" data-testid="stat-offline">
          {t("statistics.offline", { at: formatDateTime(view.fetched_at) })}
        </p>
      )}
      <div role="status" className="export-status">
        {exported?.state === "done" && (
          <p data-testid="stat-exported">
            {t("statistics.exported")} <code>{exported.path}</code>
          </p>
        )}
        {exported?.state === "failed" && <ErrorNotice error={exported.error} />}
      </div>
      {f === undefined ? (
        loaded.loading && <LoadingNote />
      ) : (
        <>
          <p className="note" data-testid="stat-period">
            {t("statistics.period", {
              from: formatDate(f.from),
              to: formatDate(f.to),
              service: f.service ? serviceName(f.service) : t("statistics.allServices"),
            })}
          </p>
          <Summary figures={f} />
          <Legend />
          <div className="stat-grid">
            {all &&
              plots &&
              CHARTS.map((key) => (
                <ChartFigure
                  key={key}
                  title={t(`statistics.charts.${key}`)}
                  summary={chartSummary(t, key, f, all[key])}
                  table={all[key]}
                  exportAs={key}
                  plot={plots[key]}
                  onExport={(table, content) => void exportTable(table, content)}
                />
              ))}
          </div>
        </>
      )}
    </section>
  );
}
