// Architecture checks that keep the UI honest.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, ".");

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

function sources(dir: string): string[] {
  return files(dir, /\.(ts|tsx)$/);
}

/** The files that sit at the top of ui/src: the entry point, the screen picker, the global
 * styles, test set-up and the tests of the whole UI. */
const TOP_LEVEL = [
  "App.test.tsx",
  "App.tsx",
  "a11y.test.tsx",
  "main.tsx",
  "styles.css",
  "test-setup.ts",
  "tidy.test.ts",
];

describe("tidy", () => {
  it("keeps the UI in feature folders, with only the entry points at the top", () => {
    const loose = readdirSync(SRC)
      .filter((name) => !statSync(join(SRC, name)).isDirectory())
      .filter((name) => !TOP_LEVEL.includes(name));
    expect(loose).toEqual([]);
  });

  it("writes colours only as the tokens of styles.css", () => {
    const colour = /#[0-9a-f]{3,8}\b|\b(rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(/i;
    const offenders = files(SRC, /\.css$/).flatMap((path) => {
      let text = readFileSync(path, "utf8");
      // The tokens themselves: the custom properties of :root in the global stylesheet.
      if (relative(SRC, path) === "styles.css") text = text.replace(/^:root \{[^}]*\}/m, "");
      return text
        .split("\n")
        .filter((line) => colour.test(line))
        .map((line) => `${relative(SRC, path)}: ${line.trim()}`);
    });
    expect(offenders).toEqual([]);
  });

  it("only ui/src/ipc imports @tauri-apps/api", () => {
    const offenders = sources(SRC)
      .filter((path) => !relative(SRC, path).startsWith("ipc/"))
      .filter((path) => /from\s+["']@tauri-apps\/api/.test(readFileSync(path, "utf8")));
    expect(offenders.map((p) => relative(SRC, p))).toEqual([]);
  });

  it("does not write IPC types by hand outside the generated bindings", () => {
    const bindings = readFileSync(join(SRC, "ipc/bindings.ts"), "utf8");
    const generated = [...bindings.matchAll(/export type (\w+)/g)].map((m) => m[1]);
    const offenders = sources(SRC)
      .filter((path) => !path.endsWith("bindings.ts"))
      .flatMap((path) => {
        const text = readFileSync(path, "utf8");
        return generated
          .filter((name) => new RegExp(`(type|interface)\\s+${name}\\b\\s*=?\\s*\\{`).test(text))
          .map((name) => `${relative(SRC, path)}: ${name}`);
      });
    expect(offenders).toEqual([]);
  });
});
