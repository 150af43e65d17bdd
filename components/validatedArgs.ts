import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./configError";
import { GcrPullSecretsArgs } from "./gcrPullSecretsArgs";
import { Plan } from "./plan";
import { ArgsCheck, checkArgs, ValidationOptions } from "./validation/checkArgs";

/** The supplied key, as the component gets it. Secret. */
export type SuppliedKey =
    /**
     * Read (and checked) during validation: the key file's JSON text; its facts are in the plan.
     * `text` is the key exactly as given (what the provider receives).
     */
    | { read: true; json: pulumi.Output<string>; text: pulumi.Output<string> }
    /** Given as an Output: read once, by the component, when it resolves. */
    | { read: false; text: pulumi.Output<string> };

/**
 * Component arguments checked once: the plan made from them, and the two secrets, which never enter
 * the plan. {@link GcrPullSecrets} takes one as it is; given plain arguments, it makes one first.
 * Made by {@link validateArgs} and, for this repository's stack, by `readStackConfig`.
 */
export class ValidatedArgs {
    /** Everything the component will create, decided. Frozen. */
    readonly plan: Plan;
    /** The supplied key, when `jsonKey` is the credential source. */
    readonly suppliedKey?: SuppliedKey;
    /** The cluster's kubeconfig text. Secret. Default: none (the ambient kubeconfig). */
    readonly kubeconfig?: pulumi.Output<string>;
    /** Each fleet cluster's kubeconfig text, by cluster name (those given one). Secret. */
    readonly clusterKubeconfigs: ReadonlyMap<string, pulumi.Output<string>>;
    /** See {@link GcrPullSecretsArgs.upgradeFrom01}. */
    readonly upgradeFrom01: boolean;

    /**
     * @param check A check of `args` that found no problem (see {@link checkArgs}).
     * @param args The arguments it checked.
     */
    constructor(check: ArgsCheck, args: GcrPullSecretsArgs) {
        if (check.problems.length > 0 || !check.plan) throw new Error("internal error: arguments with problems are not validated arguments");
        this.plan = check.plan;
        if (check.plan.credentials.kind === "jsonKey") {
            this.suppliedKey =
                check.keyJson !== undefined
                    ? { read: true, json: pulumi.secret(check.keyJson), text: pulumi.secret(pulumi.output(args.jsonKey!)) }
                    : { read: false, text: pulumi.secret(pulumi.output(args.jsonKey!)) };
        }
        if (args.kubeconfig !== undefined) this.kubeconfig = pulumi.secret(args.kubeconfig);
        this.clusterKubeconfigs = new Map(
            (check.plan.clusters ?? []).flatMap((cluster) => {
                const given = args.clusters?.find((entry) => entry.name === cluster.name)?.kubeconfig;
                return given === undefined ? [] : [[cluster.name, pulumi.secret(given)] as const];
            }),
        );
        this.upgradeFrom01 = args.upgradeFrom01 === true;
    }
}

/**
 * Checks component arguments once, reporting every problem together in one {@link ConfigError};
 * nothing is created. A plain-string `jsonKey` is read here; an Output is read when it resolves.
 */
export function validateArgs(args: GcrPullSecretsArgs, options: ValidationOptions = {}): ValidatedArgs {
    const check = checkArgs(args, options);
    if (check.problems.length > 0) {
        throw new ConfigError(check.problems, "GcrPullSecrets arguments");
    }
    return new ValidatedArgs(check, args);
}
