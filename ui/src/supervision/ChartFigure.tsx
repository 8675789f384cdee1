// One chart of the department's statistics: drawn by Observable Plot as SVG (crisp on screen
// and on paper, labelled for screen readers), with the same figures as a table and as a CSV
// file. The table's rows are the one source of what the chart, the table and the file say.
import * as Plot from "@observablehq/plot";
import { useEffect, useId, useRef } from "react";
import { useTranslation } from "react-i18next";
import type { StatisticsTable } from "../ipc/client";

/** A table as shown: headings and cells, in the officer's language. */
export type Table = { header: string[]; rows: string[][] };

/** A colour token of styles.css, for what Plot draws (the stylesheet is their one source). */
export function token(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "currentColor";
}

/** Draws `options` with Plot into a box the chart fits in. */
function PlotChart({ options, label }: { options: Plot.PlotOptions; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = Plot.plot({ ...options, ariaLabel: label });
    // Plot adds a <style> with its defaults; the window's content security policy refuses
    // inline styles, so it goes before the chart reaches the page (supervision.css has them).
    for (const style of chart.querySelectorAll("style")) style.remove();
    // The chart is one image with one label; the labels Plot gives its groups would be
    // labels on elements without a role, which assistive technology cannot announce.
    for (const part of chart.querySelectorAll("[aria-label], [aria-description]")) {
      part.removeAttribute("aria-label");
      part.removeAttribute("aria-description");
    }
    chart.setAttribute("role", "img");
    box.current?.replaceChildren(chart);
    return () => chart.remove();
  }, [options, label]);
  return <div className="stat-chart" ref={box} data-testid="stat-chart" />;
}

/** A chart with its title, its figures as a table, and a button that writes them as CSV. */
export function ChartFigure({
  title,
  summary,
  table,
  exportAs,
  plot,
  onExport,
}: {
  title: string;
  /** What the chart shows, in a sentence, for those who cannot see it. */
  summary: string;
  table: Table;
  exportAs: StatisticsTable;
  plot: Plot.PlotOptions | null;
  onExport: (table: StatisticsTable, content: Table) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <figure className="stat-figure" aria-labelledby={id} data-testid={`stat-${exportAs}`}>
      <figcaption>
        <h3 id={id}>{title}</h3>
      </figcaption>
      {table.rows.length === 0 ? (
        <p className="note">{t("statistics.none")}</p>
      ) : (
        <>
          {plot && <PlotChart options={plot} label={`${title}. ${summary}`} />}
          <details className="stat-table">
            <summary>{t("statistics.asTable")}</summary>
            <table data-testid="stat-table">
              <thead>
                <tr>
                  {table.header.map((h) => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((row) => (
                  <tr key={row.join("\u0001")}>
                    <th scope="row">{row[0]}</th>
                    {row.slice(1).map((cell, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed.
                      <td key={i}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          <button
            type="button"
            className="secondary stat-csv"
            onClick={() => onExport(exportAs, table)}
            aria-label={t("statistics.csvOf", { title })}
            data-testid="stat-csv"
          >
            {t("statistics.csv")}
          </button>
        </>
      )}
    </figure>
  );
}
