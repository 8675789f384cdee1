import { createContext, type ReactNode, useContext, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { type CatalogueInfo, desk, type LocalizedText } from "../ipc/client";
import { useLoad } from "./useLoad";

/** The service catalogue and the names it gives, in the officer's language. */
export type Catalogue = {
  /** `null` until the desk has answered (or when it could not). */
  catalogue: CatalogueInfo | null;
  /** A service's name, or its code while the catalogue is not there. */
  serviceName: (code: string) => string;
  /** A document type's name, or its code while the catalogue is not there. */
  documentName: (code: string) => string;
};

const CatalogueContext = createContext<CatalogueInfo | null | undefined>(undefined);

const CATALOGUE = "catalogue";
const loadCatalogue = () => desk.catalogue();

/** Loads the service catalogue once for the screens inside it, and says so if it cannot. */
export function CatalogueProvider({ children }: { children: ReactNode }) {
  const { data, error } = useLoad(CATALOGUE, loadCatalogue);
  return (
    <CatalogueContext.Provider value={data}>
      {error && <ErrorNotice error={error} />}
      {children}
    </CatalogueContext.Provider>
  );
}

/** The catalogue a `CatalogueProvider` above has loaded, with its names. */
export function useCatalogue(): Catalogue {
  const catalogue = useContext(CatalogueContext);
  if (catalogue === undefined) throw new Error("useCatalogue needs a CatalogueProvider above it");
  const { i18n } = useTranslation();
  const lang = i18n.language as keyof LocalizedText;
  return useMemo(
    (): Catalogue => ({
      catalogue,
      serviceName: (code) => catalogue?.services.find((s) => s.code === code)?.name[lang] ?? code,
      documentName: (code) =>
        catalogue?.document_types.find((d) => d.code === code)?.name[lang] ?? code,
    }),
    [catalogue, lang],
  );
}
