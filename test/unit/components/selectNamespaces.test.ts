import "../mocks";
import * as assert from "assert";
import fc from "fast-check";
import { describeSelector, LabelSelectorPlan, matchesLabels, SelectorOperator } from "../../../components/labelSelector";
import { checkArgs } from "../../../components/validation/checkArgs";
import { validateArgs } from "../../../components/validatedArgs";
import { systemNamespaces } from "../../../components/contract";
import { NamespacePlan, NamespaceSelectorPlan } from "../../../components/plan";
import { ClusterNamespace, clusterLookups, resolveNamespaces } from "../../../components/selectNamespaces";
import { validCreateStack } from "../fixtures";
import { GcrPullSecretsArgs } from "../../../components/gcrPullSecretsArgs";

/** The problems of these arguments, as `path: message` lines. */
function problemsOf(args: Partial<GcrPullSecretsArgs> & Record<string, unknown>): string[] {
    return checkArgs({ ...validCreateStack, ...args } as GcrPullSecretsArgs).problems.map((p) => `${p.path}: ${p.message}`);
}

function onlyProblemAt(args: Partial<GcrPullSecretsArgs> & Record<string, unknown>, path: string, pattern: RegExp): void {
    const problems = problemsOf(args);
    assert.strictEqual(problems.length, 1, problems.join("\n"));
    assert.ok(problems[0].startsWith(`${path}: `), problems[0]);
    assert.match(problems[0], pattern);
}

describe("namespaceSelector and excludeNamespaces: checked before anything is created", () => {
    it("a selector alone is enough: namespaces may then be left out", () => {
        const plan = validateArgs({
            ...validCreateStack,
            namespaces: undefined,
            namespaceSelector: { matchLabels: { "gcr-pull-secrets.dev/enabled": "true" } },
        }).plan;
        assert.deepStrictEqual(plan.namespaces, []);
        assert.deepStrictEqual(plan.namespaceSelector?.selector, { requirements: [{ key: "gcr-pull-secrets.dev/enabled", operator: "In", values: ["true"] }] });
        assert.deepStrictEqual(plan.namespaceSelector?.serviceAccounts, ["default"]);
    });

    it("neither namespaces nor a selector: the error names both ways out", () => {
        onlyProblemAt({ namespaces: undefined }, "namespaces", /list at least one namespace.*namespaceSelector/);
    });

    it("an unquoted true in matchLabels is refused with the quoted form", () => {
        onlyProblemAt(
            { namespaceSelector: { matchLabels: { enabled: true as unknown as string } } },
            "namespaceSelector.matchLabels.enabled",
            /not text.*pass it as a string/,
        );
    });

    it("operators are the four Kubernetes ones, case-sensitive", () => {
        onlyProblemAt(
            { namespaceSelector: { matchExpressions: [{ key: "team", operator: "in", values: ["a"] }] } },
            "namespaceSelector.matchExpressions[0].operator",
            /"In" \(operators are case-sensitive\)/,
        );
        onlyProblemAt(
            { namespaceSelector: { matchExpressions: [{ key: "team", operator: "Equals", values: ["a"] }] } },
            "namespaceSelector.matchExpressions[0].operator",
            /"In", "NotIn", "Exists", "DoesNotExist"/,
        );
    });

    it("In and NotIn need values; Exists and DoesNotExist take none", () => {
        onlyProblemAt(
            { namespaceSelector: { matchExpressions: [{ key: "team", operator: "NotIn" }] } },
            "namespaceSelector.matchExpressions[0].values",
            /at least one value for operator NotIn/,
        );
        onlyProblemAt(
            { namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists", values: ["a"] }] } },
            "namespaceSelector.matchExpressions[0].values",
            /must be empty for operator Exists/,
        );
    });

    it("label keys and values follow Kubernetes' syntax", () => {
        onlyProblemAt({ namespaceSelector: { matchLabels: { "bad key!": "x" } } }, 'namespaceSelector.matchLabels["bad key!"]', /not a label key/);
        onlyProblemAt({ namespaceSelector: { matchLabels: { team: "-a-" } } }, "namespaceSelector.matchLabels.team", /not a label value/);
        assert.deepStrictEqual(problemsOf({ namespaceSelector: { matchLabels: { "example.com/team": "" } } }), []);
    });

    it("a misspelt field of the selector is refused with the one meant", () => {
        onlyProblemAt({ namespaceSelector: { matchLabel: { team: "a" } } as never }, "namespaceSelector.matchLabel", /did you mean matchLabels\?/);
    });

    it("excludeNamespaces without a selector is refused: it would exclude nothing", () => {
        onlyProblemAt({ excludeNamespaces: ["sandbox"] }, "excludeNamespaces", /applies only to namespaces chosen by namespaceSelector/);
    });

    it("a namespace both listed and excluded is refused", () => {
        onlyProblemAt({ namespaceSelector: {}, excludeNamespaces: ["team-a"] }, "excludeNamespaces[0]", /namespaces also lists/);
    });

    it("allServiceAccounts with a ServiceAccount selector is refused: keep one", () => {
        onlyProblemAt(
            { namespaces: [{ name: "ci", allServiceAccounts: true, serviceAccountSelector: { matchLabels: { a: "b" } } }] },
            "namespaces[0].serviceAccountSelector",
            /together with allServiceAccounts: true/,
        );
    });
});

const labelKey = fc.constantFrom("team", "env", "example.com/tier", "pulls");
const labelValue = fc.constantFrom("a", "b", "c", "");
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 4 });
const requirement = fc
    .record({
        key: labelKey,
        operator: fc.constantFrom<SelectorOperator>("In", "NotIn", "Exists", "DoesNotExist"),
        values: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 3 }),
    })
    .map((r) => (r.operator === "Exists" || r.operator === "DoesNotExist" ? { ...r, values: [] } : r));
const selector: fc.Arbitrary<LabelSelectorPlan> = fc.array(requirement, { maxLength: 4 }).map((requirements) => ({ requirements }));

describe("label selectors match as Kubernetes matches them", () => {
    it("an empty selector matches everything", () => {
        fc.assert(fc.property(labels, (l) => matchesLabels({ requirements: [] }, l)));
    });

    it("a selector is the conjunction of its requirements", () => {
        fc.assert(
            fc.property(
                selector,
                selector,
                labels,
                (a, b, l) => matchesLabels({ requirements: [...a.requirements, ...b.requirements] }, l) === (matchesLabels(a, l) && matchesLabels(b, l)),
            ),
        );
    });

    it("NotIn is the negation of In, DoesNotExist of Exists", () => {
        fc.assert(
            fc.property(labelKey, fc.uniqueArray(labelValue, { minLength: 1 }), labels, (key, values, l) => {
                const match = (operator: SelectorOperator, v: string[]) => matchesLabels({ requirements: [{ key, operator, values: v }] }, l);
                return match("NotIn", values) === !match("In", values) && match("DoesNotExist", []) === !match("Exists", []);
            }),
        );
    });

    it("an object's own labels select it, and a changed value does not", () => {
        fc.assert(
            fc.property(labels, (l) => {
                const own: LabelSelectorPlan = { requirements: Object.entries(l).map(([key, value]) => ({ key, operator: "In" as const, values: [value] })) };
                if (!matchesLabels(own, l)) return false;
                return Object.keys(l).every((key) => !matchesLabels(own, { ...l, [key]: `${l[key]}x` }));
            }),
        );
    });

    it("is written as kubectl -l takes it", () => {
        assert.strictEqual(
            describeSelector({
                requirements: [
                    { key: "team", operator: "In", values: ["a"] },
                    { key: "env", operator: "In", values: ["dev", "prod"] },
                    { key: "tier", operator: "NotIn", values: ["x"] },
                    { key: "pulls", operator: "Exists", values: [] },
                    { key: "legacy", operator: "DoesNotExist", values: [] },
                ],
            }),
            "team=a,env in (dev,prod),tier notin (x),pulls,!legacy",
        );
        assert.strictEqual(describeSelector({ requirements: [] }), "everything");
    });
});

const namespaceName = fc.constantFrom("default", "team-a", "team-b", "ci", "sandbox", "prod", "kube-system", "kube-public", "kube-node-lease", "web");
const accountName = fc.constantFrom("default", "builder", "deployer", "runner");
const clusterAccount = fc.record({ name: accountName, labels });
const clusterNamespace: fc.Arbitrary<ClusterNamespace> = fc.record({
    name: namespaceName,
    labels,
    terminating: fc.boolean(),
    serviceAccounts: fc.uniqueArray(clusterAccount, { selector: (a) => a.name, maxLength: 4 }),
});
const coverage = fc
    .record({
        serviceAccounts: fc.uniqueArray(accountName, { maxLength: 3 }).map((names) => ["default", ...names.filter((n) => n !== "default")]),
        allServiceAccounts: fc.boolean(),
        serviceAccountSelector: fc.option(selector, { nil: undefined }),
    })
    .map((c) =>
        c.allServiceAccounts || c.serviceAccountSelector === undefined ? { serviceAccounts: c.serviceAccounts, allServiceAccounts: c.allServiceAccounts } : c,
    );
const listedNamespace: fc.Arbitrary<NamespacePlan> = fc
    .tuple(namespaceName, fc.boolean(), fc.boolean(), coverage)
    .map(([name, create, adopt, c]) => ({ name, create, adopt, ...c }));
const namespaceSelection: fc.Arbitrary<NamespaceSelectorPlan> = fc
    .tuple(selector, fc.uniqueArray(namespaceName, { maxLength: 3 }), fc.boolean(), fc.boolean(), coverage)
    .map(([s, exclude, includeSystem, adopt, c]) => ({ selector: s, exclude: [...exclude].sort(), includeSystem, adopt, ...c }));
const choice = fc.record({
    namespaces: fc.uniqueArray(listedNamespace, { selector: (n) => n.name, maxLength: 4 }),
    namespaceSelector: fc.option(namespaceSelection, { nil: undefined }),
});
const cluster = fc.uniqueArray(clusterNamespace, { selector: (n) => n.name });

describe("resolving the namespaces against the cluster", () => {
    it("every listed namespace is covered once, with the options of its entry", () => {
        fc.assert(
            fc.property(choice, cluster, (c, found) => {
                const targets = resolveNamespaces(c, found);
                return c.namespaces.every((listed) => {
                    const matching = targets.filter((t) => t.name === listed.name);
                    return matching.length === 1 && !matching[0].selected && matching[0].create === listed.create && matching[0].adopt === listed.adopt;
                });
            }),
        );
    });

    it("the selector adds exactly the matching namespaces that are not excluded, system, being deleted or listed", () => {
        fc.assert(
            fc.property(choice, cluster, (c, found) => {
                const selected = resolveNamespaces(c, found)
                    .filter((t) => t.selected)
                    .map((t) => t.name);
                const s = c.namespaceSelector;
                const expected = s
                    ? found
                          .filter((n) => matchesLabels(s.selector, n.labels))
                          .filter((n) => !n.terminating && !s.exclude.includes(n.name) && !c.namespaces.some((l) => l.name === n.name))
                          .filter((n) => s.includeSystem || !systemNamespaces.includes(n.name))
                          .map((n) => n.name)
                          .sort()
                    : [];
                assert.deepStrictEqual(selected, expected);
            }),
        );
    });

    it("excluded namespaces, and system namespaces unless allowed, are never covered by the selector", () => {
        fc.assert(
            fc.property(choice, cluster, (c, found) =>
                resolveNamespaces(c, found)
                    .filter((t) => t.selected)
                    .every((t) => !c.namespaceSelector!.exclude.includes(t.name) && (c.namespaceSelector!.includeSystem || !systemNamespaces.includes(t.name))),
            ),
        );
    });

    it("targets are sorted and unique; ServiceAccounts start with default and appear once", () => {
        fc.assert(
            fc.property(choice, cluster, (c, found) => {
                const targets = resolveNamespaces(c, found);
                const names = targets.map((t) => t.name);
                assert.deepStrictEqual(names, [...new Set(names)].sort());
                for (const t of targets) {
                    assert.strictEqual(t.serviceAccounts[0], "default");
                    assert.strictEqual(new Set(t.serviceAccounts).size, t.serviceAccounts.length);
                }
            }),
        );
    });

    it("ServiceAccounts: the named ones in their order, then every one found (all) or the matching ones (selector)", () => {
        fc.assert(
            fc.property(choice, cluster, (c, found) => {
                for (const t of resolveNamespaces(c, found)) {
                    const rule = t.selected ? c.namespaceSelector! : c.namespaces.find((l) => l.name === t.name)!;
                    const accounts = found.find((n) => n.name === t.name)?.serviceAccounts ?? [];
                    const chosen = accounts
                        .filter(
                            (a) =>
                                rule.allServiceAccounts || (rule.serviceAccountSelector !== undefined && matchesLabels(rule.serviceAccountSelector, a.labels)),
                        )
                        .map((a) => a.name)
                        .filter((n) => !rule.serviceAccounts.includes(n))
                        .sort();
                    assert.deepStrictEqual(t.serviceAccounts, [...rule.serviceAccounts, ...chosen]);
                    assert.deepStrictEqual(t.foundServiceAccounts, chosen, "only the found ones may be skipped when gone");
                }
            }),
        );
    });

    it("without the cluster, only the listed namespaces and their named ServiceAccounts", () => {
        fc.assert(
            fc.property(choice, (c) => {
                const targets = resolveNamespaces(c);
                assert.deepStrictEqual(
                    targets.map((t) => [t.name, t.serviceAccounts]),
                    [...c.namespaces].sort((a, b) => (a.name < b.name ? -1 : 1)).map((l) => [l.name, l.serviceAccounts]),
                );
            }),
        );
    });

    it("reads the cluster only when a selector needs it, and ServiceAccounts only when one is chosen by rule", () => {
        const listed = (extra: Partial<NamespacePlan> = {}): NamespacePlan => ({
            name: "ci",
            create: false,
            adopt: false,
            serviceAccounts: ["default"],
            allServiceAccounts: false,
            ...extra,
        });
        assert.strictEqual(clusterLookups({ namespaces: [listed()] }), undefined);
        assert.deepStrictEqual(clusterLookups({ namespaces: [listed({ allServiceAccounts: true })] }), { serviceAccounts: true });
        assert.deepStrictEqual(clusterLookups({ namespaces: [listed({ serviceAccountSelector: { requirements: [] } })] }), { serviceAccounts: true });
        const selection: NamespaceSelectorPlan = {
            selector: { requirements: [] },
            exclude: [],
            includeSystem: false,
            adopt: false,
            serviceAccounts: ["default"],
            allServiceAccounts: false,
        };
        assert.deepStrictEqual(clusterLookups({ namespaces: [], namespaceSelector: selection }), { serviceAccounts: false });
        assert.deepStrictEqual(clusterLookups({ namespaces: [], namespaceSelector: { ...selection, allServiceAccounts: true } }), { serviceAccounts: true });
    });
});
