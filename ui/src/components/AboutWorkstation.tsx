import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { type AppInfo, type DeskError, desk, toDeskError } from "../ipc/client";
import { ErrorNotice } from "./ErrorNotice";

type State =
  | { status: "loading" }
  | { status: "ready"; info: AppInfo }
  | { status: "failed"; error: DeskError };

/** The desk's own answer about itself: proof that the UI reaches the Rust core. */
export function AboutWorkstation() {
  const { t } = useTranslation();
  const [state, setState] = useState<State>({ status: "loading" });

  useEffect(() => {
    let live = true;
    desk.appInfo().then(
      (info) => live && setState({ status: "ready", info }),
      (error: unknown) => live && setState({ status: "failed", error: toDeskError(error) }),
    );
    return () => {
      live = false;
    };
  }, []);

  return (
    <section className="about" aria-labelledby="about-title">
      <h2 id="about-title">{t("about.title")}</h2>
      {state.status === "loading" && <p aria-busy="true">{t("about.loading")}</p>}
      {state.status === "failed" && <ErrorNotice error={state.error} />}
      {state.status === "ready" && (
        <dl data-testid="app-info">
          <dt>{t("about.version")}</dt>
          <dd data-testid="app-version">{state.info.version}</dd>
          <dt>{t("about.build")}</dt>
          <dd data-testid="app-build">
            {state.info.build.commit} · {state.info.build.profile} · {state.info.build.target}
          </dd>
          <dt>{t("about.dataDir")}</dt>
          <dd data-testid="app-data-dir">
            <code>{state.info.data_dir}</code>
          </dd>
        </dl>
      )}
    </section>
  );
}
