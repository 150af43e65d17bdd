/**
 * Construct: the plugin builds the GcrPullSecrets component for a program in another language
 * (Pulumi YAML, Python, Go, ...). The engine sends the component's inputs and options; the component
 * runs here, in the plugin's process, and registers its children with the engine's resource monitor
 * exactly as it does inside a TypeScript program, so the resources, names and state are the same.
 *
 * The steps are those of `@pulumi/pulumi/provider`'s own construct (SDK 3.276, provider/server.js):
 * point the runtime at the caller's engine and monitor, take over its config, turn the wire inputs
 * into values and Outputs, build the component, and answer with its URN and outputs once every
 * registration has been sent. Those SDK helpers are marked internal, so they are reached through
 * {@link sdkInternals}, which a unit test checks against the installed SDK.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aliasproto from "@pulumi/pulumi/proto/alias_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { types } from "../components/contract";
import { GcrPullSecrets } from "../components/gcrPullSecrets";
import { GcrPullSecretsArgs } from "../components/gcrPullSecretsArgs";
import { packageOfProviderType, parseProviderReference, parseUrn, typeOfUrn } from "../components/urn";

/** The SDK internals construct needs, as typed functions. */
export interface SdkInternals {
    withLocalStorage<T>(work: () => Promise<T>): Promise<T>;
    resetOptions(project: string, stack: string, parallel: number, engine: string, monitor: string, preview: boolean, organization: string): void;
    awaitFeatureSupport(): Promise<void>;
    setAllConfig(config: Record<string, string>, secretKeys?: string[]): void;
    deserializeInputs(inputs: structproto.Struct | undefined, dependencies: unknown): Promise<Record<string, unknown>>;
    serializeResourceProperties(label: string, props: Record<string, unknown>): Promise<[Record<string, unknown>, Map<string, Set<pulumi.Resource>>]>;
    waitForRPCs(): Promise<void>;
    getResourcePackage(
        pkg: string,
        version: string | undefined,
    ): { constructProvider(name: string, type: string, urn: string): pulumi.ProviderResource } | undefined;
}

/** Loads the SDK internals; throws naming any that the installed @pulumi/pulumi no longer has. */
export function sdkInternals(): SdkInternals {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const state = require("@pulumi/pulumi/runtime/state");
    const settings = require("@pulumi/pulumi/runtime/settings");
    const config = require("@pulumi/pulumi/runtime/config");
    const rpc = require("@pulumi/pulumi/runtime/rpc");
    const server = require("@pulumi/pulumi/provider/server");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const found = {
        withLocalStorage: state.withLocalStorage,
        resetOptions: settings.resetOptions,
        awaitFeatureSupport: settings.awaitFeatureSupport,
        setAllConfig: config.setAllConfig,
        deserializeInputs: server.deserializeInputs,
        serializeResourceProperties: rpc.serializeResourceProperties,
        waitForRPCs: settings.waitForRPCs,
        getResourcePackage: rpc.getResourcePackage,
    };
    const missing = Object.entries(found)
        .filter(([, f]) => typeof f !== "function")
        .map(([name]) => name);
    if (missing.length > 0) {
        throw new Error(
            `the installed @pulumi/pulumi lacks what construct needs (${missing.join(", ")}): use the SDK version this package names as its peer dependency`,
        );
    }
    return found as SdkInternals;
}

/** A provider reference (`urn::id`) as a resource the component can pass on: the package's own class when loaded. */
function providerFromReference(sdk: SdkInternals, reference: string): pulumi.ProviderResource {
    const { urn } = parseProviderReference(reference);
    const type = typeOfUrn(urn);
    const name = parseUrn(urn)?.name ?? "";
    return (
        sdk.getResourcePackage(packageOfProviderType(type), undefined)?.constructProvider(name, type, urn) ?? new pulumi.DependencyProviderResource(reference)
    );
}

/** The value of an Output that is always known (a URN): the SDK's own construct awaits it the same way. */
function known<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** One alias the caller gave, by URN or by the parts that changed (name, project, stack, parent). */
function aliasOf(alias: aliasproto.Alias): string | pulumi.Alias {
    if (alias.hasUrn()) return alias.getUrn();
    const spec = alias.getSpec()!;
    return {
        ...(spec.getName() ? { name: spec.getName() } : {}),
        ...(spec.getProject() ? { project: spec.getProject() } : {}),
        ...(spec.getStack() ? { stack: spec.getStack() } : {}),
        ...(spec.hasParenturn() ? { parent: spec.getParenturn() } : spec.getNoparent() ? { parent: pulumi.rootStackResource } : {}),
    };
}

/** The options the caller gave the component, as SDK resource options (those the SDK's construct passes on). */
export function optionsOf(sdk: SdkInternals, request: provproto.ConstructRequest): pulumi.ComponentResourceOptions {
    const providers: Record<string, pulumi.ProviderResource> = {};
    request.getProvidersMap().forEach((reference: string, pkg: string) => {
        providers[pkg] = providerFromReference(sdk, reference);
    });
    const timeouts = request.getCustomtimeouts()?.toObject();
    return {
        parent: request.getParent() ? new pulumi.DependencyResource(request.getParent()) : undefined,
        dependsOn: request.getDependenciesList().map((urn) => new pulumi.DependencyResource(urn)),
        providers,
        aliases: request.getAliasesList().map(aliasOf),
        protect: request.getProtect(),
        retainOnDelete: request.getRetainondelete(),
        ignoreChanges: request.getIgnorechangesList(),
        replaceOnChanges: request.getReplaceonchangesList(),
        ...(timeouts ? { customTimeouts: timeouts } : {}),
        ...(request.getDeletedwith() ? { deletedWith: new pulumi.DependencyResource(request.getDeletedwith()) } : {}),
    };
}

/**
 * The component's arguments from the wire inputs. A key file's text that looks like JSON may arrive
 * parsed (Pulumi YAML reads a config value `{...}` as an object): it is turned back into its text,
 * still secret, rather than refused.
 */
export function argsOf(inputs: Record<string, unknown>): GcrPullSecretsArgs {
    const args = { ...inputs } as Record<string, unknown>;
    if (args.jsonKey !== undefined) {
        args.jsonKey = pulumi.output(args.jsonKey).apply((key) => (typeof key === "object" && key !== null ? JSON.stringify(key) : key));
    }
    return args as unknown as GcrPullSecretsArgs;
}

/**
 * Runs `work`, failing it with the first error nobody awaited (an apply of the component that
 * throws, such as a key that turns out invalid once known) instead of letting it end the plugin
 * process: the engine then shows the component's own message, as a TypeScript program would.
 */
async function failingOnStrayErrors<T>(work: () => Promise<T>): Promise<T> {
    let stray: (error: unknown) => void = () => undefined;
    const strayError = new Promise<never>((_, reject) => (stray = reject));
    process.on("unhandledRejection", stray);
    process.on("uncaughtException", stray);
    try {
        return await Promise.race([work(), strayError]);
    } finally {
        process.off("unhandledRejection", stray);
        process.off("uncaughtException", stray);
    }
}

/** The state the engine records for the component: its outputs, as the TypeScript class has them. */
function outputsOf(component: GcrPullSecrets): Record<string, unknown> {
    return {
        secretNames: component.secretNames,
        serviceAccountEmail: component.serviceAccountEmail,
        keyId: component.keyId,
        registryHosts: component.registryHosts,
        pullAccess: component.pullAccess,
        ...(component.clusterSecretNames ? { clusterSecretNames: component.clusterSecretNames } : {}),
    };
}

/** Answers one ConstructRequest. `engineAddress` is the engine the plugin was started for. */
export async function construct(
    request: provproto.ConstructRequest,
    engineAddress: string,
    sdk: SdkInternals = sdkInternals(),
): Promise<provproto.ConstructResponse> {
    const type = request.getType();
    if (type !== types.component) {
        throw new Error(`the gcr-pull-secrets provider has no component ${type} (it has ${types.component})`);
    }
    // Each construct gets its own runtime state, as in the SDK: several components may be built at once.
    return sdk.withLocalStorage(() =>
        failingOnStrayErrors(async () => {
            sdk.resetOptions(
                request.getProject(),
                request.getStack(),
                request.getParallel(),
                engineAddress,
                request.getMonitorendpoint(),
                request.getDryrun(),
                request.getOrganization(),
            );
            await sdk.awaitFeatureSupport();
            const config: Record<string, string> = {};
            request.getConfigMap().forEach((value: string, key: string) => {
                config[key] = value;
            });
            sdk.setAllConfig(config, request.getConfigsecretkeysList());

            const inputs = await sdk.deserializeInputs(request.getInputs(), request.getInputdependenciesMap());
            const name = request.getName();
            const component = new GcrPullSecrets(name, argsOf(inputs), optionsOf(sdk, request));

            const response = new provproto.ConstructResponse();
            response.setUrn(await known(component.urn));
            const [state, dependencies] = await sdk.serializeResourceProperties(`construct(${type}, ${name})`, outputsOf(component));
            const dependencyMap = response.getStatedependenciesMap();
            for (const [key, resources] of dependencies) {
                const urns = new provproto.ConstructResponse.PropertyDependencies();
                urns.setUrnsList(await Promise.all([...resources].map((r) => known(r.urn))));
                dependencyMap.set(key, urns);
            }
            response.setState(structproto.Struct.fromJavaScript(state as Record<string, never>));
            // Every child must be registered before the engine hears the component is done.
            await sdk.waitForRPCs();
            return response;
        }),
    );
}
