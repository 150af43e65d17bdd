/**
 * The fleet section: several clusters (`clusters`), each by name with its own connection and,
 * optionally, its own namespaces and ServiceAccount options; the top-level values are every
 * cluster's defaults. A cluster's namespaces are checked exactly as the top-level ones
 * (planNamespaces, planCluster), with the paths of the values the cluster sets itself.
 */
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { FederationPlan, FleetClusterPlan, KeylessPlan } from "../plan";
import { Checker, childPath, Field, isEventual, quote } from "./checker";
import { idPattern, idRule, isPrivateHost, issuerUrl, jwksProblem } from "./planKeyless";
import { looksLikeKubeconfig, planCluster } from "./planCluster";
import { planNamespaces } from "./planNamespaces";
import { Uniques } from "./uniques";

/** Top-level settings a cluster may set for itself. */
export const clusterOverrides = ["namespaces", "namespaceSelector", "excludeNamespaces", "allowSystemNamespaces", "serviceAccountWaitSeconds"] as const;
const clusterFields = ["name", "kubeconfig", "kubeContext", "clusterIdentifier", ...clusterOverrides, "keyless"] as const;
const clusterKeylessFields = ["issuerUri", "jwks", "providerId"] as const;
/** What says which one cluster a stack without `clusters` reaches: each cluster has its own instead. */
const singleClusterSettings = ["kubeconfig", "kubeContext", "clusterIdentifier"] as const;

// It ends resource names (`<name>.<cluster>`) and may make a pool provider's id (4-32 of [a-z0-9-]):
// no '.', so no two clusters' names can meet; at most 32 characters.
const clusterNamePattern = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;
export const clusterNameRule = "1-32 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";

/**
 * Checks `clusters`; undefined when it is not set (one cluster, planCluster's). Every cluster's
 * namespaces are checked with the top-level ones as defaults; a problem of a default is reported once.
 */
export function planClusters(args: GcrPullSecretsArgs, checker: Checker, keyless?: KeylessPlan): FleetClusterPlan[] | undefined {
    const refresherNamespace = keyless?.namespace;
    const setting = checker.setting("clusters", args.clusters);
    if (!checker.isSet(setting)) return undefined;
    for (const name of singleClusterSettings) {
        const single = checker.setting(name, args[name]);
        if (!checker.isSet(single)) continue;
        checker.fail(
            single,
            `is set together with ${checker.shortPath(setting)}, where each cluster names its own; ` +
                `move it into each cluster's entry (${checker.shortPath(setting)}[N].${name}) and ${checker.howToRemove(single)}`,
        );
    }
    const keylessSetting = checker.setting("keyless", args.keyless);
    if (setting.unavailable || isEventual(setting.value)) return []; // unreadable offline, or an Output (refused by checkArgs)
    // Pulumi hands the whole value over as a secret once one kubeconfig in it is encrypted: then
    // nothing in it is quoted, not even a field's name (the program cannot tell which leaf was the
    // secret). A kubeconfig is never quoted, whatever else is.
    const field = setting;
    if (!Array.isArray(field.value)) {
        checker.fail(
            field,
            `must be a list of clusters {name, kubeconfig | kubeContext, ...}, not ${field.value === "" ? "empty text" : "one value"}; ` +
                `set each cluster's fields with ${checker.howToSet({ ...field, path: childPath(childPath(field.path, 0), "name") }, "prod-eu")}, then [1], [2], ...`,
        );
        return undefined;
    }
    if (field.value.length === 0) {
        checker.fail(field, `is empty; list at least one cluster, or ${checker.howToRemove(field)} to reach the one cluster of kubeconfig and kubeContext`);
        return undefined;
    }

    const names = new Uniques(checker, "cluster");
    const providerIds = new Uniques(checker, "pool provider id");
    const clusters: FleetClusterPlan[] = [];
    field.value.forEach((_, index) => {
        const item = checker.child(field, index);
        const members = checker.object(item, {
            what: "a cluster {name, kubeconfig | kubeContext, namespaces?, ...}",
            known: clusterFields,
            example: ["name", "prod-eu"],
        });
        if (!members) return;
        const before = checker.problems.length;

        const nameField = members.name ?? checker.child(item, "name");
        const name = checker.text(nameField, { what: "the cluster's name", example: "prod-eu", required: true });
        if (name !== undefined && !clusterNamePattern.test(name)) {
            checker.fail(nameField, `is ${quote(nameField)}, not a valid cluster name (${clusterNameRule}); resource names and outputs are keyed by it`);
        } else if (name !== undefined) {
            names.add(name, nameField);
        }

        const kubeconfig = members.kubeconfig ? { ...members.kubeconfig, secret: true } : undefined;
        if (kubeconfig && checker.forStackConfig && !setting.secret) {
            // The value is never repeated: it sits in plaintext in the stack file already.
            checker.fail(
                kubeconfig,
                `is stored in plaintext in the stack file; set it again encrypted with \`pulumi config set --secret --path '${kubeconfig.path}' < kubeconfig.yaml\` and remove the plaintext from your history`,
            );
        } else if (kubeconfig && !isEventual(kubeconfig.value)) {
            const fromFile = `\`pulumi config set --secret --path '${kubeconfig.path}' < kubeconfig.yaml\``;
            const text = checker.text(kubeconfig, {
                what: "the text of a kubeconfig file",
                example: "< kubeconfig.yaml",
                emptyFix: checker.forStackConfig ? `set it from the file (${fromFile})` : "pass the text of a kubeconfig file",
            });
            if (text !== undefined && !looksLikeKubeconfig(text)) {
                checker.fail(
                    kubeconfig,
                    `is not a kubeconfig: it has no clusters section; ${checker.forStackConfig ? `set it from the file (${fromFile})` : "pass the text of a kubeconfig file"}`,
                );
            }
        }
        const kubeContext = members.kubeContext
            ? checker.text(members.kubeContext, { what: "a context name from the kubeconfig", example: "prod-eu" })
            : undefined;
        const clusterIdentifier = members.clusterIdentifier
            ? checker.text(members.clusterIdentifier, { what: "a name for the cluster that stays the same when its URL changes", example: "prod-europe-west1" })
            : undefined;
        if (!members.kubeconfig && !members.kubeContext) {
            checker.fail(
                item,
                `names no way to reach the cluster; set its kubeconfig (${checker.forStackConfig ? `\`pulumi config set --secret --path '${childPath(item.path, "kubeconfig")}' < kubeconfig.yaml\`` : "the text of a kubeconfig file"}), ` +
                    `or kubeContext, a context of the ambient kubeconfig (${checker.howToSet(checker.child(item, "kubeContext"), "prod-eu")})`,
            );
        }

        let federation: FederationPlan | undefined;
        if (checker.isSet(keylessSetting)) {
            federation = readClusterIssuer(members.keyless ?? checker.child(item, "keyless"), nameField, name, checker, providerIds, keyless);
        } else if (members.keyless) {
            checker.fail(
                members.keyless,
                `applies only with the keyless credential source (the top-level keyless setting); ${checker.howToRemove(members.keyless)}`,
            );
        }

        // The cluster's own values replace the top-level ones, one setting at a time.
        const paths: Record<string, string> = {};
        const merged: Record<string, unknown> = { ...args, kubeconfig: undefined, kubeContext: undefined, clusterIdentifier: undefined, clusters: undefined };
        for (const key of clusterOverrides) {
            if (!members[key]) continue;
            paths[key] = members[key].path;
            merged[key] = members[key].value;
        }
        if (!checker.isSet(checker.setting("namespaces", args.namespaces)) && !checker.isSet(checker.setting("namespaceSelector", args.namespaceSelector))) {
            // No default: a cluster without namespaces of its own is told so at its own path.
            paths.namespaces ??= childPath(item.path, "namespaces");
            paths.namespaceSelector ??= childPath(item.path, "namespaceSelector");
        }
        const scoped = checker.withSettingPaths(paths, field.secret ? Object.keys(paths) : []);
        const coverage = planNamespaces(merged as unknown as GcrPullSecretsArgs, scoped, refresherNamespace);
        const { serviceAccountWaitSeconds } = planCluster(merged as unknown as GcrPullSecretsArgs, scoped);
        checker.adopt(scoped);

        if (name === undefined || checker.problems.length > before) return;
        clusters.push({
            name,
            kubeconfig: kubeconfig !== undefined,
            ...(kubeContext ? { kubeContext } : {}),
            ...(clusterIdentifier ? { clusterIdentifier } : {}),
            ...coverage,
            serviceAccountWaitSeconds,
            ...(federation ? { federation } : {}),
        });
    });
    return clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Keyless: a cluster's issuer, as a provider of its own in the fleet's pool (its id from the
 * cluster's name unless given). Undefined when unusable (problems recorded) or when the top-level
 * keyless setting could not be read (`keyless` undefined: reported there).
 */
function readClusterIssuer(
    field: Field,
    nameField: Field,
    name: string | undefined,
    checker: Checker,
    providerIds: Uniques,
    keyless: KeylessPlan | undefined,
): FederationPlan | undefined {
    if (!checker.isSet(field)) {
        checker.fail(
            field,
            `is not set; with keyless, each cluster names its ServiceAccount issuer (\`kubectl get --raw /.well-known/openid-configuration\` shows it), ` +
                `for example ${checker.howToSet(checker.child({ ...field, value: {} }, "issuerUri"), "https://issuer.example.com")}`,
        );
        return undefined;
    }
    const members = checker.object(field, {
        what: "the cluster's issuer {issuerUri, jwks?, providerId?}",
        known: clusterKeylessFields,
        example: ["issuerUri", "https://issuer.example.com"],
    });
    if (!members) return undefined;
    const before = checker.problems.length;
    const issuerField = members.issuerUri ?? checker.child(field, "issuerUri");
    const issuerUri = checker.text(issuerField, { what: "the cluster's ServiceAccount issuer URL", example: "https://issuer.example.com", required: true });
    const jwks = members.jwks ? checker.text(members.jwks, { what: "the issuer's JSON Web Key Set", example: "'{\"keys\":[...]}'" }) : undefined;
    if (issuerUri !== undefined) {
        const url = issuerUrl(issuerUri);
        if (!url) {
            checker.fail(
                issuerField,
                `is ${quote(issuerField)}, not an issuer URL: it is https://, with no query or fragment, exactly as the cluster's issuer`,
            );
        } else if (isPrivateHost(url.hostname) && !members.jwks) {
            checker.fail(
                issuerField,
                `is ${quote(issuerField)}, on a host Google cannot reach to fetch the signing keys; inline them: set ${checker.shortPath(checker.child(field, "jwks"))} ` +
                    "to the output of `kubectl get --raw /openid/v1/jwks`",
            );
        }
    }
    const notJwks = jwks === undefined ? undefined : jwksProblem(jwks);
    if (notJwks) checker.fail(members.jwks, `is not a JSON Web Key Set: ${notJwks}; set it to the output of \`kubectl get --raw /openid/v1/jwks\``);
    // The provider's id comes from the cluster's name, so that clusters in one pool never share one.
    const idField = members.providerId ?? nameField;
    const providerId = members.providerId ? checker.text(members.providerId, { what: "a provider id", example: "prod-eu" }) : name;
    if (providerId !== undefined && (!idPattern.test(providerId) || providerId.startsWith("gcp-"))) {
        checker.fail(
            idField,
            members.providerId
                ? `is ${quote(idField)}, not a valid id (${idRule})`
                : `is ${quote(idField)}, which as the id of the cluster's provider in the pool is not valid (${idRule}); ` +
                      `set ${checker.shortPath(checker.child(field, "providerId"))} to one that is`,
        );
    } else if (providerId !== undefined) {
        providerIds.add(providerId, idField);
    }
    if (!keyless || issuerUri === undefined || providerId === undefined || checker.problems.length > before) return undefined;
    return {
        kind: "createPool",
        issuerUri,
        ...(jwks !== undefined ? { jwks } : {}),
        poolId: keyless.federation.kind === "createPool" ? keyless.federation.poolId : "",
        providerId,
    };
}
