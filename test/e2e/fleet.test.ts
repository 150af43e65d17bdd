/**
 * Several clusters from one stack (`clusters`), on three real control planes: the suite's own
 * (KUBECONFIG) and two more started here, in parallel. Each cluster is given by its kubeconfig,
 * encrypted in the stack file (`pulumi config set --secret --path`).
 */
import * as assert from "assert";
import { stackIdentityName } from "../../components/stackIdentity";
import * as fs from "fs";
import * as yaml from "js-yaml";
import { PreviewResult } from "@pulumi/pulumi/automation";
import { ControlPlane, startControlPlane } from "../../dev/cluster/controlPlane";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import * as path from "path";
import {
    appendPullSecret,
    changes,
    createNamespace,
    createTestStack,
    findKeyMaterial,
    keepForDebugging,
    kube,
    projectAtCommit,
    pullSecretNames,
    TestStack,
    uniqueNamespace,
} from "./harness";

/** A cluster of the stack as a test sets it: its name, its kubeconfig's text, and settings of its own. */
interface FleetCluster {
    name: string;
    kubeconfig: string;
    settings?: Record<string, unknown>;
}

/**
 * The resources a preview or update creates or deletes, each once, as `op type name` (the
 * changeSummary has only counts), without the stack and the component themselves.
 */
function steps(output: string): string[] {
    const found = [...output.matchAll(/(\S+:\S+:\S+)\s+(\S+)\s+(create|delete)\s*$/gm)]
        .filter((m) => m[1] !== "pulumi:pulumi:Stack" && m[1] !== "gcr-pull-secrets:index:GcrPullSecrets")
        .map((m) => `${m[3]} ${m[1]} ${m[2]}`);
    return [...new Set(found)].sort();
}

const pullSecret = "gcr-pull-secrets:index:PullSecret";
const provider = "pulumi:providers:gcr-pull-secrets";

async function secretIn(kubeconfigPath: string, namespace: string): Promise<boolean> {
    return kube(kubeconfigPath)
        .core.readNamespacedSecret({ name: "regcred", namespace })
        .then(
            () => true,
            (e: { code?: number }) => (e.code === 404 ? false : Promise.reject(e)),
        );
}

describe("end to end: several clusters from one stack", function () {
    let planes: ControlPlane[] = [];
    const paths: Record<string, string> = {};
    let t: TestStack & { dispose(options?: { destroy?: boolean }): Promise<void> };
    const shared = uniqueNamespace("fleet");
    const later = uniqueNamespace("later");
    const onlyThree = uniqueNamespace("only3");
    const keyJson = makeThrowawayKey("fleet");

    /** Replaces the stack's settings and clusters; each kubeconfig is stored encrypted, as a user would. */
    async function setFleet(clusters: FleetCluster[], settings: Record<string, unknown> = {}): Promise<void> {
        t.setSettings({
            registries: ["asia.gcr.io"],
            namespaces: [shared],
            ...settings,
            clusters: clusters.map((cluster) => ({ name: cluster.name, ...cluster.settings })),
        });
        for (const [index, cluster] of clusters.entries()) {
            await t.stack.setConfig(`gcr-pull-secrets:clusters[${index}].kubeconfig`, { value: cluster.kubeconfig, secret: true }, true);
        }
    }
    const cluster = (name: string, settings?: Record<string, unknown>): FleetCluster => ({ name, kubeconfig: fs.readFileSync(paths[name], "utf8"), settings });
    const three = () => cluster("three", { namespaces: [shared, { name: onlyThree, create: true }] });

    before(async function () {
        this.timeout(240_000);
        // Each control plane costs CPU: the two more start together.
        planes = await Promise.all([startControlPlane(), startControlPlane()]);
        paths.one = process.env.KUBECONFIG!;
        paths.two = planes[0].kubeconfigPath;
        paths.three = planes[1].kubeconfigPath;
        for (const name of ["one", "two", "three"]) {
            await createNamespace(shared, paths[name]);
            await appendPullSecret(shared, "someone-elses", "default", paths[name]);
        }
        t = await createTestStack();
        await t.setJsonKey(keyJson);
    });

    after(async function () {
        this.timeout(240_000);
        try {
            // Destroy reaches every cluster the state names: put back the ones that were left out.
            if (t) await setFleet([cluster("one"), cluster("two"), three()]).catch(() => undefined);
            await t?.dispose();
        } finally {
            await Promise.all(planes.map((plane) => plane.stop()));
        }
    });

    it("up across two clusters: each gets its Secret and entry, through its own kubeconfig; outputs keyed by cluster", async function () {
        this.timeout(300_000);
        await setFleet([cluster("one"), cluster("two")]);
        const preview = await t.stack.preview({ ...t.io });
        assert.deepStrictEqual(
            steps(preview.stdout),
            [
                `create ${pullSecret} gcr-pull-secrets-${shared}.one`,
                `create ${pullSecret} gcr-pull-secrets-${shared}.two`,
                `create ${provider} gcr-pull-secrets.one`,
                `create ${provider} gcr-pull-secrets.two`,
                // The stack's identity and its provider (docs/ownership.md): one per stack, not per cluster.
                `create gcr-pull-secrets:index:StackIdentity ${stackIdentityName}`,
                `create ${provider} ${stackIdentityName}`,
            ].sort(),
        );
        const up = await t.stack.up({ ...t.io });
        assert.strictEqual(up.summary.result, "succeeded");
        assert.deepStrictEqual(up.outputs.secretNames.value, { one: { [shared]: "regcred" }, two: { [shared]: "regcred" } });
        for (const name of ["one", "two"]) {
            assert.ok(await secretIn(paths[name], shared), `a Secret in cluster ${name}`);
            assert.deepStrictEqual(await pullSecretNames(shared, "default", paths[name]), ["someone-elses", "regcred"], `cluster ${name}`);
        }
        assert.strictEqual(await secretIn(paths.three, shared), false, "cluster three is not in the stack yet");
        assert.deepStrictEqual(changes((await t.stack.preview({ ...t.io })).changeSummary), {}, "a second preview changes nothing");
    });

    it("adding a cluster previews as exactly its resources (its own namespaces too), and up covers it", async function () {
        this.timeout(300_000);
        await setFleet([cluster("one"), cluster("two"), three()]);
        const preview: PreviewResult = await t.stack.preview({ ...t.io });
        assert.deepStrictEqual(changes(preview.changeSummary), { create: 5 });
        assert.deepStrictEqual(
            steps(preview.stdout),
            [
                `create ${pullSecret} gcr-pull-secrets-${onlyThree}.three`,
                `create ${pullSecret} gcr-pull-secrets-${shared}.three`,
                `create kubernetes:core/v1:Namespace gcr-pull-secrets-${onlyThree}.three`,
                `create ${provider} gcr-pull-secrets.three`,
                "create pulumi:providers:kubernetes gcr-pull-secrets.three", // for the Namespace
            ].sort(),
        );
        const up = await t.stack.up({ ...t.io });
        assert.deepStrictEqual(changes(up.summary.resourceChanges), { create: 5 });
        assert.deepStrictEqual(up.outputs.secretNames.value.three, { [shared]: "regcred", [onlyThree]: "regcred" });
        assert.deepStrictEqual(await pullSecretNames(shared, "default", paths.three), ["someone-elses", "regcred"]);
        assert.deepStrictEqual(await pullSecretNames(onlyThree, "default", paths.three), ["regcred"]);
        for (const name of ["one", "two"]) {
            await assert.rejects(
                kube(paths[name]).core.readNamespace({ name: onlyThree }),
                (e: { code?: number }) => e.code === 404,
                `no ${onlyThree} in ${name}`,
            );
        }
    });

    it("removing a cluster previews as exactly its resources, and up removes only ours there", async function () {
        this.timeout(300_000);
        await setFleet([cluster("one"), three()]);
        const preview = await t.stack.preview({ ...t.io });
        assert.deepStrictEqual(changes(preview.changeSummary), { delete: 2 });
        assert.deepStrictEqual(steps(preview.stdout), [`delete ${pullSecret} gcr-pull-secrets-${shared}.two`, `delete ${provider} gcr-pull-secrets.two`]);
        const up = await t.stack.up({ ...t.io });
        assert.deepStrictEqual(changes(up.summary.resourceChanges), { delete: 2 });
        assert.strictEqual(await secretIn(paths.two, shared), false);
        assert.deepStrictEqual(await pullSecretNames(shared, "default", paths.two), ["someone-elses"], "the other party's entry stays");
        for (const name of ["one", "three"]) assert.deepStrictEqual(await pullSecretNames(shared, "default", paths[name]), ["someone-elses", "regcred"]);
        assert.deepStrictEqual(Object.keys(up.outputs.secretNames.value).sort(), ["one", "three"]);
    });

    it("an unreachable cluster fails the update naming it; with --continue-on-error the others still apply", async function () {
        this.timeout(600_000);
        for (const name of ["one", "three"]) await createNamespace(later, paths[name]);
        // A cluster whose API server's name no longer resolves (.invalid never does).
        const gone: FleetCluster = {
            name: "gone",
            kubeconfig: fs.readFileSync(paths.two, "utf8").replace(/("?server"?:\s*"?)https:\/\/[^"\s]+/, "$1https://gone-cluster.invalid:6443"),
        };
        const fleet = [cluster("one"), { ...three(), settings: { namespaces: [shared, later, { name: onlyThree, create: true }] } }, gone];
        await setFleet(fleet, { namespaces: [shared, later] });

        // As pulumi-kubernetes does with a cluster it cannot reach, the preview warns, naming it, and goes on.
        const preview = await t.runCli(["preview"]);
        assert.strictEqual(preview.code, 0, preview.output);
        assert.match(
            preview.output,
            new RegExp(
                `warning: gcr-pull-secrets-${shared}\\.gone: reading namespace ${shared} failed: fetch failed \\(ENOTFOUND: the API server's host name does not resolve; [^)]*\\): the cluster did not answer`,
            ),
            preview.output,
        );

        // The update fails on that cluster's resources, naming them; --continue-on-error applies every other cluster.
        const rest = await t.runCli(["up", "--yes", "--skip-preview", "--continue-on-error"]);
        assert.notStrictEqual(rest.code, 0, "the unreachable cluster still fails the update");
        assert.match(rest.output, new RegExp(`PullSecret \\(gcr-pull-secrets-${later}\\.gone\\):\\s+error: `), rest.output);
        for (const name of ["one", "three"]) {
            assert.deepStrictEqual(await pullSecretNames(later, "default", paths[name]), ["regcred"], `cluster ${name} got the new namespace`);
        }
        const up = await t.runCli(["up", "--yes", "--skip-preview"]);
        assert.notStrictEqual(up.code, 0, up.output);
        assert.match(up.output, /PullSecret \(gcr-pull-secrets-\S+\.gone\):\s+error: /, up.output);
        keepForDebugging("fleet-unreachable.txt", [preview.output, rest.output, up.output].join("\n----\n"));
        assert.strictEqual(
            findKeyMaterial(`${preview.output}${rest.output}${up.output}${t.exportState()}`, keyJson),
            undefined,
            "no key material in output or state",
        );
        assert.ok(
            !`${preview.output}${up.output}${rest.output}`.includes("BEGIN CERTIFICATE") && !t.exportState().includes("client-key-data"),
            "no kubeconfig in output or state",
        );

        // Without the unreachable cluster the stack converges, and the next preview is empty.
        await setFleet(fleet.slice(0, 2), { namespaces: [shared, later] });
        const back = await t.stack.up({ ...t.io });
        assert.strictEqual(back.summary.result, "succeeded");
        assert.deepStrictEqual(changes((await t.stack.preview({ ...t.io })).changeSummary), {});
    });

    it("clusters given by context of the ambient kubeconfig: each goes to its own cluster", async function () {
        this.timeout(300_000);
        // One kubeconfig with a context for each of two clusters, as KUBECONFIG of the CLI.
        type Kubeconfig = { clusters: { name: string }[]; users: { name: string }[]; contexts: { name: string; context: { cluster: string; user: string } }[] };
        const merged = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [] as unknown[],
            users: [] as unknown[],
            contexts: [] as unknown[],
            "current-context": "ctx-one",
        };
        for (const name of ["one", "three"]) {
            const kubeconfig = yaml.load(fs.readFileSync(paths[name], "utf8")) as Kubeconfig;
            merged.clusters.push({ ...kubeconfig.clusters[0], name: `cluster-${name}` });
            merged.users.push({ ...kubeconfig.users[0], name: `user-${name}` });
            merged.contexts.push({ name: `ctx-${name}`, context: { cluster: `cluster-${name}`, user: `user-${name}` } });
        }
        const mergedPath = keepForDebugging("fleet-contexts.kubeconfig", JSON.stringify(merged));
        const byContext = await createTestStack({ env: { KUBECONFIG: mergedPath } });
        const ns = uniqueNamespace("by-context");
        for (const name of ["one", "three"]) await createNamespace(ns, paths[name]);
        try {
            byContext.setSettings({
                registries: ["asia.gcr.io"],
                namespaces: [ns],
                clusters: [
                    { name: "one", kubeContext: "ctx-one" },
                    { name: "three", kubeContext: "ctx-three" },
                ],
            });
            await byContext.setJsonKey(keyJson);
            const up = await byContext.stack.up({ ...byContext.io });
            assert.deepStrictEqual(up.outputs.secretNames.value, { one: { [ns]: "regcred" }, three: { [ns]: "regcred" } });
            for (const name of ["one", "three"]) assert.deepStrictEqual(await pullSecretNames(ns, "default", paths[name]), ["regcred"], `cluster ${name}`);
        } finally {
            await byContext.dispose();
        }
        for (const name of ["one", "three"]) assert.deepStrictEqual(await pullSecretNames(ns, "default", paths[name]), [], `destroy cleaned cluster ${name}`);
    });
});

/** The program just before `clusters` existed: what one-cluster stacks were deployed with. */
const beforeFleets = "d499487f28118e1cb6a3d29c484d057d4822e4e0";

describe("end to end: a one-cluster stack, after clusters came", function () {
    it("keeps every URN: one pulumi up adds only the stack identity, then previews empty", async function () {
        this.timeout(600_000);
        const listed = uniqueNamespace("one-listed");
        const created = uniqueNamespace("one-created");
        await createNamespace(listed);
        const oldDir = projectAtCommit(beforeFleets, ["provider"]);
        const old = await createTestStack({ workDir: oldDir });
        let current: Awaited<ReturnType<typeof createTestStack>> | undefined;
        try {
            old.setSettings({ registries: ["asia.gcr.io"], namespaces: [listed, { name: created, create: true }] });
            await old.setJsonKey(makeThrowawayKey("before-fleets"));
            assert.strictEqual((await old.stack.up({ ...old.io })).summary.result, "succeeded");
            const urns = (state: string) => (JSON.parse(state).deployment.resources as { urn: string }[]).map((r) => r.urn).sort();
            const before = urns(old.exportState());

            const stackFile = `Pulumi.${old.name}.yaml`;
            current = await createTestStack({ name: old.name, select: true });
            fs.copyFileSync(path.join(oldDir, stackFile), path.join(current.stack.workspace.workDir, stackFile));
            // Nothing of clusters shows; what does is the stack identity (issue 17) this version adds: it
            // and its provider are made, and each PullSecret writes it on its Secret, in place.
            const expected = { create: 2, update: 2 };
            assert.deepStrictEqual(
                changes((await current.stack.preview({ ...current.io })).changeSummary),
                expected,
                "the upgrade previews only the stack identity",
            );
            const up = await current.stack.up({ ...current.io });
            assert.deepStrictEqual(changes(up.summary.resourceChanges), expected);
            const after = urns(current.exportState());
            assert.deepStrictEqual(
                after.filter((urn) => !urn.endsWith(`::${stackIdentityName}`)),
                before,
                "every URN as it was, next to the stack identity's two",
            );
            assert.deepStrictEqual(changes((await current.stack.preview({ ...current.io })).changeSummary), {}, "then an empty preview");
            assert.deepStrictEqual(up.outputs.secretNames.value, { [listed]: "regcred", [created]: "regcred" }, "secretNames keyed by namespace, as before");
        } finally {
            await (current ?? old).dispose();
        }
    });
});
