import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { validateStackYaml } from "../../scripts/validateStack";

const root = path.resolve(__dirname, "../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const keylessPage = fs.readFileSync(path.join(root, "docs/keyless.md"), "utf8");
const projectYaml = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");

/** The commands of the README's quickstart, one per line, comments removed. */
function quickstartCommands(): string[] {
    const start = readme.indexOf("## Quickstart on a real cluster");
    assert.ok(start >= 0, 'README.md has a "## Quickstart on a real cluster" section');
    const section = readme.slice(start);
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
    return block
        .split("\n")
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter(Boolean);
}

function shellWords(line: string): string[] {
    return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/**
 * `pulumi config set` as pulumi 3.248 stores values (see test/unit/scripts/stackFileConfig.test.ts for
 * captures): a top-level value is text; with `--path`, "true"/"false" become booleans and decimal
 * integers without a leading zero become numbers, unless `--type string`; a list grows one index at
 * a time ("array index out of range" otherwise).
 */
function configSet(config: Record<string, unknown>, args: string[]): void {
    const flags = args.filter((a) => a.startsWith("--"));
    const [key, value] = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--type");
    assert.ok(!flags.includes("--secret"), "the quickstart sets no secret");
    if (!flags.includes("--path")) {
        config[key] = value;
        return;
    }
    const [, namespace, first, rest] = /^([^:]+):([^.[]+)(.*)$/.exec(key)!;
    const steps: (string | number)[] = [first, ...[...rest.matchAll(/\.([^.[]+)|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])))];
    const typed = flags.includes("--type")
        ? value
        : value === "true"
          ? true
          : value === "false"
            ? false
            : /^(0|[1-9][0-9]*)$/.test(value)
              ? Number(value)
              : value;
    let container: Record<string | number, unknown> = config;
    const fullSteps: (string | number)[] = [`${namespace}:${first}`, ...steps.slice(1)];
    fullSteps.forEach((step, i) => {
        const last = i === fullSteps.length - 1;
        if (Array.isArray(container)) assert.ok(typeof step === "number" && step <= container.length, `${key}: array index out of range`);
        if (last) {
            // Top-level entries are always text, even with --path.
            container[step] = fullSteps.length === 1 ? value : typed;
        } else {
            container[step] ??= typeof fullSteps[i + 1] === "number" ? [] : {};
            container = container[step] as Record<string | number, unknown>;
        }
    });
}

describe("README quickstart", () => {
    const commands = quickstartCommands();
    const stack = shellWords(commands.find((c) => c.startsWith("pulumi stack init"))!)[3];

    it("creates a stack that has no committed stack file, so nothing is inherited", () => {
        assert.ok(stack, "the quickstart runs `pulumi stack init <name>`");
        assert.ok(
            !fs.existsSync(path.join(root, `Pulumi.${stack}.yaml`)),
            `Pulumi.${stack}.yaml is committed: \`pulumi stack init ${stack}\` would start from it`,
        );
        assert.ok(commands.includes(`npm run validate-config -- ${stack}`), "the quickstart validates the stack it created");
    });

    it("sets exactly the stack the README describes, and it passes the checks `pulumi up` makes", () => {
        const config: Record<string, unknown> = {};
        for (const command of commands.filter((c) => c.startsWith("pulumi config set"))) {
            configSet(config, shellWords(command).slice(3));
        }
        const result = validateStackYaml(yaml.dump({ config }), { stack, projectYaml });
        assert.deepStrictEqual(result.problems, []);
        const plan = result.plan!;
        assert.strictEqual(plan.credentials.kind, "createServiceAccount");
        assert.deepStrictEqual(plan.registryHosts, ["asia.gcr.io"]);
        assert.deepStrictEqual(plan.repositoryGrants, [{ location: "asia", repository: "asia.gcr.io" }]);
        assert.deepStrictEqual(
            plan.namespaces.map((n) => [n.name, n.create]),
            [
                ["default", false],
                ["team-a", true],
            ],
        );
    });
});

describe("docs/keyless.md one-time setup", () => {
    it("its config commands make a valid keyless stack: a pool trusting the issuer, keys inlined, reads on the repository", () => {
        const start = keylessPage.indexOf("## One-time setup");
        assert.ok(start >= 0, 'docs/keyless.md has a "## One-time setup" section');
        const section = keylessPage.slice(start);
        const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
        const jwks = JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", kid: "k", x: "AAAA", y: "BBBB" }] });
        const config: Record<string, unknown> = {};
        const commands = block
            .split("\n")
            .map((line) => line.replace(/\s+#.*$/, "").trim())
            .filter((line) => line.startsWith("pulumi config set"));
        assert.ok(commands.length >= 6, "the setup sets the issuer, its keys, a registry, a repository and a namespace");
        for (const command of commands) {
            // What the shell would pass: the API server's JWKS as one word.
            configSet(config, shellWords(command.replace('"$(kubectl get --raw /openid/v1/jwks)"', `'${jwks}'`)).slice(3));
        }
        const result = validateStackYaml(yaml.dump({ config }), { stack: "keyless-readme", projectYaml });
        assert.deepStrictEqual(result.problems, []);
        const credentials = result.plan!.credentials;
        assert.ok(credentials.kind === "keyless" && credentials.keyless.federation.kind === "createPool");
        assert.strictEqual(credentials.keyless.federation.jwks, jwks);
        assert.match(credentials.keyless.federation.issuerUri, /^https:\/\/container\.googleapis\.com\/v1\/projects\//);
        assert.deepStrictEqual(result.plan!.repositoryGrants, [{ location: "europe-west1", repository: "apps" }]);
    });
});
