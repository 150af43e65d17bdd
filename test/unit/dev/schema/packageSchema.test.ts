import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { functions, types } from "../../../../components/contract";
import { schemaText } from "../../../../dev/schema/packageSchema";

type Json = Record<string, any>;

const repoRoot = path.resolve(__dirname, "../../../..");
const version: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
const committed = fs.readFileSync(path.join(repoRoot, "provider/schema.json"), "utf8");
const schema: Json = JSON.parse(committed);

/** Every property spec in the schema, with where it is. */
function allProperties(): { where: string; spec: Json }[] {
    const found: { where: string; spec: Json }[] = [];
    const add = (where: string, properties: Json | undefined) => {
        for (const [name, spec] of Object.entries(properties ?? {})) found.push({ where: `${where}.${name}`, spec });
    };
    add("config", schema.config.variables);
    add("provider", schema.provider.inputProperties);
    for (const [token, resource] of Object.entries<Json>(schema.resources)) {
        add(`${token} input`, resource.inputProperties);
        add(`${token} output`, resource.properties);
    }
    for (const [token, type] of Object.entries<Json>(schema.types)) add(token, type.properties);
    return found;
}

describe("the package schema (provider/schema.json)", () => {
    it("is what the TypeScript declarations give today (else: npm run generate:schema)", function () {
        this.timeout(60_000);
        assert.ok(committed === schemaText(version), "provider/schema.json is stale: run `npm run generate:schema` and commit it");
    });

    it("publishes the component with every argument but the TypeScript-only one, and its outputs (clusterSecretNames optional)", () => {
        const component = schema.resources[types.component];
        assert.strictEqual(component.isComponent, true);
        const args = Object.keys(component.inputProperties);
        for (const arg of [
            "jsonKey",
            "serviceAccount",
            "keyless",
            "registries",
            "namespaces",
            "namespaceSelector",
            "excludeNamespaces",
            "kubeconfig",
            "kubeContext",
            "clusters",
        ]) {
            assert.ok(args.includes(arg), `${arg} is published`);
        }
        assert.ok(!args.includes("upgradeFrom01"), "upgradeFrom01 only concerns this repository's stack");
        assert.deepStrictEqual(component.requiredInputs, ["registries"]);
        assert.deepStrictEqual(Object.keys(component.properties).sort(), [
            "clusterSecretNames",
            "keyId",
            "pullAccess",
            "registryHosts",
            "secretNames",
            "serviceAccountEmail",
        ]);
        assert.deepStrictEqual(
            [...(component.required ?? [])].sort(),
            ["keyId", "pullAccess", "registryHosts", "secretNames", "serviceAccountEmail"],
            "clusterSecretNames only with clusters",
        );
        assert.deepStrictEqual(component.properties.secretNames.additionalProperties, { type: "string" });
    });

    it("has no unions: namespaces is a list of objects with a required name", () => {
        const namespaces = schema.resources[types.component].inputProperties.namespaces;
        assert.strictEqual(namespaces.type, "array");
        const token = namespaces.items.$ref.replace("#/types/", "");
        assert.deepStrictEqual(schema.types[token].required, ["name"]);
        for (const { where, spec } of allProperties()) {
            assert.ok(spec.type !== undefined || spec.$ref !== undefined, `${where} has one type`);
            assert.ok(spec.oneOf === undefined, `${where} is no union`);
        }
    });

    it("documents every property and type, and every reference resolves", () => {
        for (const { where, spec } of allProperties()) {
            assert.ok(typeof spec.description === "string" && spec.description.length > 0, `${where} has a description`);
            const ref: string | undefined = spec.$ref ?? spec.items?.$ref ?? spec.additionalProperties?.$ref;
            if (ref?.startsWith("#/types/")) assert.ok(schema.types[ref.slice("#/types/".length)], `${where}: ${ref} exists`);
        }
        for (const [token, type] of Object.entries<Json>(schema.types)) assert.ok(type.description, `${token} has a description`);
        assert.ok(schema.functions[functions.listNamespaces].description);
    });

    it("marks the keys and the kubeconfig secret, and nothing else (the docker config's digest is a fingerprint)", () => {
        const secret = allProperties()
            .filter(({ spec }) => spec.secret === true)
            .map(({ where }) => where);
        assert.deepStrictEqual(secret.sort(), [
            "config.jsonKey",
            "config.kubeconfig",
            "config.privateKey",
            "gcr-pull-secrets:index:Cluster.kubeconfig",
            `${types.component} input.jsonKey`,
            `${types.component} input.kubeconfig`,
            "provider.jsonKey",
            "provider.kubeconfig",
            "provider.privateKey",
        ]);
    });

    it("names the package and its version as the plugin reports them", () => {
        assert.strictEqual(schema.name, "gcr-pull-secrets");
        assert.strictEqual(schema.version, version);
        assert.strictEqual(schema.types["gcr-pull-secrets:index:UsernameMode"].enum.length, 2);
    });

    it("sends `pulumi plugin install` to the GitHub releases of the repository it names", () => {
        assert.strictEqual(schema.pluginDownloadURL, "github://api.github.com/gcr-pull-secrets/gcr-pull-secrets");
        assert.strictEqual(schema.repository, "https://github.com/gcr-pull-secrets/gcr-pull-secrets");
    });

    it("takes its version from package.json, the one place a version is written (the npm package's is stamped when packed)", () => {
        const npmManifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "sdk/nodejs/package.json"), "utf8"));
        assert.strictEqual(npmManifest.version, undefined, "sdk/nodejs/package.json must not carry a version of its own");
        assert.strictEqual(npmManifest.pulumi, undefined, "sdk/nodejs/build.sh writes the pulumi block from the schema");
    });
});
