// ESM declarations: the same API as index.d.ts (index.mjs re-exports index.cjs).
export * from "./index.js";
