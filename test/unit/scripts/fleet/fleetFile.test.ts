import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkFleet, defaultParallel, parseFleet, selectClusters, stackNameProblem } from "../../../../scripts/fleet/fleetFile";
import { validateStackYaml } from "../../../../scripts/validateStack";

const repoRoot = path.resolve(__dirname, "../../../..");
const paths = (doc: unknown) => checkFleet(doc).problems.map((p) => p.path);

describe("fleet file", () => {
    it("a cluster with no fields gets a stack and a GitHub environment named after it, and the defaults", () => {
        const { fleet, problems } = parseFleet("clusters:\n  europe-west1:\n");
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(fleet, {
            parallel: defaultParallel,
            project: ".",
            clusters: [{ name: "europe-west1", stack: "europe-west1", environment: "europe-west1" }],
        });
        assert.ok(Object.isFrozen(fleet) && Object.isFrozen(fleet!.clusters[0]));
    });

    it("keeps every field given, in the file's order", () => {
        const { fleet } = parseFleet(
            [
                "parallel: 8",
                "project: ..",
                "clusters:",
                "  b:",
                "    stack: acme/prod-b",
                "    stackFile: stacks/b.yaml",
                "    environment: prod",
                "    gke: { cluster: prod-b, location: us-east1, project: acme-prod }",
                "    kubeconfig: ~/.kube/b.yaml",
                "  a: { stack: prod-a }",
            ].join("\n"),
        );
        assert.strictEqual(fleet!.parallel, 8);
        assert.strictEqual(fleet!.project, "..");
        assert.deepStrictEqual(
            fleet!.clusters.map((c) => c.name),
            ["b", "a"],
        );
        assert.deepStrictEqual(fleet!.clusters[0], {
            name: "b",
            stack: "acme/prod-b",
            stackFile: "stacks/b.yaml",
            environment: "prod",
            gke: { cluster: "prod-b", location: "us-east1", project: "acme-prod" },
            kubeconfig: "~/.kube/b.yaml",
        });
        assert.strictEqual(fleet!.clusters[1].environment, "prod-a", "the environment defaults to the stack's own name");
    });

    it("refuses unknown fields at every level, with the closest known one", () => {
        const problems = checkFleet({ paralell: 2, clusters: { a: { stak: "x", gke: { cluster: "c", location: "l", projet: "p" } } } }).problems;
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["paralell", "clusters.a.stak", "clusters.a.gke.projet"],
        );
        assert.match(problems[0].message, /did you mean parallel\?/);
        assert.match(problems[1].message, /did you mean stack\?/);
        assert.match(problems[2].message, /did you mean project\?/);
        const far = checkFleet({ clusters: { a: { zzzzzzzz: 1 } } }).problems[0];
        assert.doesNotMatch(far.message, /did you mean/);
        assert.match(far.message, /known: stack, stackFile, environment, gke, kubeconfig/);
    });

    it("refuses two clusters in one stack, naming both, whatever the case", () => {
        const problems = checkFleet({ clusters: { eu: { stack: "prod" }, us: { stack: "Prod" } } }).problems;
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["clusters.us.stack"],
        );
        assert.match(problems[0].message, /is also the stack of clusters\.eu; each cluster needs a stack of its own/);
        assert.deepStrictEqual(paths({ clusters: { prod: null, other: { stack: "prod" } } }), ["clusters.other.stack"]);
    });

    it("a key given twice is a YAML error with its position, never a snippet of the file", () => {
        const { fleet, problems } = parseFleet("clusters:\n  eu: {stack: a}\n  eu: {stack: b}\n", "fleet.yaml");
        assert.strictEqual(fleet, undefined);
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0].message, /^is not valid YAML \(line 3, column \d+\): a key is given twice; keep one$/);
    });

    it("refuses stack names Pulumi refuses, with the rule", () => {
        assert.strictEqual(stackNameProblem("prod-eu_1.a"), undefined);
        assert.strictEqual(stackNameProblem("acme/gcr-pull-secrets/prod"), undefined);
        assert.match(stackNameProblem("prod eu")!, /letters, digits, -, _ and \. only/);
        assert.match(stackNameProblem("a/b/c/d")!, /more than three parts/);
        assert.match(stackNameProblem("acme//prod")!, /empty part/);
        assert.match(stackNameProblem("x".repeat(101))!, /longer than 100/);
        assert.deepStrictEqual(paths({ clusters: { eu: { stack: "prod:eu" } } }), ["clusters.eu.stack"]);
    });

    it("refuses cluster names that would need quoting in a job, artifact or file name, once", () => {
        const problems = checkFleet({ clusters: { "eu west": null, "-x": null, "a/b": null } }).problems;
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["clusters.eu west", "clusters.-x", "clusters.a/b"],
        );
        assert.match(problems[0].message, /letters, digits, -, _ and \./);
    });

    it("a cluster named with 63 characters (the most) is also a valid stack name", () => {
        assert.deepStrictEqual(checkFleet({ clusters: { ["x".repeat(63)]: null } }).problems, []);
        assert.deepStrictEqual(paths({ clusters: { ["x".repeat(64)]: null } }), [`clusters.${"x".repeat(64)}`]);
    });

    it("refuses a kubeconfig's content where its path belongs, without repeating it", () => {
        const content = "apiVersion: v1\nusers:\n- name: admin\n  user:\n    token: sup3r-s3cret-t0ken\n";
        for (const kubeconfig of [content, "token: sup3r-s3cret-t0ken", "client-key-data: c3VwM3Itc2VjcmV0"]) {
            const problems = checkFleet({ clusters: { eu: { kubeconfig } } }).problems;
            assert.deepStrictEqual(
                problems.map((p) => p.path),
                ["clusters.eu.kubeconfig"],
            );
            assert.match(problems[0].message, /looks like a kubeconfig's content \(not shown\).*pulumi config set --secret gcr-pull-secrets:kubeconfig/);
            assert.ok(!JSON.stringify(problems).includes("sup3r") && !JSON.stringify(problems).includes("c3VwM3I"), "the value is never quoted");
        }
    });

    it("no message quotes a value, whatever is wrong with it", () => {
        const secretish = "s3cr3t-VALUE-9f8e7d";
        const doc = {
            parallel: secretish,
            project: `${secretish}\nmore`,
            clusters: { eu: { stack: `${secretish}!`, stackFile: secretish, environment: `${secretish}\n`, gke: { cluster: `${secretish}\n`, location: 5 } } },
        };
        const problems = checkFleet(doc).problems;
        assert.ok(problems.length >= 6, JSON.stringify(problems.map((p) => p.path)));
        assert.ok(!JSON.stringify(problems).includes(secretish));
    });

    it("parallel is a whole number from 1 to 256; clusters is a non-empty mapping", () => {
        for (const parallel of [0, 257, 1.5, "4"]) assert.deepStrictEqual(paths({ parallel, clusters: { a: null } }), ["parallel"], String(parallel));
        for (const clusters of [undefined, {}, ["a"], "a"]) assert.deepStrictEqual(paths({ clusters }), ["clusters"], JSON.stringify(clusters));
        assert.match(checkFleet({}).problems[0].message, /for example clusters: \{europe-west1: \{stack: prod-europe-west1\}\}/);
        assert.deepStrictEqual(paths("clusters"), ["(the file)"]);
        assert.deepStrictEqual(paths({ clusters: { a: ["x"] } }), ["clusters.a"]);
    });

    it("gke needs a cluster and a location", () => {
        assert.deepStrictEqual(paths({ clusters: { a: { gke: { project: "p" } } } }), ["clusters.a.gke.cluster", "clusters.a.gke.location"]);
        assert.deepStrictEqual(paths({ clusters: { a: { gke: "prod" } } }), ["clusters.a.gke"]);
        assert.deepStrictEqual(paths({ clusters: { a: { stackFile: "stacks/a.json" } } }), ["clusters.a.stackFile"]);
    });

    it("--only picks clusters by name and names the unknown ones with the closest", () => {
        const fleet = parseFleet("clusters:\n  europe-west1:\n  us-east1:\n  asia-east1:\n").fleet!;
        assert.deepStrictEqual(
            selectClusters(fleet, "us-east1, europe-west1").clusters.map((c) => c.name),
            ["europe-west1", "us-east1"],
        );
        assert.strictEqual(selectClusters(fleet, undefined).clusters.length, 3);
        const wrong = selectClusters(fleet, "us-east2");
        assert.deepStrictEqual(
            wrong.problems.map((p) => p.path),
            ["--only us-east2"],
        );
        assert.match(wrong.problems[0].message, /did you mean us-east1\?/);
        assert.deepStrictEqual(
            selectClusters(fleet, ",").problems.map((p) => p.path),
            ["--only"],
        );
    });

    it("the example fleet is valid, and every stack file it names passes the offline check", () => {
        const file = path.join(repoRoot, "examples/fleet/fleet.yaml");
        const { fleet, problems } = parseFleet(fs.readFileSync(file, "utf8"));
        assert.deepStrictEqual(problems, []);
        const projectDir = path.resolve(path.dirname(file), fleet!.project);
        const projectYaml = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
        for (const cluster of fleet!.clusters) {
            const stackFile = path.join(projectDir, cluster.stackFile ?? `Pulumi.${cluster.stack}.yaml`);
            assert.deepStrictEqual(validateStackYaml(fs.readFileSync(stackFile, "utf8"), { stack: cluster.stack, projectYaml }).problems, [], cluster.name);
        }
    });
});
