/** Runs `work` on every item with at most `limit` at once; results in the items' order. */
export async function runBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`runBounded: limit must be a whole number of at least 1, not ${limit}`);
    const results = new Array<R>(items.length);
    let next = 0;
    // Each worker takes the next item when its last one ends, so a slow stack never holds back the queue.
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}
