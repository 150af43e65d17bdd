/**
 * The Pulumi package schema of `gcr-pull-secrets`, derived from the TypeScript declarations it
 * describes (the component's argument interfaces and outputs, the provider's configuration, the
 * PullSecret resource), so that other languages see the same fields with the same doc comments and
 * the two cannot drift apart. `npm run generate:schema` writes it to provider/schema.json, which the
 * provider plugin serves (GetSchema) and a unit test keeps current.
 *
 * Pulumi's schema has no unions: a field typed `string | SomeArgs` is published as its object form
 * (a name is `{ name }`), and a union of string literals becomes an enum type. A property tagged
 * `@secret` is published as secret; one tagged `@typescriptOnly` is left out (it only means something
 * to this repository's TypeScript stack).
 */
import * as path from "path";
import ts from "typescript";
import { functions, packageName, types } from "../../components/contract";

type Json = Record<string, unknown>;

/** Where each part of the schema is declared, relative to the repository root. */
const sources = {
    componentArgs: { file: "components/gcrPullSecretsArgs.ts", name: "GcrPullSecretsArgs" },
    component: { file: "components/gcrPullSecrets.ts", name: "GcrPullSecrets" },
    providerArgs: { file: "components/pullSecretsProvider.ts", name: "PullSecretsProviderArgs" },
    pullSecretArgs: { file: "components/pullSecret.ts", name: "PullSecretArgs" },
    pullSecret: { file: "components/pullSecret.ts", name: "PullSecret" },
} as const;

const root = path.resolve(__dirname, "../..");

class SchemaBuilder {
    readonly types: Record<string, Json> = {};
    private readonly checker: ts.TypeChecker;

    constructor(private readonly program: ts.Program) {
        this.checker = program.getTypeChecker();
    }

    /** The declaration of `name` in `file`. */
    declaration(file: string, name: string): ts.InterfaceDeclaration | ts.ClassDeclaration {
        const source = this.program.getSourceFile(path.join(root, file));
        if (!source) throw new Error(`${file} is not part of the program`);
        const found = source.statements.find(
            (s): s is ts.InterfaceDeclaration | ts.ClassDeclaration => (ts.isInterfaceDeclaration(s) || ts.isClassDeclaration(s)) && s.name?.text === name,
        );
        if (!found) throw new Error(`${file} declares no ${name}`);
        return found;
    }

    /** The doc comment of a declaration, `{@link X}` written as `X`. */
    description(symbol: ts.Symbol): string {
        return ts
            .displayPartsToString(symbol.getDocumentationComment(this.checker))
            .replace(/\{@link\s+([^}\s]+)\s*\}/g, "`$1`")
            .trim();
    }

    private tags(symbol: ts.Symbol): Set<string> {
        return new Set(symbol.getJsDocTags(this.checker).map((t) => t.name));
    }

    /** `properties` and `required` of an interface (its own fields and those it extends). */
    objectOf(type: ts.Type, where: string): { properties: Record<string, Json>; required: string[] } {
        const properties: Record<string, Json> = {};
        const required: string[] = [];
        for (const property of this.checker.getPropertiesOfType(type)) {
            const tags = this.tags(property);
            if (tags.has("typescriptOnly")) continue;
            const declaration = property.valueDeclaration ?? property.declarations?.[0];
            if (!declaration) continue;
            // The written type keeps its alias (UsernameMode), which an optional field's `T | undefined` loses.
            const written = ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration) ? declaration.type : undefined;
            const propertyType = written ? this.checker.getTypeFromTypeNode(written) : this.checker.getTypeOfSymbolAtLocation(property, declaration);
            const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
            const spec: Json = { ...this.typeSpec(propertyType, `${where}.${property.name}`), description: this.description(property) };
            if (!spec.description) throw new Error(`${where}.${property.name} has no doc comment: every published field needs one`);
            if (tags.has("secret")) spec.secret = true;
            properties[property.name] = spec;
            if (!optional) required.push(property.name);
        }
        return { properties, required };
    }

    /** The schema type of a TypeScript type: primitives, arrays, string maps, named object types and string-literal enums. */
    typeSpec(type: ts.Type, where: string): Json {
        type = this.unwrapInput(type);
        if (type.isUnion()) {
            // Input<T> expands to T | Promise<T> | OutputInstance<T>: only the members that are T count.
            const members = type.types.filter(
                (t) =>
                    !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) && !["Promise", "OutputInstance", "Output"].includes(t.getSymbol()?.name ?? ""),
            );
            if (members.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: "boolean" };
            if (members.every((t) => t.isStringLiteral())) return this.enumType(type, members as ts.StringLiteralType[], where);
            // `string | NamespaceArgs`: the schema carries the object form, which says as much.
            const objects = members.filter((t) => t.flags & ts.TypeFlags.Object && !this.checker.isArrayType(t));
            if (objects.length === 1) return this.typeSpec(objects[0], where);
            if (members.length === 1) return this.typeSpec(members[0], where);
            throw new Error(`${where}: the union ${this.checker.typeToString(type)} has no form the schema can carry`);
        }
        if (type.flags & ts.TypeFlags.String) return { type: "string" };
        if (type.flags & ts.TypeFlags.Number) return { type: "number" };
        if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: "boolean" };
        if (this.checker.isArrayType(type)) {
            const [item] = this.checker.getTypeArguments(type as ts.TypeReference);
            return { type: "array", items: this.typeSpec(item, `${where}[]`) };
        }
        const index = this.checker.getIndexInfoOfType(type, ts.IndexKind.String);
        if (index && this.checker.getPropertiesOfType(type).length === 0) {
            return { type: "object", additionalProperties: this.typeSpec(index.type, `${where}{}`) };
        }
        const symbol = type.aliasSymbol ?? type.getSymbol();
        if (type.flags & ts.TypeFlags.Object && symbol) return { $ref: `#/types/${this.namedObject(type, symbol)}` };
        throw new Error(`${where}: no schema type for ${this.checker.typeToString(type)}`);
    }

    /** `pulumi.Input<T>` and `pulumi.Output<T>` as T: every schema input accepts outputs anyway. */
    private unwrapInput(type: ts.Type): ts.Type {
        for (;;) {
            const alias = type.aliasSymbol?.name;
            if ((alias === "Input" || alias === "Output") && type.aliasTypeArguments?.length === 1) {
                type = type.aliasTypeArguments[0];
                continue;
            }
            return type;
        }
    }

    /** `NamespaceArgs` -> `gcr-pull-secrets:index:Namespace`, declared once under `types`. */
    private namedObject(type: ts.Type, symbol: ts.Symbol): string {
        const token = `${packageName}:index:${symbol.name.replace(/Args$/, "")}`;
        if (!(token in this.types)) {
            this.types[token] = {}; // reserved first: a type may refer to itself
            const { properties, required } = this.objectOf(type, symbol.name);
            this.types[token] = { type: "object", description: this.description(symbol), properties, ...(required.length ? { required } : {}) };
        }
        return token;
    }

    private enumType(type: ts.Type, members: ts.StringLiteralType[], where: string): Json {
        const alias = type.aliasSymbol;
        if (!alias) throw new Error(`${where}: a union of string literals needs a type alias to be published as an enum`);
        const token = `${packageName}:index:${alias.name}`;
        this.types[token] ??= {
            type: "string",
            description: this.description(alias),
            enum: members.map((m) => ({ value: m.value })),
        };
        return { $ref: `#/types/${token}` };
    }

    /** `public readonly x: pulumi.Output<T>` members of a class, as output properties. */
    outputsOf(declaration: ts.ClassDeclaration): { properties: Record<string, Json>; required: string[] } {
        const properties: Record<string, Json> = {};
        const required: string[] = [];
        for (const member of declaration.members) {
            if (!ts.isPropertyDeclaration(member) || !member.type || !ts.isIdentifier(member.name)) continue;
            if (!/Output</.test(member.type.getText())) continue;
            const symbol = this.checker.getSymbolAtLocation(member.name)!;
            const type = this.checker.getTypeFromTypeNode(member.type);
            const optionalOutput = member.questionToken !== undefined || this.checker.typeToString(type).includes("undefined");
            properties[member.name.text] = {
                ...this.typeSpec(type, `${declaration.name?.text}.${member.name.text}`),
                description: this.description(symbol),
                ...(this.tags(symbol).has("secret") ? { secret: true } : {}),
            };
            if (!optionalOutput) required.push(member.name.text);
        }
        return { properties, required };
    }

    typeOf(declaration: ts.InterfaceDeclaration | ts.ClassDeclaration): ts.Type {
        return this.checker.getTypeAtLocation(declaration);
    }
}

/** The GitHub repository (owner/name) whose releases carry the npm package's source and the plugin's archives. */
export const releaseRepository = "gcr-pull-secrets/gcr-pull-secrets";

/** The schema's pluginDownloadURL: the GitHub releases of {@link releaseRepository}, tag v<version>. */
export const pluginDownloadURL = `github://api.github.com/${releaseRepository}`;

/** The package schema, as the provider's GetSchema returns it. */
export function packageSchema(version: string): Json {
    const program = ts.createProgram(
        Object.values(sources).map((s) => path.join(root, s.file)),
        { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true },
    );
    const builder = new SchemaBuilder(program);
    const inputsOf = (source: { file: string; name: string }) => {
        const declaration = builder.declaration(source.file, source.name);
        return builder.objectOf(builder.typeOf(declaration), source.name);
    };

    const componentDeclaration = builder.declaration(sources.component.file, sources.component.name) as ts.ClassDeclaration;
    const componentInputs = inputsOf(sources.componentArgs);
    const componentOutputs = builder.outputsOf(componentDeclaration);
    const providerInputs = inputsOf(sources.providerArgs);
    const pullSecretDeclaration = builder.declaration(sources.pullSecret.file, sources.pullSecret.name) as ts.ClassDeclaration;
    const pullSecretInputs = inputsOf(sources.pullSecretArgs);
    const pullSecretOutputs = builder.outputsOf(pullSecretDeclaration);
    const docOf = (declaration: ts.ClassDeclaration | ts.InterfaceDeclaration) => builder.description(builder.typeOf(declaration).getSymbol()!);

    return {
        name: packageName,
        displayName: "GCR pull secrets",
        version,
        description: "Pull access to private Google registries (gcr.io, *.gcr.io, *-docker.pkg.dev) for Kubernetes namespaces.",
        keywords: ["kubernetes", "gcp", "artifact-registry", "image-pull-secrets", "category/cloud", "kind/component"],
        license: "Apache-2.0",
        repository: `https://github.com/${releaseRepository}`,
        // Where `pulumi plugin install` and the engine fetch the provider plugin: this repository's
        // GitHub releases, asset pulumi-resource-gcr-pull-secrets-v<version>-<os>-<arch>.tar.gz
        // (scripts/release/buildArtifacts.sh). PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES points it elsewhere.
        pluginDownloadURL,
        config: { variables: providerInputs.properties },
        provider: {
            description: "The gcr-pull-secrets provider: one cluster connection and one copy of the docker config for every PullSecret it writes.",
            inputProperties: providerInputs.properties,
        },
        resources: {
            [types.component]: {
                isComponent: true,
                description: docOf(componentDeclaration),
                inputProperties: componentInputs.properties,
                requiredInputs: componentInputs.required,
                properties: componentOutputs.properties,
                required: componentOutputs.required,
            },
            [types.pullSecret]: {
                description: docOf(pullSecretDeclaration),
                inputProperties: pullSecretInputs.properties,
                requiredInputs: pullSecretInputs.required,
                // What the provider returns, no more: it keeps inputs out of the outputs (state size), so
                // an input listed here would be a property other languages' SDKs never get.
                properties: pullSecretOutputs.properties,
                required: pullSecretOutputs.required,
            },
        },
        functions: {
            [functions.listNamespaces]: {
                description:
                    "The cluster's namespaces with their labels and phase, and (with serviceAccounts) each one's ServiceAccounts: what namespaceSelector is resolved against.",
                inputs: {
                    properties: { serviceAccounts: { type: "boolean", description: "Also list every namespace's ServiceAccounts. Default: false." } },
                },
                outputs: {
                    properties: {
                        namespaces: {
                            type: "array",
                            items: { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } },
                            description: "Each namespace: name, labels, terminating, and serviceAccounts (name, labels) when asked.",
                        },
                    },
                    required: ["namespaces"],
                },
            },
            // Called by the component after `pulumi up` wrote the Secrets (components/verifyPullAccess.ts).
            [functions.verifyPullAccess]: {
                description:
                    "After the pull Secrets are written: per namespace and ServiceAccount, a dry-run Pod (dryRun=All) naming no pull secrets, and whether admission gave it the Secret; per repository, whether the namespace's credential may pull it (the registry's token endpoint).",
                inputs: {
                    properties: {
                        secretName: { type: "string", description: "The pull Secret's name." },
                        registries: { type: "array", items: { type: "string" }, description: "Registry hosts: one container image each in the dry-run Pod." },
                        pods: { type: "boolean", description: "Send the dry-run Pods. Default: false." },
                        repositories: { type: "array", items: { type: "string" }, description: "`host/path` repositories to ask about. Default: none." },
                        namespaces: {
                            type: "array",
                            items: { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } },
                            description: "Each namespace: name, serviceAccounts (covered), attached (those listing the Secret when it was written).",
                        },
                    },
                    required: ["secretName", "registries", "namespaces"],
                },
                outputs: {
                    properties: {
                        namespaces: {
                            type: "object",
                            additionalProperties: { $ref: "#/types/gcr-pull-secrets:index:NamespacePullAccess" },
                            description: "The results, keyed by namespace.",
                        },
                    },
                    required: ["namespaces"],
                },
            },
        },
        types: Object.fromEntries(Object.entries(builder.types).sort(([a], [b]) => a.localeCompare(b))),
        language: {
            nodejs: { packageName: "@gcr-pull-secrets/pulumi", respectSchemaVersion: true },
            python: { packageName: "gcr_pull_secrets", respectSchemaVersion: true },
            go: { importBasePath: "github.com/gcr-pull-secrets/gcr-pull-secrets/sdk/go/gcrpullsecrets", respectSchemaVersion: true },
        },
    };
}

/** The schema as committed in provider/schema.json: stable key order, two-space JSON, final newline. */
export function schemaText(version: string): string {
    return JSON.stringify(packageSchema(version), null, 2) + "\n";
}
