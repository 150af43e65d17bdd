/** The end-to-end tests' helpers: tools/stackHarness.ts, which the benchmark uses too. */
export * from "../../tools/stackHarness";
