// Lint rules: typescript-eslint's recommended set, with `any` allowed in tests (mock plumbing).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", ".pulumi-local/**", "sdk/nodejs/dist/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // (ESLint 10 recommends it.) Errors are rethrown with a new, secret-free message on
            // purpose: a `cause` would carry the original error, whose text may quote a kubeconfig
            // or a key, into every log that prints causes (Node's inspect does).
            "preserve-caught-error": "off",
        },
    },
    {
        // The keyless refresher: plain CommonJS for a stock Node image, no build step.
        files: ["components/refreshPullSecrets.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", process: "readonly", Buffer: "readonly", URL: "readonly", URLSearchParams: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // The plugin folders' entries (PulumiPlugin.yaml): plain CommonJS the language host requires.
        files: ["program.js", "provider/plugin.js", "provider/compileCache.js", "sdk/nodejs/provider/plugin.js"],
        languageOptions: { sourceType: "commonjs", globals: { require: "readonly", __dirname: "readonly", process: "readonly", module: "writable" } },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
