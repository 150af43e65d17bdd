/** The end-to-end tests' helpers, from stackHarness.ts (which the benchmark imports too). */
export * from "./stackHarness";
