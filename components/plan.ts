/**
 * Arguments -> the plan the component wires: every check, every default, nothing created. Each
 * section lives in its own file (credentials, registries and grants, namespaces); the settings of
 * the Secret itself and of key rotation are read here.
 */
import { Checker, isEventual, quote } from "./checker";
import { ConfigError, ConfigProblem } from "./configError";
import { usernameModes, UsernameMode } from "./dockerConfig";
import { GcrPullSecretsArgs } from "./gcrPullSecretsArgs";
import { CredentialPlan, planCredentials } from "./planCredentials";
import { NamespacePlan, NamespaceSelectorPlan, planNamespaces, subdomainRule, isSubdomain, systemNamespaces } from "./planNamespaces";
import { planRegistries, RepositoryGrantPlan } from "./planRegistries";
import { rotationWindow } from "./rotation";

export { ConfigError, systemNamespaces };
export type { ConfigProblem, CredentialPlan, NamespacePlan, NamespaceSelectorPlan, RepositoryGrantPlan };

/** Key rotation for keys this program creates. */
export interface RotationPlan {
    /** 0 when there is no scheduled rotation. */
    days: number;
    /** Index of the current rotation period; a new index replaces the key. */
    window: string;
    trigger: string;
}

/** Everything the component will create, decided from validated arguments. Frozen. */
export interface Plan {
    credentials: CredentialPlan;
    project?: string;
    registryHosts: string[];
    repositoryGrants: RepositoryGrantPlan[];
    bucketGrants: string[];
    projectWideRead: boolean;
    rotation?: RotationPlan;
    username: UsernameMode;
    secretName: string;
    /** Namespaces listed by name, sorted. */
    namespaces: NamespacePlan[];
    /** Namespaces chosen by label when the program runs. */
    namespaceSelector?: NamespaceSelectorPlan;
    serviceAccountWaitSeconds: number;
    kubeContext?: string;
}

/** How the validator names fields and which values it may quote. */
export interface ValidationOptions {
    /** Prefix for every path in messages, `gcr-pull-secrets:` for stack config. Default: "" (component arguments). */
    pathPrefix?: string;
    /** The clock for scheduled rotation. Default: now. */
    now?: Date;
    /**
     * Settings whose values arrived as secrets (stack config stored with `--secret`): no message
     * quotes them or anything made from them. `jsonKey` and `kubeconfig` are always treated so.
     */
    secretSettings?: ReadonlySet<keyof GcrPullSecretsArgs>;
    /** Settings that came from elsewhere, by the full path messages should name (`project` from `gcp:project`). */
    settingPaths?: Readonly<Partial<Record<keyof GcrPullSecretsArgs, string>>>;
    /**
     * Offline validation only: settings that are set but whose encrypted values could not be read.
     * They count as set and are not checked; the plan's fields made from them are left empty, so
     * such a plan shows the shape of what would be created, never the values to create it with.
     */
    unavailableSettings?: ReadonlySet<keyof GcrPullSecretsArgs>;
}

/**
 * Checks arguments and turns them into the plan the component wires. Every problem is collected
 * and reported together in one {@link ConfigError}; nothing is created before this returns.
 * A `jsonKey` given as a plain string is checked here; one given as an Output can only be checked
 * when it resolves (the component does that).
 */
export function planFromArgs(args: GcrPullSecretsArgs, options: ValidationOptions = {}): Plan {
    const { plan, problems } = checkArgs(args, options);
    if (problems.length > 0) {
        throw new ConfigError(problems, "GcrPullSecrets arguments");
    }
    return plan!;
}

/** {@link planFromArgs} without throwing: the plan when there is no problem, and every problem. */
export function checkArgs(args: GcrPullSecretsArgs, options: ValidationOptions = {}): { plan?: Plan; problems: ConfigProblem[] } {
    // Everything but the two secrets decides which resources exist, so it must be known before any
    // resource is declared. An Output there is refused without being read (it may hold a secret),
    // and otherwise treated as set but unreadable, so nothing else is reported about it.
    const eventual = Object.keys(args).filter(
        (name) => name !== "jsonKey" && name !== "kubeconfig" && isEventual((args as unknown as Record<string, unknown>)[name]),
    );
    const checker = new Checker({
        pathPrefix: options.pathPrefix ?? "",
        secretSettings: new Set<string>(["jsonKey", "kubeconfig", ...(options.secretSettings ?? [])]),
        settingPaths: options.settingPaths ?? {},
        unavailableSettings: new Set<string>([...(options.unavailableSettings ?? []), ...eventual]),
    });
    for (const name of eventual) {
        checker.fail(
            checker.setting(name, undefined),
            "is a pulumi Output or Promise; it must be a plain value, because it decides which resources exist before any is declared",
        );
    }

    const credentials = planCredentials(args, checker);
    const registries = planRegistries(args, checker, credentials);
    if (credentials.sourceKind === "createServiceAccount" && !registries.grantsAsked) {
        checker.fail(
            checker.setting("serviceAccount", args.serviceAccount),
            "creates an account with no registry access; list artifactRegistryRepositories (or gcrBuckets), or set projectWideRead: true",
        );
    }
    const keylessSetup = credentials.credentials?.kind === "keyless" ? credentials.credentials.keyless : undefined;
    if (keylessSetup?.federation.kind === "createPool" && !keylessSetup.serviceAccountEmail && !registries.grantsAsked) {
        checker.fail(
            checker.setting("keyless", args.keyless),
            "creates a pool whose principal gets no registry access; list artifactRegistryRepositories (or gcrBuckets), set projectWideRead: true, " +
                "or set keyless.serviceAccountEmail to impersonate an account that can read",
        );
    }
    const rotation = planRotation(args, checker, credentials.sourceKind, options.now ?? new Date());
    const { username, secretName } = planSecret(args, checker);
    if (credentials.sourceKind === "keyless" && username !== "_json_key") {
        const usernameField = checker.setting("username", args.username);
        checker.fail(
            usernameField,
            `is ${quote(usernameField)}, but keyless Secrets carry an access token, whose username is always oauth2accesstoken; ${checker.howToRemove(usernameField)}`,
        );
    }
    const { namespaces, namespaceSelector } = planNamespaces(args, checker);
    if (keylessSetup && namespaces.some((ns) => ns.name === keylessSetup.namespace)) {
        const keylessField = checker.setting("keyless", args.keyless);
        checker.fail(
            checker.child(keylessField, "namespace"),
            `is "${keylessSetup.namespace}", which is also listed in namespaces; the refresher needs a namespace of its own (the stack creates it), so choose another name`,
        );
    }
    if (keylessSetup && namespaceSelector) {
        // Selecting it would give the refresher's namespace a pull Secret that the refresher itself keeps.
        namespaceSelector.exclude.push(keylessSetup.namespace);
        namespaceSelector.exclude.sort();
    }
    const serviceAccountWaitSeconds = checker.integer(checker.setting("serviceAccountWaitSeconds", args.serviceAccountWaitSeconds), {
        fallback: 60,
        min: 1,
        max: 3600,
        unit: "seconds",
    });
    const { kubeContext } = planCluster(args, checker);

    if (checker.problems.length > 0) {
        return { problems: checker.problems };
    }
    if (!credentials.credentials) {
        throw new Error("internal error: no credential source and no problem reported; please report this");
    }
    const plan: Plan = {
        credentials: credentials.credentials,
        ...(credentials.project ? { project: credentials.project } : {}),
        registryHosts: [...registries.registryHosts].sort(),
        repositoryGrants: registries.repositoryGrants,
        bucketGrants: registries.bucketGrants,
        projectWideRead: registries.projectWideRead,
        ...(rotation ? { rotation } : {}),
        username,
        secretName,
        namespaces,
        ...(namespaceSelector ? { namespaceSelector } : {}),
        serviceAccountWaitSeconds,
        ...(kubeContext ? { kubeContext } : {}),
    };
    return { plan: deepFreeze(plan), problems: [] };
}

function planRotation(args: GcrPullSecretsArgs, checker: Checker, sourceKind: CredentialPlan["kind"] | undefined, now: Date): RotationPlan | undefined {
    const daysField = checker.setting("rotationDays", args.rotationDays);
    const triggerField = checker.setting("rotationTrigger", args.rotationTrigger);
    const days = checker.integer(daysField, { fallback: 90, min: 0, max: 3650, unit: "days" });
    const trigger = checker.text(triggerField, { what: "any text", example: "2025-06-rotation", allowEmpty: true }) ?? "";
    if (sourceKind === "jsonKey" || sourceKind === "keyless") {
        for (const [field, set] of [
            [daysField, checker.isSet(daysField)],
            // The CLI hands the declared default "" over when the stack does not set it.
            [triggerField, checker.isSet(triggerField) && triggerField.value !== ""],
        ] as const) {
            if (set) {
                checker.fail(
                    field,
                    sourceKind === "jsonKey"
                        ? `applies only to service accounts and keys this program manages, and jsonKey is set; ${checker.howToRemove(field)} (rotate a supplied key by setting a new jsonKey)`
                        : `applies only to service accounts and keys this program manages, and keyless is set: there is no key to rotate (the refresher replaces the token every run); ${checker.howToRemove(field)}`,
                );
            }
        }
        return undefined;
    }
    return sourceKind ? { days, window: rotationWindow(now, days), trigger } : undefined;
}

function planSecret(args: GcrPullSecretsArgs, checker: Checker): { username: UsernameMode; secretName: string } {
    const usernameField = checker.setting("username", args.username);
    const modes = usernameModes.map((mode) => `"${mode}"`).join(" or ");
    const usernameText = checker.text(usernameField, {
        what: "the username mode",
        example: "_json_key",
        emptyFix: `use ${modes}, or ${checker.howToRemove(usernameField)} for the default "_json_key"`,
    });
    let username: UsernameMode = "_json_key";
    if (usernameText !== undefined) {
        if ((usernameModes as readonly string[]).includes(usernameText)) {
            username = usernameText as UsernameMode;
        } else {
            checker.fail(usernameField, `is ${quote(usernameField)}; use "_json_key" (the default: the key JSON is the password) or "_json_key_base64"`);
        }
    }

    const secretNameField = checker.setting("secretName", args.secretName);
    const secretNameText = checker.text(secretNameField, {
        what: "the Secret name",
        example: "regcred",
        emptyFix: `set a Secret name (${subdomainRule}), or ${checker.howToRemove(secretNameField)} for the default "regcred"`,
    });
    let secretName = "regcred";
    if (secretNameText !== undefined) {
        if (isSubdomain(secretNameText)) {
            secretName = secretNameText;
        } else {
            checker.fail(secretNameField, `is ${quote(secretNameField)}, not a valid Secret name (${subdomainRule}); choose a name such as regcred`);
        }
    }
    return { username, secretName };
}

function planCluster(args: GcrPullSecretsArgs, checker: Checker): { kubeContext?: string } {
    const contextField = checker.setting("kubeContext", args.kubeContext);
    const kubeContext = checker.text(contextField, {
        what: "a context name from your kubeconfig",
        example: "my-cluster",
        emptyFix: `${checker.howToRemove(contextField)} to use the kubeconfig's current context, or name a context from your kubeconfig`,
    });
    const kubeconfigField = checker.setting("kubeconfig", args.kubeconfig);
    if (!isEventual(kubeconfigField.value)) {
        const text = checker.text(kubeconfigField, {
            what: "the text of a kubeconfig file",
            example: "< kubeconfig.yaml",
            emptyFix: `set it from the file (\`pulumi config set --secret gcr-pull-secrets:kubeconfig < kubeconfig.yaml\`), or ${checker.howToRemove(kubeconfigField)} to use KUBECONFIG or ~/.kube/config`,
        });
        // A shape check only: parse errors of a YAML parser quote the text, and this text is secret.
        // YAML or JSON: a `clusters` member at the start of a line or after `{` or `,`.
        if (text !== undefined && !/(^|[\n{,])\s*"?clusters"?\s*:/.test(text)) {
            checker.fail(
                kubeconfigField,
                "is not a kubeconfig: it has no clusters section; set it from the file (`pulumi config set --secret gcr-pull-secrets:kubeconfig < kubeconfig.yaml`)",
            );
        }
    }
    return kubeContext ? { kubeContext } : {};
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object") {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
    }
    return value;
}
