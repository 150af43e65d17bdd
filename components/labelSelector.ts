/**
 * Kubernetes label selectors (`matchLabels`, `matchExpressions`), as plain data: reading one from
 * arguments with errors that name the field, matching it against an object's labels, and writing
 * it the way `kubectl get -l` does. The matching follows apimachinery's `LabelSelectorAsSelector`:
 * every requirement must hold, and a selector without any requirement selects everything.
 */
import { Checker, Field, quote } from "./validation/checker";

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

/** The fields a selector object has; callers that embed a selector in a larger object add theirs. */
export const selectorFields = ["matchLabels", "matchExpressions"] as const;

const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key: `[prefix/]name`, prefix a DNS subdomain of at most 253 characters, name at most 63. */
export function isLabelKey(key: string): boolean {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && !(prefix.length <= 253 && dnsSubdomain.test(prefix))) return false;
    return name.length <= 63 && labelName.test(name);
}

/** A label value: empty, or at most 63 characters of letters, digits, `-`, `_`, `.`, starting and ending alphanumeric. */
export function isLabelValue(value: string): boolean {
    return value === "" || (value.length <= 63 && labelName.test(value));
}

const keyRule = "a label key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
const valueRule = "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or empty)";

/**
 * Reads the selector members of an object already split into fields. Returns undefined when a
 * problem was recorded.
 */
export function readLabelSelector(members: Record<string, Field>, checker: Checker): LabelSelectorPlan | undefined {
    const before = checker.problems.length;
    const requirements: LabelSelectorPlan["requirements"] = [];
    if (members.matchLabels && checker.isSet(members.matchLabels)) {
        const labels = members.matchLabels;
        if (labels.value === null || typeof labels.value !== "object" || Array.isArray(labels.value)) {
            checker.fail(
                labels,
                `must be labels and their values, not ${quote(labels)}; for example ${checker.howToSet({ ...labels, path: `${labels.path}.team` }, "team-a")}`,
            );
        } else {
            for (const key of Object.keys(labels.value)) {
                const valueField = checker.child(labels, key);
                if (!isLabelKey(key)) {
                    checker.fail(valueField, `is not ${keyRule}; write the key as \`kubectl get namespaces --show-labels\` shows it`);
                    continue;
                }
                const value = checker.text(valueField, { what: "the label value", example: "team-a", allowEmpty: true, required: true });
                if (value === undefined) continue;
                if (!isLabelValue(value)) {
                    checker.fail(valueField, `is ${quote(valueField)}, not a label value (${valueRule})`);
                    continue;
                }
                requirements.push({ key, operator: "In", values: [value] });
            }
        }
    }
    for (const item of (members.matchExpressions &&
        checker.list(members.matchExpressions, { what: "label requirements", example: "{key: team, operator: In, values: [a]}" })) ??
        []) {
        const fields = checker.object(item, { what: "a requirement {key, operator, values?}", known: ["key", "operator", "values"], example: ["key", "team"] });
        if (!fields) continue;
        const keyField = fields.key ?? checker.child(item, "key");
        const key = checker.text(keyField, { what: "the label key", example: "team", required: true });
        if (key !== undefined && !isLabelKey(key)) checker.fail(keyField, `is ${quote(keyField)}, not ${keyRule}`);
        const operatorField = fields.operator ?? checker.child(item, "operator");
        const operatorText = checker.text(operatorField, { what: "the operator", example: "In", required: true });
        let operator: SelectorOperator | undefined;
        if (operatorText !== undefined) {
            operator = selectorOperators.find((known) => known === operatorText);
            if (!operator) {
                const sameLetters = selectorOperators.find((known) => known.toLowerCase() === operatorText.toLowerCase());
                checker.fail(
                    operatorField,
                    `is ${quote(operatorField)}; use ${sameLetters ? `"${sameLetters}" (operators are case-sensitive)` : selectorOperators.map((o) => `"${o}"`).join(", ")}`,
                );
            }
        }
        const values: string[] = [];
        const valuesField = fields.values;
        const beforeValues = checker.problems.length;
        for (const valueItem of (valuesField && checker.list(valuesField, { what: "label values", example: "team-a" })) ?? []) {
            const value = checker.text(valueItem, { what: "a label value", example: "team-a", allowEmpty: true, required: true });
            if (value === undefined) continue;
            if (!isLabelValue(value)) checker.fail(valueItem, `is ${quote(valueItem)}, not a label value (${valueRule})`);
            else values.push(value);
        }
        if (operator === "In" || operator === "NotIn") {
            // A bad value was reported already; "no values" would repeat it.
            if (values.length === 0 && checker.problems.length === beforeValues) {
                checker.fail(valuesField ?? checker.child(item, "values"), `must list at least one value for operator ${operator}`);
            }
        } else if (operator && valuesField && checker.isSet(valuesField) && Array.isArray(valuesField.value) && valuesField.value.length > 0) {
            checker.fail(
                valuesField,
                `must be empty for operator ${operator}, which looks only at whether the label is there; ${checker.howToRemove(valuesField)}`,
            );
        }
        if (key !== undefined && operator) requirements.push({ key, operator, values });
    }
    return checker.problems.length === before ? { requirements } : undefined;
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
