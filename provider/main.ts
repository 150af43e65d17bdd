/**
 * Entry point of the `pulumi-resource-gcr-pull-secrets` provider plugin: one cluster connection,
 * opened lazily from the provider's configuration, shared by every resource of the update.
 */
import { functions, legacyTypes, types } from "../components/contract";
import { nameOfUrn } from "../components/urn";
import * as fs from "fs";
import * as path from "path";
import { listNamespaces } from "./clusterInventory";
import { engineWarnings } from "./engineLog";
import { Interruptions } from "./interruption";
import { Connection, connect, withSignal } from "./kubeApi";
import { legacyHandlers } from "./legacyResources";
import { checkProviderSettings, diffProviderSettings, ProviderSettings, readProviderSettings } from "./providerConfig";
import { pullSecretHandler } from "./pullSecret";
import { checkPullAccess } from "./pullAccessCheck";
import { stackIdentityHandler } from "./stackIdentity";
import { ResourceHandler } from "./resourceHandler";
import { defaultPatience, patientApi } from "./patientApi";
import { serve } from "./server";

/**
 * The version of the package this plugin ships in: the repository's package.json when run from
 * source (provider/main.ts), the npm package's when run as built (dist/provider/main.js).
 */
function packageVersion(): string {
    for (const candidate of ["../package.json", "../../package.json"]) {
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const version: unknown = require(candidate).version;
            // sdk/nodejs/package.json has none in the repository: the packed one gets the repository's (sdk/nodejs/build.sh).
            if (typeof version === "string") return version;
        } catch {
            // not this layout
        }
    }
    return "0.0.0";
}

const version = packageVersion();

let settings: ProviderSettings = { cluster: {}, clusterKnown: true };
let connection: Connection | undefined;

const engineAddress = process.argv[2];
const warn = engineWarnings(engineAddress);
const interruptions = new Interruptions();

function cluster(): Connection {
    if (!connection) {
        const opened = connect(settings.cluster);
        const control = { operation: () => interruptions.current(), withSignal };
        connection = { ...opened, api: patientApi(opened.api, opened.server ?? "(unknown)", warn, defaultPatience, control) };
    }
    return connection;
}

const handlers: Record<string, ResourceHandler> = {
    [types.pullSecret]: pullSecretHandler({
        connection: cluster,
        dockerConfigJson: () => settings.dockerConfigJson,
        clusterKnown: () => settings.clusterKnown,
        warn,
    }),
    [types.stackIdentity]: stackIdentityHandler(),
    ...legacyHandlers(cluster, { guard: legacyTypes.pullSecretGuard, entry: legacyTypes.serviceAccountPullSecret }),
};

// As the SDK's own provider main does: an error nobody awaited (a registration the engine dropped
// after a failed Construct, say) is reported and makes the exit code non-zero, but does not end the
// plugin while the engine still talks to it. Construct turns those raised during its own work into
// its answer (construct.ts).
let strayErrors = 0;
const reportStray = (error: unknown) => {
    strayErrors += 1;
    process.stderr.write(`gcr-pull-secrets provider: ${error instanceof Error ? error.message : String(error)}\n`);
};
process.on("unhandledRejection", reportStray);
process.on("uncaughtException", reportStray);
process.on("exit", (code) => {
    if (code === 0 && strayErrors > 0) process.exitCode = 1;
});

// The engine runs this plugin as its child. When the engine is killed (SIGKILL, OOM) nobody tells
// the plugin, which would otherwise keep its port and connections for minutes: leave once orphaned.
const engineProcess = process.ppid;
setInterval(() => {
    if (process.ppid !== engineProcess) process.exit(0);
}, 1000).unref();

serve({
    version,
    checkConfig: (_olds, news) => checkProviderSettings(news),
    diffConfig: diffProviderSettings,
    configure(args) {
        settings = readProviderSettings(args);
        connection = undefined;
    },
    handler: (type) => handlers[type],
    cancel: () => interruptions.cancel(),
    operation: (timeoutSeconds, verb, urn, work) => interruptions.run(timeoutSeconds, `${verb} ${nameOfUrn(urn)}`, work),
    // Generated from the TypeScript declarations (npm run generate:schema), next to this file in both layouts.
    schema: fs.readFileSync(path.join(__dirname, "schema.json"), "utf8"),
    // Loaded on first use: the component pulls in the Kubernetes and Google SDKs, which a plugin that
    // only writes PullSecrets (a TypeScript program's) need not load at every start.
    construct: async (request) => (await import("./construct")).construct(request, engineAddress),
    async invoke(token, args) {
        if (token === functions.verifyPullAccess) return { ...(await checkPullAccess(cluster(), args)) };
        if (token !== functions.listNamespaces) throw new Error(`the gcr-pull-secrets provider has no function ${token}`);
        return { ...(await listNamespaces(cluster(), args)) };
    },
}).catch((error) => {
    process.stderr.write(`gcr-pull-secrets provider failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
