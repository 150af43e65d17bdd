/**
 * Reading a label selector from arguments, with errors that name the field: label keys and values
 * as Kubernetes accepts them, operators and their values.
 */
import { LabelSelectorPlan, SelectorOperator, selectorOperators } from "../labelSelector";
import { Checker, Field, quote } from "./checker";

/** The fields a selector object has; callers that embed a selector in a larger object add theirs. */
export const selectorFields = ["matchLabels", "matchExpressions"] as const;

const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key: `[prefix/]name`, prefix a DNS subdomain of at most 253 characters, name at most 63. */
function isLabelKey(key: string): boolean {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && !(prefix.length <= 253 && dnsSubdomain.test(prefix))) return false;
    return name.length <= 63 && labelName.test(name);
}

/** A label value: empty, or at most 63 characters of letters, digits, `-`, `_`, `.`, starting and ending alphanumeric. */
function isLabelValue(value: string): boolean {
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
