/**
 * Pure list logic for `ServiceAccount.imagePullSecrets`.
 *
 * The list is `+listType=atomic` in k8s.io/api core/v1 (types.go, ServiceAccount): server-side
 * apply and merge patches replace it whole, so every write must start from the list as it is
 * now and change only our entry. These functions never reorder or drop anyone else's entries.
 */

/** One entry of `imagePullSecrets` (a core/v1 LocalObjectReference). */
export interface LocalObjectReference {
    name?: string;
}

/**
 * The list with `secretName` present. Returns the same entries in the same order plus ours at the
 * end; `changed` is false when ours was already there (then nothing needs writing).
 */
export function withPullSecret(current: readonly LocalObjectReference[] | undefined, secretName: string): { list: LocalObjectReference[]; changed: boolean } {
    const list = [...(current ?? [])];
    if (list.some((entry) => entry.name === secretName)) {
        return { list, changed: false };
    }
    list.push({ name: secretName });
    return { list, changed: true };
}

/**
 * The list with every entry named `secretName` removed and all others kept in order. `changed`
 * is false when ours was not there.
 */
export function withoutPullSecret(
    current: readonly LocalObjectReference[] | undefined,
    secretName: string,
): { list: LocalObjectReference[]; changed: boolean } {
    const before = current ?? [];
    const list = before.filter((entry) => entry.name !== secretName);
    return { list, changed: list.length !== before.length };
}

/** True when `secretName` is in the list. */
export function hasPullSecret(current: readonly LocalObjectReference[] | undefined, secretName: string): boolean {
    return (current ?? []).some((entry) => entry.name === secretName);
}
