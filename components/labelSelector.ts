/**
 * Kubernetes label selectors (`matchLabels`, `matchExpressions`), as plain data: matching one
 * against an object's labels, and writing it the way `kubectl get -l` does (reading one from
 * arguments is validation/readLabelSelector.ts). The matching follows apimachinery's
 * `LabelSelectorAsSelector`: every requirement must hold, and a selector without any requirement
 * selects everything.
 */

/** A label selector, as in Kubernetes' `metav1.LabelSelector`. */
export interface LabelSelectorArgs {
    /** Labels the object must carry with exactly these values. Default: none. */
    matchLabels?: Record<string, string>;
    /** Requirements on labels (`In`, `NotIn`, `Exists`, `DoesNotExist`), all of which must hold. Default: none. */
    matchExpressions?: LabelSelectorRequirementArgs[];
}

/** One requirement of a label selector. */
export interface LabelSelectorRequirementArgs {
    /** The label key. Required. */
    key: string;
    /** `In`, `NotIn`, `Exists` or `DoesNotExist`. Required. */
    operator: string;
    /** The values, for `In` and `NotIn` (at least one); none for `Exists` and `DoesNotExist`. */
    values?: string[];
}

export const selectorOperators = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
export type SelectorOperator = (typeof selectorOperators)[number];

/** A checked selector: requirements in the order given, matchLabels first. */
export interface LabelSelectorPlan {
    requirements: { key: string; operator: SelectorOperator; values: string[] }[];
}

/** True when `labels` satisfy every requirement of the selector. */
export function matchesLabels(selector: LabelSelectorPlan, labels: Readonly<Record<string, string>>): boolean {
    return selector.requirements.every(({ key, operator, values }) => {
        const has = Object.prototype.hasOwnProperty.call(labels, key);
        switch (operator) {
            case "In":
                return has && values.includes(labels[key]);
            case "NotIn":
                return !has || !values.includes(labels[key]);
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
        }
    });
}

/** The selector as `kubectl get -l` takes it (`team=a,env in (dev,prod),!legacy`); "everything" when empty. */
export function describeSelector(selector: LabelSelectorPlan): string {
    if (selector.requirements.length === 0) return "everything";
    return selector.requirements
        .map(({ key, operator, values }) => {
            switch (operator) {
                case "In":
                    return values.length === 1 ? `${key}=${values[0]}` : `${key} in (${values.join(",")})`;
                case "NotIn":
                    return `${key} notin (${values.join(",")})`;
                case "Exists":
                    return key;
                case "DoesNotExist":
                    return `!${key}`;
            }
        })
        .join(",");
}
