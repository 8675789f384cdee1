import { useTranslation } from "react-i18next";
import { useLoad } from "../data/useLoad";
import { desk } from "../ipc/client";
import { ErrorNotice } from "./ErrorNotice";

// A stable loader for useLoad: the desk has one answer about itself.
const APP_INFO = "app-info";
const loadAppInfo = () => desk.appInfo();

/** The desk's own answer about itself: proof that the UI reaches the Rust core. */
export function AboutWorkstation() {
  const { t } = useTranslation();
  const { data: info, loading, error } = useLoad(APP_INFO, loadAppInfo);

  return (
    <section className="about" aria-labelledby="about-title">
      <h2 id="about-title">{t("about.title")}</h2>
      {loading && <p aria-busy="true">{t("about.loading")}</p>}
      {error && <ErrorNotice error={error} />}
      {info && (
        <dl data-testid="app-info">
          <dt>{t("about.version")}</dt>
          <dd data-testid="app-version">{info.version}</dd>
          <dt>{t("about.build")}</dt>
          <dd data-testid="app-build">
            {info.build.commit} · {info.build.profile} · {info.build.target}
          </dd>
          <dt>{t("about.dataDir")}</dt>
          <dd data-testid="app-data-dir">
            <code>{info.data_dir}</code>
          </dd>
        </dl>
      )}
    </section>
  );
}
