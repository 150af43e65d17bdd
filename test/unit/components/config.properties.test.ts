import "../mocks";
import * as assert from "assert";
import fc from "fast-check";
import { checkStackConfig, configNamespace, settings } from "../../../components/config";
import { ConfigProblem } from "../../../components/configError";
import { systemNamespaces } from "../../../components/contract";
import { gcrHostLocations } from "../../../components/validation/registryHosts";
import { sampleKeyJson } from "../fixtures";

const prefix = `${configNamespace}:`;
type Stack = Record<string, unknown>;

function problemsOf(stack: Stack, secretKeys: string[] = [`${prefix}jsonKey`]): ConfigProblem[] {
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(stack)) {
        if (value === undefined) continue;
        values[key.includes(":") ? key : `${prefix}${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return checkStackConfig({ values, secretKeys: new Set(secretKeys) }).problems;
}

// --- valid stacks ---

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/).filter((n) => ![...systemNamespaces, "default"].includes(n));
const arLocations = ["europe-west1", "us-central1", "asia-east2", "us", "europe", "asia"];
const hosts = ["gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io", ...arLocations.map((l) => `${l}-docker.pkg.dev`)];

const namespaceEntry = fc
    .tuple(name, fc.boolean(), fc.boolean(), fc.uniqueArray(name, { maxLength: 3 }), fc.boolean())
    .map(([n, create, adopt, serviceAccounts, asText]) =>
        asText ? n : { name: n, ...(create ? { create } : {}), ...(adopt ? { adopt } : {}), ...(serviceAccounts.length ? { serviceAccounts } : {}) },
    );
const nameOf = (entry: unknown) => (typeof entry === "string" ? entry : (entry as { name: string }).name);

/** A valid stack with one of the three credential sources; every optional setting sometimes set. */
const validStack: fc.Arbitrary<Stack> = fc
    .record({
        source: fc.constantFrom("create", "existing", "jsonKey"),
        registries: fc.uniqueArray(fc.constantFrom(...hosts), { minLength: 1, maxLength: 5 }),
        namespaces: fc.uniqueArray(namespaceEntry, { minLength: 1, maxLength: 6, selector: nameOf }),
        withDefault: fc.boolean(),
        repoIds: fc.uniqueArray(name, { maxLength: 3 }),
        rotationDays: fc.option(fc.integer({ min: 0, max: 3650 }), { nil: undefined }),
        wait: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
        secretName: fc.option(name, { nil: undefined }),
        username: fc.option(fc.constantFrom("_json_key", "_json_key_base64"), { nil: undefined }),
        kubeContext: fc.option(name, { nil: undefined }),
        buckets: fc.boolean(),
        viaProviderProject: fc.boolean(),
    })
    .map((g) => {
        const stack: Stack = {
            registries: g.registries,
            namespaces: g.withDefault ? ["default", ...g.namespaces] : g.namespaces,
            ...(g.secretName ? { secretName: g.secretName } : {}),
            ...(g.username ? { username: g.username } : {}),
            ...(g.wait ? { serviceAccountWaitSeconds: String(g.wait) } : {}),
            ...(g.kubeContext ? { kubeContext: g.kubeContext } : {}),
        };
        if (g.source === "jsonKey") return { ...stack, jsonKey: sampleKeyJson };
        // Grants only on what the registries serve, so the stack is valid.
        const repositories = g.registries.flatMap((host) =>
            host in gcrHostLocations
                ? [{ location: gcrHostLocations[host], repository: host }]
                : g.repoIds.map((repository) => ({ location: host.replace(/-docker\.pkg\.dev$/, ""), repository })),
        );
        const gcrRegistries = g.registries.filter((h) => h in gcrHostLocations);
        const buckets = g.buckets ? gcrRegistries.map((h) => `${h === "gcr.io" ? "" : h.replace(".gcr.io", ".")}artifacts.acme-dev-123456.appspot.com`) : [];
        return {
            ...stack,
            ...(g.viaProviderProject ? { "gcp:project": "acme-dev-123456" } : { project: "acme-dev-123456" }),
            ...(g.source === "create"
                ? { serviceAccount: { accountId: "gke-puller" } }
                : { existingServiceAccountEmail: "puller@acme-dev-123456.iam.gserviceaccount.com" }),
            ...(repositories.length ? { artifactRegistryRepositories: repositories } : {}),
            ...(buckets.length ? { gcrBuckets: buckets } : {}),
            // A created account must be granted something.
            ...(repositories.length + buckets.length === 0 ? { projectWideRead: "true" } : {}),
            ...(g.rotationDays !== undefined ? { rotationDays: String(g.rotationDays) } : {}),
        };
    });

// --- faults: each makes one independent mistake and says where it must be reported ---

interface Fault {
    /** The setting it touches; faults in one run touch different settings. */
    setting: string;
    applies: (stack: Stack) => boolean;
    /** Makes the mistake; returns the one path that must be reported, and words the message must have. */
    apply: (stack: Stack) => { path: string; words: RegExp };
}

const source = (stack: Stack) => (stack.jsonKey ? "jsonKey" : stack.serviceAccount ? "serviceAccount" : "existingServiceAccountEmail");
const list = (stack: Stack, key: string) => ((stack[key] as unknown[] | undefined) ?? []).slice();
const managed = (stack: Stack) => source(stack) !== "jsonKey";

function typoOf(word: string, seed: number): string {
    const i = seed % word.length;
    return word.slice(0, i) + word.slice(i + 1); // one letter dropped: always close, never the word itself
}

const faults = (seed: number): Fault[] => [
    {
        setting: "unknown setting",
        applies: () => true,
        apply: (stack) => {
            const known = Object.keys(settings).filter((k) => stack[k] === undefined);
            const typo = typoOf(known[seed % known.length] ?? "namespaces", seed);
            if ((settings as Record<string, unknown>)[typo]) return { path: "", words: /./ }; // never: a dropped letter is no setting
            stack[typo] = "x";
            return { path: `${prefix}${typo}`, words: /is not a known setting; did you mean gcr-pull-secrets:/ };
        },
    },
    {
        setting: "serviceAccount",
        applies: (stack) => source(stack) === "serviceAccount",
        apply: (stack) => {
            const field = typoOf(["accountId", "displayName", "description"][seed % 3], seed);
            stack.serviceAccount = { accountId: "gke-puller", [field]: "x" };
            return { path: `${prefix}serviceAccount.${field}`, words: /is not a known field; did you mean (accountId|displayName|description)\?/ };
        },
    },
    {
        setting: "serviceAccount",
        applies: (stack) => source(stack) === "serviceAccount",
        apply: (stack) => {
            // `pulumi config set serviceAccount gke-puller`, without --path: text, not an object.
            stack.serviceAccount = "gke-puller";
            return {
                path: `${prefix}serviceAccount`,
                words: /must be an object \{accountId, displayName\?, description\?\}, not the text "gke-puller"; set each field with `pulumi config set --path/,
            };
        },
    },
    {
        setting: "existingServiceAccountEmail",
        applies: (stack) => source(stack) === "existingServiceAccountEmail",
        apply: (stack) => {
            stack.existingServiceAccountEmail = "bob@example.com";
            return {
                path: `${prefix}existingServiceAccountEmail`,
                words: /not a service account email: it must look like NAME@PROJECT\.iam\.gserviceaccount\.com/,
            };
        },
    },
    {
        setting: "credential source",
        applies: () => true,
        apply: (stack) => {
            const key = source(stack);
            stack[key] = "";
            return { path: `${prefix}${key}`, words: /^is empty; set it to .*, or remove it and set exactly one other credential source/ };
        },
    },
    {
        setting: "jsonKey",
        applies: (stack) => source(stack) === "jsonKey",
        apply: (stack) => {
            stack.jsonKey = JSON.stringify([JSON.parse(sampleKeyJson)]);
            return { path: `${prefix}jsonKey`, words: /is JSON, but a JSON array, not a service account key/ };
        },
    },
    {
        setting: "serviceAccountWaitSeconds",
        applies: () => true,
        apply: (stack) => {
            stack.serviceAccountWaitSeconds = ["abc", "0", "3601", "", "1.5"][seed % 5];
            return { path: `${prefix}serviceAccountWaitSeconds`, words: /it must be a whole number of seconds from 1 to 3600 \(default 60\)/ };
        },
    },
    {
        setting: "rotationDays",
        applies: managed,
        apply: (stack) => {
            stack.rotationDays = ["-1", "3651", "soon", ""][seed % 4];
            return { path: `${prefix}rotationDays`, words: /it must be a whole number of days from 0 to 3650 \(default 90\)/ };
        },
    },
    {
        setting: "rotationDays",
        applies: (stack) => !managed(stack),
        apply: (stack) => {
            stack.rotationDays = "30";
            return { path: `${prefix}rotationDays`, words: /applies only to service accounts and keys this program manages, and jsonKey is set/ };
        },
    },
    {
        setting: "secretName",
        applies: () => true,
        apply: (stack) => {
            stack.secretName = ["Reg_Cred", "", "-x"][seed % 3];
            return {
                path: `${prefix}secretName`,
                words: stack.secretName === "" ? /^is empty; set a Secret name/ : /not a valid Secret name \(lowercase letters, digits, '-' and '\.'/,
            };
        },
    },
    {
        setting: "username",
        applies: () => true,
        apply: (stack) => {
            stack.username = ["oauth2accesstoken", ""][seed % 2];
            return { path: `${prefix}username`, words: /(is empty; use|is "oauth2accesstoken"; use) "_json_key"/ };
        },
    },
    {
        setting: "allowSystemNamespaces",
        applies: () => true,
        apply: (stack) => {
            stack.allowSystemNamespaces = ["yes", "True", ""][seed % 3];
            return { path: `${prefix}allowSystemNamespaces`, words: /it must be true or false \(default false\)/ };
        },
    },
    {
        setting: "kubeContext",
        applies: () => true,
        apply: (stack) => {
            stack.kubeContext = "";
            return { path: `${prefix}kubeContext`, words: /^is empty; remove it .* to use the kubeconfig's current context/ };
        },
    },
    {
        setting: "clusterIdentifier",
        applies: () => true,
        apply: (stack) => {
            stack.clusterIdentifier = "";
            return { path: `${prefix}clusterIdentifier`, words: /^is empty; remove it .* to tell clusters apart by their API server URL, or name the cluster/ };
        },
    },
    {
        setting: "project",
        applies: (stack) => managed(stack) && stack.project === undefined,
        apply: (stack) => {
            stack["gcp:project"] = "Acme_Dev";
            return { path: "gcp:project", words: /^is "Acme_Dev", not a Google project id/ };
        },
    },
    {
        setting: "namespaces",
        applies: () => true,
        apply: (stack) => {
            const namespaces = list(stack, "namespaces");
            const kind = seed % 4;
            const bad = [nameOf(namespaces[seed % namespaces.length]), 123, "Team_A", { name: "x", serviceAcounts: [] }][kind];
            namespaces.push(bad);
            stack.namespaces = namespaces;
            const at = `${prefix}namespaces[${namespaces.length - 1}]`;
            return [
                { path: at, words: /repeats ".*" \(also namespaces\[\d+\](\.name)?\); list each namespace once/ },
                { path: at, words: /is the number 123, not text; a namespace name is text: write it quoted in the stack file \("123"\)/ },
                { path: at, words: /not a valid namespace name \(lowercase letters/ },
                { path: `${at}.serviceAcounts`, words: /did you mean serviceAccounts\?/ },
            ][kind];
        },
    },
    {
        setting: "namespace ServiceAccounts",
        applies: () => true,
        apply: (stack) => {
            const namespaces = list(stack, "namespaces");
            namespaces.push({ name: "zz-extra", serviceAccounts: ["builder", "builder"] });
            stack.namespaces = namespaces;
            return {
                path: `${prefix}namespaces[${namespaces.length - 1}].serviceAccounts[1]`,
                words: /repeats "builder" \(also namespaces\[\d+\]\.serviceAccounts\[0\]\); list each ServiceAccount once/,
            };
        },
    },
    {
        setting: "registries",
        applies: () => true,
        apply: (stack) => {
            const registries = list(stack, "registries");
            const bad = [registries[0], "quay.io", "https://gcr.io/x", "mars-docker.pkg.dev"][seed % 4];
            registries.push(bad);
            stack.registries = registries;
            return {
                path: `${prefix}registries[${registries.length - 1}]`,
                words: /(repeats|not a Google registry host; use one of|write the host name only|not an Artifact Registry location)/,
            };
        },
    },
    {
        setting: "artifactRegistryRepositories",
        applies: (stack) => managed(stack) && list(stack, "artifactRegistryRepositories").length > 0,
        apply: (stack) => {
            const repositories = list(stack, "artifactRegistryRepositories") as Record<string, string>[];
            const kind = seed % 4;
            const gcrHost = (list(stack, "registries") as string[]).find((h) => h in gcrHostLocations);
            const bad = [
                repositories[0],
                { location: "southamerica-east1", repository: "apps" },
                { ...repositories[0], projet: "x" },
                gcrHost ? { location: gcrHostLocations[gcrHost] === "asia" ? "us" : "asia", repository: gcrHost } : repositories[0],
            ][kind];
            repositories.push(bad);
            stack.artifactRegistryRepositories = repositories;
            const at = `${prefix}artifactRegistryRepositories[${repositories.length - 1}]`;
            return [
                { path: at, words: /repeats .* list each repository once/ },
                { path: at, words: /is served from "southamerica-east1-docker\.pkg\.dev", which is not in registries: add/ },
                { path: `${at}.projet`, words: /did you mean project\?/ },
                gcrHost
                    ? {
                          path: `${at}.location`,
                          words: /but the repository behind ".*" is in ".*" \(gcr\.io and us\.gcr\.io: us; eu\.gcr\.io: europe; asia\.gcr\.io: asia\); set that location/,
                      }
                    : { path: at, words: /repeats/ },
            ][kind];
        },
    },
    {
        setting: "gcrBuckets",
        applies: managed,
        apply: (stack) => {
            const buckets = list(stack, "gcrBuckets");
            const kind = buckets.length > 0 ? seed % 2 : 1;
            buckets.push(kind === 0 ? buckets[0] : "acme-images");
            stack.gcrBuckets = buckets;
            const at = `${prefix}gcrBuckets[${buckets.length - 1}]`;
            return kind === 0
                ? { path: at, words: /repeats ".*" \(also gcrBuckets\[0\]\); list each bucket once/ }
                : { path: at, words: /not a Container Registry bucket: its name has the form artifacts\.PROJECT\.appspot\.com/ };
        },
    },
];

describe("validation: problems are neither dropped nor invented", () => {
    it("a valid stack, whatever its settings, has no problem", () => {
        fc.assert(
            fc.property(validStack, (stack) => {
                assert.deepStrictEqual(problemsOf(stack), []);
            }),
            { numRuns: 300 },
        );
    });

    it("any set of independent mistakes is reported exactly: one problem at each, none elsewhere", () => {
        fc.assert(
            fc.property(validStack, fc.nat(), fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 8 }), (valid, seed, picks) => {
                const stack = structuredClone(valid);
                const catalogue = faults(seed);
                const touched = new Set<string>();
                const expected: { path: string; words: RegExp }[] = [];
                for (const pick of picks) {
                    const fault = catalogue[pick % catalogue.length];
                    // One mistake per setting, and a changed credential source changes what applies.
                    if (touched.has(fault.setting) || !fault.applies(stack)) continue;
                    if (fault.setting === "credential source" && touched.size > 0) continue;
                    if (touched.has("credential source")) continue;
                    touched.add(fault.setting);
                    if (fault.setting === "serviceAccount" || fault.setting === "existingServiceAccountEmail" || fault.setting === "jsonKey")
                        touched.add("credential source");
                    expected.push(fault.apply(stack));
                }
                const problems = problemsOf(stack);
                assert.deepStrictEqual(
                    problems.map((p) => p.path).sort(),
                    expected.map((e) => e.path).sort(),
                    `problems:\n${problems.map((p) => `  ${p.path} ${p.message}`).join("\n")}`,
                );
                for (const { path, words } of expected) {
                    const problem = problems.find((p) => p.path === path)!;
                    assert.match(problem.message, words, `${path}: ${problem.message}`);
                }
            }),
            { numRuns: 400 },
        );
    });

    it("a setting that cannot be read hides nothing else, not even settings that share its name's beginning", () => {
        fc.assert(
            fc.property(fc.constantFrom("gke-puller", "[1]", "", "{broken"), fc.constantFrom("abc", "0", ""), (account, wait) => {
                const problems = problemsOf({
                    serviceAccount: account,
                    serviceAccountWaitSeconds: wait,
                    registries: ["asia.gcr.io"],
                    artifactRegistryRepositories: [{ location: "asia", repository: "asia.gcr.io" }],
                    rotationDays: "30",
                    namespaces: ["apps"],
                });
                assert.deepStrictEqual(
                    problems.map((p) => p.path),
                    [`${prefix}serviceAccount`, `${prefix}serviceAccountWaitSeconds`],
                );
                assert.ok(!problems.some((p) => /jsonKey is set/.test(p.message)), "a broken serviceAccount is not reported as if jsonKey were set");
            }),
        );
    });

    it("a setting that cannot be read, or an entry refused for its form, makes up no follow-up problem elsewhere", () => {
        const managedStack = {
            serviceAccount: { accountId: "gke-puller" },
            project: "acme-dev-123456",
            registries: ["asia.gcr.io", "eu.gcr.io"],
            artifactRegistryRepositories: [{ location: "asia", repository: "asia.gcr.io" }],
            gcrBuckets: ["eu.artifacts.acme-dev-123456.appspot.com"],
            namespaces: ["apps"],
        };
        const unreadable: [string, unknown, string][] = [
            // Hosts given as text: which ones were meant is unknown, so no grant is called uncovered.
            ["registries", "asia.gcr.io eu.gcr.io", "registries"],
            // A host in the wrong form still says which host was meant.
            ["registries", ["https://ASIA.gcr.io/", "eu.gcr.io"], "registries[0]"],
            // Grants that cannot be read still ask for access: no "account with no registry access".
            ["artifactRegistryRepositories", "asia/asia.gcr.io", "artifactRegistryRepositories"],
            ["gcrBuckets", "eu.artifacts.acme-dev-123456.appspot.com", "gcrBuckets"],
        ];
        fc.assert(
            fc.property(fc.constantFrom(...unreadable), fc.boolean(), ([setting, value, path], onlyThisGrant) => {
                const stack: Stack = { ...managedStack, [setting]: value };
                if (onlyThisGrant && setting !== "registries") {
                    // The unreadable setting is the only grant asked for.
                    for (const other of ["artifactRegistryRepositories", "gcrBuckets"]) if (other !== setting) delete stack[other];
                }
                assert.deepStrictEqual(
                    problemsOf(stack).map((p) => p.path),
                    [`${prefix}${path}`],
                );
            }),
        );
        assert.deepStrictEqual(
            problemsOf({ ...managedStack, artifactRegistryRepositories: undefined, gcrBuckets: undefined, projectWideRead: "maybe" }).map((p) => p.path),
            [`${prefix}projectWideRead`],
        );
        // Whether kube-system was meant to be allowed is unknown when the switch cannot be read.
        assert.deepStrictEqual(
            problemsOf({ ...managedStack, namespaces: ["kube-system"], allowSystemNamespaces: "yes" }).map((p) => p.path),
            [`${prefix}allowSystemNamespaces`],
        );
    });

    it("misspelt top-level settings are each refused, with the setting meant", () => {
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.tuple(fc.constantFrom(...Object.keys(settings)), fc.nat()), { minLength: 1, maxLength: 4, selector: ([s]) => s }),
                (typos) => {
                    const stack: Stack = { jsonKey: sampleKeyJson, registries: ["gcr.io"], namespaces: ["apps"] };
                    const expected = new Map<string, string>();
                    for (const [setting, seed] of typos) {
                        const typo = typoOf(setting, seed);
                        if (typo in settings || expected.has(typo)) continue;
                        stack[typo] = "x";
                        expected.set(`${prefix}${typo}`, setting);
                    }
                    const problems = problemsOf(stack);
                    assert.deepStrictEqual(problems.map((p) => p.path).sort(), [...expected.keys()].sort());
                    for (const problem of problems) {
                        assert.match(problem.message, /^is not a known setting; did you mean gcr-pull-secrets:\w+\?/);
                    }
                },
            ),
        );
    });
});

describe("validation: the same rules in every object and list", () => {
    const base = { jsonKey: sampleKeyJson, registries: ["asia.gcr.io"], namespaces: ["apps"] };
    const managedBase = {
        serviceAccount: { accountId: "gke-puller" },
        project: "acme-dev-123456",
        registries: ["asia.gcr.io", "eu.gcr.io"],
        artifactRegistryRepositories: [{ location: "asia", repository: "asia.gcr.io" }],
        namespaces: ["apps"],
    };
    const messages = (stack: Stack) => problemsOf(stack).map((p) => `${p.path} ${p.message}`);

    it("refuses unknown fields with the nearest known one, in every object", () => {
        assert.deepStrictEqual(
            messages({
                ...managedBase,
                serviceAccount: { accountID: "gke-puller" },
                artifactRegistryRepositories: [{ location: "asia", repository: "asia.gcr.io", projects: "x" }],
                namespaces: [{ name: "apps", adpot: true }],
            }).map((m) => m.split(" The known")[0]),
            [
                "gcr-pull-secrets:serviceAccount.accountID is not a known field; did you mean accountId?",
                "gcr-pull-secrets:serviceAccount.accountId is missing; set the id of the account to create, for example `pulumi config set --path 'gcr-pull-secrets:serviceAccount.accountId' gke-puller`",
                "gcr-pull-secrets:artifactRegistryRepositories[0].projects is not a known field; did you mean project?",
                "gcr-pull-secrets:namespaces[0].adpot is not a known field; did you mean adopt?",
            ],
        );
    });

    it("refuses repeats in every list", () => {
        const repeated = messages({
            ...managedBase,
            registries: ["asia.gcr.io", "eu.gcr.io", "asia.gcr.io"],
            artifactRegistryRepositories: [
                { location: "asia", repository: "asia.gcr.io" },
                { location: "asia", repository: "asia.gcr.io", project: "acme-dev-123456" },
            ],
            gcrBuckets: ["eu.artifacts.acme-dev-123456.appspot.com", "eu.artifacts.acme-dev-123456.appspot.com"],
            namespaces: ["apps", { name: "apps" }, { name: "ci", serviceAccounts: ["default", "default"] }],
        });
        assert.deepStrictEqual(repeated, [
            'gcr-pull-secrets:registries[2] repeats "asia.gcr.io" (also registries[0]); list each host once',
            // Naming the project that is the default anyway is the same grant.
            'gcr-pull-secrets:artifactRegistryRepositories[1] repeats "asia/asia.gcr.io" (also artifactRegistryRepositories[0]); list each repository once',
            'gcr-pull-secrets:gcrBuckets[1] repeats "eu.artifacts.acme-dev-123456.appspot.com" (also gcrBuckets[0]); list each bucket once',
            'gcr-pull-secrets:namespaces[1].name repeats "apps" (also namespaces[0]); list each namespace once',
            'gcr-pull-secrets:namespaces[2].serviceAccounts[1] repeats "default" (also namespaces[2].serviceAccounts[0]); list each ServiceAccount once',
        ]);
        assert.deepStrictEqual(
            problemsOf({ ...base, serviceAccount: '{"accountId": "a", "accountId": "b"}' })
                .map((p) => p.path)
                .includes(`${prefix}serviceAccount.accountId`),
            true,
        );
    });

    it("checks legacy bucket names and that their host is listed", () => {
        const ok = [
            "artifacts.acme-dev-123456.appspot.com",
            "us.artifacts.acme-dev-123456.appspot.com",
            "eu.artifacts.acme-dev-123456.appspot.com",
            "asia.artifacts.acme-dev-123456.appspot.com",
            "eu.artifacts.my-project.example.com.a.appspot.com",
        ];
        const registries = ["gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"];
        assert.deepStrictEqual(messages({ ...managedBase, registries, gcrBuckets: ok }), []);
        for (const bad of [
            "acme-images",
            "artifacts.Acme.appspot.com",
            "uk.artifacts.acme-dev-123456.appspot.com",
            "artifacts.acme-dev-123456.appspot.com.evil.com",
            "gs://artifacts.acme-dev-123456.appspot.com",
        ]) {
            assert.match(
                messages({ ...managedBase, registries, gcrBuckets: [bad] }).join("\n"),
                /gcrBuckets\[0\] is ".*", not a Container Registry bucket: its name has the form/,
            );
        }
        assert.deepStrictEqual(messages({ ...managedBase, registries: ["asia.gcr.io"], gcrBuckets: ["artifacts.acme-dev-123456.appspot.com"] }), [
            'gcr-pull-secrets:gcrBuckets[0] is the bucket behind "gcr.io", which is not in registries: add "gcr.io" to registries, or remove this entry',
        ]);
    });

    it("requires a gcr.io repository's location to be its host's", () => {
        const pairs = Object.entries(gcrHostLocations);
        for (const [host, location] of pairs) {
            for (const other of ["us", "europe", "asia", "europe-west1"]) {
                const found = messages({ ...managedBase, registries: [host], artifactRegistryRepositories: [{ location: other, repository: host }] });
                assert.deepStrictEqual(found.length === 0, other === location, `${host} in ${other}: ${found.join("\n")}`);
            }
        }
    });

    it("every message says what is allowed or what to do", () => {
        const everythingWrong = {
            serviceAccount: { accountId: "X", displayName: "d".repeat(101), colour: 1 },
            existingServiceAccountEmail: "",
            project: "P",
            registries: ["quay.io", "https://gcr.io/x", "mars-docker.pkg.dev", "quay.io"],
            artifactRegistryRepositories: [{ location: "moon", repository: "Apps" }, "x", { location: "us", repository: "eu.gcr.io" }],
            gcrBuckets: ["b", 3],
            projectWideRead: "maybe",
            rotationDays: "-3",
            rotationTrigger: 5,
            username: "u",
            secretName: "S",
            namespaces: ["kube-system", 12, "", { name: "default", create: true }, { name: "x", serviceAccounts: ["B"] }],
            allowSystemNamespaces: "no",
            serviceAccountWaitSeconds: "9999",
            kubeconfig: "apiVersion: v1",
            kubeContext: "",
            colour: "blue",
        };
        const all = problemsOf(everythingWrong, [`${prefix}jsonKey`, `${prefix}kubeconfig`]);
        assert.ok(all.length >= 25, `only ${all.length} problems`);
        for (const { path, message } of all) {
            assert.match(message, /\b(set|use|remove|list|add|write|keep|shorten|download|pass|correct|rename|quote|choose)\b/i, `${path} ${message}`);
        }
    });

    it("validates 5,000 namespaces in well under a second", () => {
        const namespaces = JSON.stringify(
            Array.from({ length: 5000 }, (_, i) => (i % 2 ? `team-${i}` : { name: `ns-${i}`, create: true, serviceAccounts: ["builder"] })),
        );
        const values = { [`${prefix}registries`]: '["gcr.io"]', [`${prefix}namespaces`]: namespaces, [`${prefix}jsonKey`]: sampleKeyJson };
        const times: number[] = [];
        for (let run = 0; run < 7; run++) {
            const started = process.hrtime.bigint();
            const { problems, plan } = checkStackConfig({ values, secretKeys: new Set([`${prefix}jsonKey`]) });
            times.push(Number(process.hrtime.bigint() - started) / 1e6);
            assert.deepStrictEqual(problems, []);
            assert.strictEqual(plan!.namespaces.length, 5000);
        }
        // ~15 ms on a quiet core; the bound leaves room for a busy shared machine, not for quadratic work.
        assert.ok(times.sort((a, b) => a - b)[3] < 250, `median ${times[3]} ms`);
    });
});
