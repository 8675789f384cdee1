// The global styles first (tokens, base rules), then the parts the screens share; each
// feature's stylesheet comes with its screen.
import "./styles.css";
import "./components/components.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { createI18n } from "./i18n";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App i18n={createI18n()} />
    </StrictMode>,
  );
}
