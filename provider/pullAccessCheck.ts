/**
 * The `verifyPullAccess` function, run by `pulumi up` once every PullSecret is written: per namespace
 * and covered ServiceAccount, one dry-run Pod (dryRunPod.ts), and per namespace and repository of
 * verifyRepositories one token request (registryToken.ts) with the namespace's credential. Bounded
 * concurrency; nothing here fails the update: every problem becomes a result.
 */
import { createHash } from "crypto";
import { namespaceStatus, NamespacePullAccess, PullAccessRequest, RepositoryPullAccess, ServiceAccountPullAccess } from "../components/pullAccess";
import { admittedPullSecrets, classifyAdmitted, classifyRefusal, dryRunPod, strippedDetail } from "./dryRunPod";
import { Connection, describeApiError, readSecret } from "./kubeApi";
import { basicCredential, probeRepository } from "./registryToken";

/** At most this many cluster calls (or token requests) at a time, as the PullSecrets' own writes. */
export const checkConcurrency = 8;

/** Runs work under a bound shared by every caller of the same gate. */
export type Gate = <T>(work: () => Promise<T>) => Promise<T>;

/** A gate letting at most `limit` works run at once; the others wait their turn in order. */
export function boundedGate(limit: number): Gate {
    let running = 0;
    const waiting: (() => void)[] = [];
    return async (work) => {
        if (running < limit) running++;
        else await new Promise<void>((resume) => waiting.push(resume));
        try {
            return await work();
        } finally {
            // The slot passes straight to the next in line, so a newcomer cannot take it in between.
            const next = waiting.shift();
            if (next) next();
            else running--;
        }
    };
}

/**
 * The component asks in batches, several of which may be answered at once: the bound holds across
 * all the requests this plugin process serves (it lives for one `pulumi up`).
 */
const processGate = boundedGate(checkConcurrency);

/** Each probe's answers, per credential digest and repository, for this process: one request each, however many batches ask. */
const probeAnswers = new WeakMap<Probe, Map<string, Promise<RepositoryPullAccess>>>();

/** The calls the check makes, besides those of {@link Connection} (tests pass fakes). */
export interface PodApi {
    createNamespacedPod(req: { namespace: string; body: object; dryRun?: string }): Promise<unknown>;
    readNamespacedServiceAccount(req: { name: string; namespace: string }): Promise<{ imagePullSecrets?: { name?: string }[] }>;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function boundedMap<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(limit, items.length) }, async () => {
            while (next < items.length) {
                const index = next++;
                results[index] = await work(items[index]);
            }
        }),
    );
    return results;
}

/** Reads the request the component sent (plain names only; nothing secret travels in it). */
export function readPullAccessRequest(args: Record<string, unknown>): PullAccessRequest {
    const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);
    const namespaces = Array.isArray(args.namespaces) ? (args.namespaces as Record<string, unknown>[]) : [];
    return {
        secretName: typeof args.secretName === "string" ? args.secretName : "",
        registries: strings(args.registries),
        pods: args.pods === true,
        repositories: strings(args.repositories),
        namespaces: namespaces
            .filter((entry) => typeof entry?.name === "string")
            .map((entry) => ({ name: entry.name as string, serviceAccounts: strings(entry.serviceAccounts), attached: strings(entry.attached) })),
    };
}

/** One ServiceAccount's dry-run Pod, and on a Pod without the Secret, one read of the ServiceAccount to say why. */
async function checkServiceAccount(api: PodApi, request: PullAccessRequest, namespace: string, account: string): Promise<ServiceAccountPullAccess> {
    let pod: unknown;
    try {
        pod = await api.createNamespacedPod({ namespace, body: dryRunPod(account, request.registries, request.repositories), dryRun: "All" });
    } catch (error) {
        return classifyRefusal(error, namespace);
    }
    const verdict = classifyAdmitted(pod, request.secretName);
    if (verdict !== "stripped") return verdict;
    let accountList: string[] | undefined;
    let readError: string | undefined;
    try {
        const read = await api.readNamespacedServiceAccount({ name: account, namespace });
        accountList = (read.imagePullSecrets ?? []).map((ref) => ref.name ?? "");
    } catch (error) {
        readError = describeApiError(error);
    }
    return { status: "stripped", detail: strippedDetail(request.secretName, admittedPullSecrets(pod), accountList, readError) };
}

type Probe = (host: string, path: string, credential: string) => Promise<RepositoryPullAccess>;

/** Each repository asked with the namespace's credential; one request per distinct credential and repository. */
async function checkRepositories(
    connection: Connection,
    request: PullAccessRequest,
    namespace: string,
    asked: Map<string, Promise<RepositoryPullAccess>>,
    probe: Probe,
): Promise<Record<string, RepositoryPullAccess>> {
    const results: Record<string, RepositoryPullAccess> = {};
    let dockerConfig: string | undefined;
    let readProblem: string | undefined;
    try {
        const secret = await readSecret(connection.api, namespace, request.secretName);
        const data = secret?.data?.[".dockerconfigjson"];
        if (data) dockerConfig = Buffer.from(data, "base64").toString("utf8");
        else readProblem = `Secret ${namespace}/${request.secretName} has no .dockerconfigjson`;
    } catch (error) {
        readProblem = (error as Error).message;
    }
    for (const repository of request.repositories) {
        const slash = repository.indexOf("/");
        const host = repository.slice(0, slash);
        const path = repository.slice(slash + 1);
        const credential = dockerConfig === undefined ? undefined : basicCredential(dockerConfig, host);
        if (credential === undefined) {
            results[repository] = {
                access: "unknown",
                detail: readProblem ?? `the Secret holds no credential for ${host} (keyless: the refresher has not written one yet)`,
            };
            continue;
        }
        // Keyed by a digest, so the credential itself is not kept in a map key for longer than needed.
        const key = `${createHash("sha256").update(credential).digest("hex")} ${repository}`;
        let answer = asked.get(key);
        if (!answer) {
            answer = probe(host, path, credential);
            asked.set(key, answer);
        }
        results[repository] = await answer;
    }
    return results;
}

/** Runs every check the request asks for; the result per namespace. */
export async function checkPullAccess(
    connection: Connection,
    args: Record<string, unknown>,
    probe: Probe = probeRepository,
    gate: Gate = processGate,
): Promise<{ namespaces: Record<string, NamespacePullAccess> }> {
    const request = readPullAccessRequest(args);
    const api = connection.api as unknown as PodApi;
    const jobs = request.namespaces.flatMap((namespace) =>
        request.pods
            ? namespace.serviceAccounts.map((account) => ({ namespace: namespace.name, account, attached: namespace.attached.includes(account) }))
            : [],
    );
    const podResults = await boundedMap(jobs, checkConcurrency, async (job): Promise<ServiceAccountPullAccess> => {
        // Not in the list since the last write (a found ServiceAccount deleted before it): nothing to check.
        if (!job.attached) return { status: "skipped", detail: `the ServiceAccount did not exist when the Secret was written` };
        return gate(() => checkServiceAccount(api, request, job.namespace, job.account));
    });
    const answers = probeAnswers.get(probe) ?? new Map<string, Promise<RepositoryPullAccess>>();
    probeAnswers.set(probe, answers);
    const repositoryResults =
        request.repositories.length === 0
            ? []
            : await boundedMap(request.namespaces, checkConcurrency, (namespace) =>
                  gate(() => checkRepositories(connection, request, namespace.name, answers, probe)),
              );
    const accountsOf = new Map<string, Record<string, ServiceAccountPullAccess>>(request.namespaces.map((namespace) => [namespace.name, {}]));
    jobs.forEach((job, index) => (accountsOf.get(job.namespace)![job.account] = podResults[index]));
    const namespaces: Record<string, NamespacePullAccess> = {};
    request.namespaces.forEach((namespace, index) => {
        const accounts = accountsOf.get(namespace.name)!;
        namespaces[namespace.name] = {
            status: request.pods ? namespaceStatus(Object.values(accounts)) : "skipped",
            ...(request.pods ? { serviceAccounts: accounts } : {}),
            ...(request.repositories.length > 0 ? { repositories: repositoryResults[index] } : {}),
        };
    });
    return { namespaces };
}
