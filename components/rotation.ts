const dayMs = 24 * 60 * 60 * 1000;

/**
 * The index of the rotation period `now` falls in, as a string for the key's `keepers`.
 *
 * Periods are fixed `days`-long windows counted from the Unix epoch, so the schedule needs no
 * state and no extra provider plugin (a time provider would have to be obtainable on offline
 * machines): the first `pulumi up` in a new window replaces the key. A key therefore lives at
 * most `days` plus the time until the next update. `days` 0 means no scheduled rotation.
 */
export function rotationWindow(now: Date, days: number): string {
    if (days === 0) {
        return "none";
    }
    return String(Math.floor(now.getTime() / (days * dayMs)));
}
