// Architecture checks that keep the UI honest.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, ".");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

describe("tidy", () => {
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
