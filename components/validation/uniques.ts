import type { Checker } from "./checker";
import { Field, quote } from "./field";

/** Refuses the second and later occurrences of a key in a list. */
export class Uniques {
    private readonly seen = new Map<string, { field: Field; label: Field }>();

    constructor(
        private readonly checker: Checker,
        /** What one entry is, for "list each <what> once". */
        private readonly what: string,
    ) {}

    /**
     * True when `key` is new; otherwise records that `field` repeats an earlier entry. `label` is
     * what the message quotes (default: the field itself).
     */
    add(key: string, field: Field, label: Field = field): boolean {
        const first = this.seen.get(key);
        if (!first) {
            this.seen.set(key, { field, label });
            return true;
        }
        const at = this.checker.shortPath(first.field);
        const shown = label.secret || first.label.secret ? `the entry at ${at}` : `${quote(label)} (also ${at})`;
        this.checker.fail(field, `repeats ${shown}; list each ${this.what} once`);
        return false;
    }
}
