// Checks one preview captured by dev/previews/capture-previews.sh against what it must show, and writes
// the text cleaned up for the docs (no colours, no machine paths, no random ids) with the steps it
// was checked against, so that test/unit/dev/previews/checkPreviewCapture.test.ts can check the committed files again.
//   node -r ts-node/register/transpile-only dev/previews/checkPreviewCapture.ts <kind> <preview.txt> <preview.json> <out.txt> \
//     [--namespace NS]... [--key KEY.json]... [--path PATH=PLACEHOLDER]...
// <kind>: no-op | add-namespace (--namespace: the one added) | rotate-key, to-keyless (--namespace:
// every one the stack writes). <preview.txt> is `pulumi preview --diff` output, <preview.json> is
// `pulumi preview --json` of the same change. Exits 1, listing every problem, when a check fails;
// only when all pass are <out.txt> and, next to it, <out>.steps.json (see CheckedSteps) written.
import * as fs from "fs";
import * as os from "os";
import { foreignTypes, packageName, types } from "../../components/contract";
import { findKeyMaterial } from "../keys/keyMaterial";

export type CaptureKind = "no-op" | "add-namespace" | "rotate-key" | "to-keyless";

/** One step of `pulumi preview --json`. */
export interface PreviewStep {
    op: string;
    urn: string;
    detailedDiff?: Record<string, unknown> | null;
}

export interface CaptureCheck {
    kind: CaptureKind;
    /** The `pulumi preview --diff` text as printed. */
    text: string;
    /** The same preview as `pulumi preview --json` steps. */
    steps: PreviewStep[];
    /** add-namespace: the namespace added. rotate-key, to-keyless: every namespace the stack writes a Secret to. */
    namespaces: string[];
}

/**
 * What `<out>.steps.json` holds: the check's kind and namespaces, and each step of `pulumi preview
 * --json` with only its operation, URN and the names of its changed fields (never a value).
 */
export interface CheckedSteps {
    kind: CaptureKind;
    namespaces: string[];
    steps: PreviewStep[];
}

/** The file the steps of the capture written to `outFile` go to: `x.txt` → `x.steps.json`. */
export function stepsFileOf(outFile: string): string {
    return outFile.replace(/\.txt$/, "") + ".steps.json";
}

/** The steps as committed: operation, URN and changed field names only, so no value can leak. */
export function stepsToKeep(check: Omit<CaptureCheck, "text">): CheckedSteps {
    return {
        kind: check.kind,
        namespaces: check.namespaces,
        steps: check.steps.map((step) => ({
            op: step.op,
            urn: step.urn,
            ...(step.detailedDiff ? { detailedDiff: Object.fromEntries(Object.keys(step.detailedDiff).map((field) => [field, {}])) } : {}),
        })),
    };
}

const secretType = types.pullSecret;
const providerType = `pulumi:providers:${packageName}`;
/** Fields that carry the key, or something derived from it, and may only ever show as [secret]. */
const maskedFields = ["dockerConfigJson", "jsonKey", "privateKey", "kubeconfig", '"?\\.dockerconfigjson"?', "data", "stringData"];
/** A SHA-256 fingerprint, the only value `dockerConfigDigest` shows (it is not a secret: docs/security.md). */
const fingerprint = '"sha256:[0-9a-f]{64}"';
/** What a digest may show: a fingerprint, or [secret] where the state of 0.3 or earlier kept it as one. */
const digestShown = `(${fingerprint}|\\[secret\\])`;

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → its last type and its name. */
function urnParts(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    return { type: (parts[2] ?? "").split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

/** The component names every child `<component>-<namespace>` (or `.../<serviceAccount>`). */
function belongsTo(name: string, namespace: string): boolean {
    return name.endsWith(`-${namespace}`) || name.includes(`-${namespace}/`);
}

/** Every way `check.text`/`check.steps` fail what a capture of `check.kind` must show; [] when it passes. */
export function previewProblems(check: CaptureCheck): string[] {
    const problems: string[] = [];
    const text = check.text.replace(ansi, "");
    const changed = check.steps.filter((step) => step.op !== "same");
    const describe = (step: PreviewStep) => `${step.op} ${urnParts(step.urn).type} ${urnParts(step.urn).name}`;

    // Secret data in a diff only ever as [secret], whatever the kind.
    for (const line of text.split("\n")) {
        const field = new RegExp(`^\\s*([-+~]*)\\s*(${maskedFields.join("|")})\\s*:(.*)$`).exec(line);
        // A removed field whose old value the state's outputs do not hold shows as <null>, or as
        // [unknown] when the provider's diff says it is not an input diff (the CLI then looks in the
        // old outputs): neither is a value, so nothing is revealed.
        const removedUnknown = field?.[1] === "-" && /^\s*(<null>|\[unknown\])\s*$/.test(field[3]);
        if (field && !removedUnknown && !/^\s*(\{|\[secret\](\s*=>\s*\[secret\])?)\s*$/.test(field[3])) {
            problems.push(`"${field[2]}" is shown unmasked (value not repeated here)`);
        }
        const digest = /^\s*[-+~]*\s*dockerConfigDigest\s*:(.*)$/.exec(line);
        if (digest && !new RegExp(`^\\s*(<null>|\\[unknown\\]|${digestShown}(\\s*=>\\s*${digestShown})?)\\s*$`).test(digest[1])) {
            problems.push('"dockerConfigDigest" shows something other than a SHA-256 fingerprint (value not repeated here)');
        }
    }

    if (check.kind === "no-op") {
        for (const step of changed) problems.push(`the no-op preview has a change: ${describe(step)}`);
        if (/\bto (create|update|delete|replace)\b/.test(text)) problems.push("the no-op preview's summary lists changes");
        if (!/^Resources:\n\s+\d+ unchanged\s*$/m.test(text)) problems.push('the no-op preview does not end in "Resources: N unchanged"');
    }

    if (check.kind === "add-namespace") {
        const [namespace] = check.namespaces;
        if (changed.length === 0) problems.push(`adding namespace ${namespace} previews no change`);
        for (const step of changed) {
            if (step.op !== "create") problems.push(`adding a namespace must only create; got ${describe(step)}`);
            if (!belongsTo(urnParts(step.urn).name, namespace)) problems.push(`adding ${namespace} touches another namespace's resource: ${describe(step)}`);
        }
        if (!changed.some((step) => urnParts(step.urn).type === secretType)) problems.push(`adding ${namespace} does not create its ${secretType}`);
    }

    if (check.kind === "rotate-key") {
        for (const step of changed) {
            const { type } = urnParts(step.urn);
            if (step.op !== "update" || (type !== secretType && type !== providerType)) {
                problems.push(`a new key must only update the provider and the Secrets in place; got ${describe(step)}`);
            }
            const fields = Object.keys(step.detailedDiff ?? {});
            // The provider holds the key (0.2: the docker config); each Secret its digest.
            const allowed = type === providerType ? ["privateKey", "jsonKey", "dockerConfigJson"] : ["dockerConfigDigest"];
            if (fields.some((field) => !allowed.includes(field)))
                problems.push(`${describe(step)} changes more than ${allowed.join(" or ")}: ${fields.join(", ")}`);
        }
        if (changed.filter((step) => urnParts(step.urn).type === providerType).length !== 1)
            problems.push("a new key must update the provider's docker config once");
        for (const namespace of check.namespaces) {
            const updates = changed.filter((step) => urnParts(step.urn).type === secretType && belongsTo(urnParts(step.urn).name, namespace));
            if (updates.length !== 1) problems.push(`the Secret in ${namespace} is not updated exactly once (${updates.length})`);
        }
        const changedDigests = [...text.matchAll(new RegExp(`dockerConfigDigest\\s*: (${fingerprint}) => (${fingerprint})`, "g"))].filter(
            (m) => m[1] !== m[2],
        ).length;
        if (changedDigests !== check.namespaces.length)
            problems.push(
                `expected ${check.namespaces.length} 'dockerConfigDigest: "sha256:…" => "sha256:…"' lines with a new digest, found ${changedDigests}`,
            );
    }
    if (check.kind === "to-keyless") {
        // What keyless mode adds: the refresher's objects (and the Kubernetes provider they go through).
        const refresherTypes: string[] = [
            foreignTypes.kubernetesProvider,
            foreignTypes.namespace,
            foreignTypes.serviceAccount,
            foreignTypes.configMap,
            foreignTypes.role,
            foreignTypes.roleBinding,
            foreignTypes.cronJob,
            foreignTypes.job,
        ];
        for (const step of changed) {
            const { type } = urnParts(step.urn);
            const fields = Object.keys(step.detailedDiff ?? {});
            if (step.op === "create") {
                if (!refresherTypes.includes(type)) problems.push(`switching to keyless creates something that is not the refresher's: ${describe(step)}`);
            } else if (step.op === "update" && type === providerType) {
                if (fields.some((field) => !["dockerConfigJson", "jsonKey", "privateKey", "registries", "username", "keyless"].includes(field)))
                    problems.push(`${describe(step)} changes more than its docker config: ${fields.join(", ")}`);
            } else if (step.op === "update" && type === secretType) {
                if (fields.some((field) => field !== "dockerConfigDigest" && field !== "keySource"))
                    problems.push(`${describe(step)} changes more than its key source: ${fields.join(", ")}`);
            } else {
                problems.push(`switching to keyless may only create the refresher and update in place; got ${describe(step)}`);
            }
        }
        for (const namespace of check.namespaces) {
            for (const type of [secretType, "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"]) {
                const steps = changed.filter((step) => urnParts(step.urn).type === type && belongsTo(urnParts(step.urn).name, namespace));
                if (steps.length !== 1) problems.push(`${type} of ${namespace}: expected one step, found ${steps.length}`);
            }
        }
        const switched = (text.match(/keySource\s*: "(supplied|managed)" => "keyless"/g) ?? []).length;
        if (switched !== check.namespaces.length) problems.push(`expected ${check.namespaces.length} 'keySource: ... => "keyless"' lines, found ${switched}`);
    }
    return problems;
}

/**
 * The preview as it should read in the docs: no ANSI colours; no notices about plugins taken from
 * the local toolchain's PATH; `paths` (temp dirs, the checkout) replaced by their placeholders;
 * provider ids, the throwaway keys' ids and autonamed objects' random suffixes replaced by stable placeholders.
 */
export function cleanPreview(text: string, paths: Array<[string, string]>, keyIds: string[]): string {
    let clean = text.replace(ansi, "").replace(/\r/g, "");
    clean = clean
        .split("\n")
        // Progress lines the CLI prints when a step takes a while (a busy machine), which say nothing about the preview.
        .filter((line) => !/^\s*warning: using pulumi-resource-\S+ from \$PATH at /.test(line) && !/^@ previewing update\.*$/.test(line))
        .join("\n");
    // Longest first, so a path inside another is not half-replaced.
    for (const [path, placeholder] of [...paths].sort((a, b) => b[0].length - a[0].length)) {
        clean = clean.split(path).join(placeholder);
    }
    clean = clean.replace(/::[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\]/g, "::<provider id>]");
    // A provider's own id, shown when the provider itself changes (a new key updates its configuration).
    clean = clean.replace(/\[id=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\]/g, "[id=<provider id>]");
    // The stack's identity, a random id (components/stackIdentity.ts) each PullSecret names.
    clean = clean.replace(/(stackIdentity\s*: )"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '$1"<stack identity>"');
    // Names the Kubernetes provider made up (autonaming: the resource name and 8 random hex digits).
    clean = clean.replace(/(-refresher-(?:script|first-run))-[0-9a-f]{8}\b/g, "$1-<random suffix>");
    keyIds.forEach((id, index) => {
        clean = clean.split(id).join(`<id of throwaway key ${index + 1}>`);
    });
    return `${clean.replace(/[ \t]+$/gm, "").trim()}\n`;
}

function parseArgs(argv: string[]) {
    const [kind, textFile, jsonFile, outFile, ...rest] = argv;
    const options = { namespaces: [] as string[], keys: [] as string[], paths: [] as Array<[string, string]> };
    for (let i = 0; i < rest.length; i += 2) {
        const [flag, value] = [rest[i], rest[i + 1]];
        if (value === undefined) throw new Error(`${flag} needs a value`);
        if (flag === "--namespace") options.namespaces.push(value);
        else if (flag === "--key") options.keys.push(value);
        else if (flag === "--path" && value.includes("=")) options.paths.push([value.slice(0, value.indexOf("=")), value.slice(value.indexOf("=") + 1)]);
        else throw new Error(`unknown option ${flag} ${value}`);
    }
    if (!["no-op", "add-namespace", "rotate-key", "to-keyless"].includes(kind) || !outFile) {
        throw new Error(
            "usage: checkPreviewCapture.ts no-op|add-namespace|rotate-key|to-keyless <preview.txt> <preview.json> <out.txt> [--namespace NS]... [--key FILE]... [--path PATH=PLACEHOLDER]...",
        );
    }
    return { kind: kind as CaptureKind, textFile, jsonFile, outFile, ...options };
}

if (require.main === module) {
    try {
        const args = parseArgs(process.argv.slice(2));
        const text = fs.readFileSync(args.textFile, "utf8");
        const json = fs.readFileSync(args.jsonFile, "utf8");
        const keys = args.keys.map((file) => fs.readFileSync(file, "utf8"));
        const steps: PreviewStep[] = JSON.parse(json).steps ?? [];
        const problems = previewProblems({ kind: args.kind, text, steps, namespaces: args.namespaces });
        const clean = cleanPreview(
            text,
            args.paths,
            keys.map((key) => JSON.parse(key).private_key_id),
        );
        for (const key of keys) {
            for (const [what, haystack] of [
                ["the preview", text],
                ["its --json form", json],
                ["the cleaned text", clean],
            ]) {
                const found = findKeyMaterial(haystack, key);
                if (found) problems.push(`key material in ${what}: ${found}`);
            }
        }
        const kept = `${JSON.stringify(stepsToKeep({ kind: args.kind, steps, namespaces: args.namespaces }), null, 2)}\n`;
        for (const path of [...args.paths.map(([path]) => path), os.homedir(), `${os.tmpdir()}/`]) {
            if (clean.includes(path)) problems.push(`the cleaned text still contains the machine path ${path}`);
            if (kept.includes(path)) problems.push(`the steps to keep contain the machine path ${path}`);
        }
        if (problems.length > 0) {
            process.stderr.write(`${args.kind}: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}\n`);
            process.exit(1);
        }
        fs.writeFileSync(args.outFile, clean);
        fs.writeFileSync(stepsFileOf(args.outFile), kept);
        process.stderr.write(`${args.kind}: ok, written to ${args.outFile} and ${stepsFileOf(args.outFile)}\n`);
    } catch (error) {
        process.stderr.write(`checkPreviewCapture: ${(error as Error).message}\n`);
        process.exit(2);
    }
}
