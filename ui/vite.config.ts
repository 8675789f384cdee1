import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The build is embedded into the desk binary; there is no dev server in the run path.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  build: {
    // WebKitGTK 2.40+ (Debian 12) understands ES2021.
    target: "es2021",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test-setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
