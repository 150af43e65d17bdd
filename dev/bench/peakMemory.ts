// Peak resident memory of the Pulumi CLI processes this process starts and everything they start
// (engine, language host, program, provider plugins), sampled from /proc: the sum over the process
// tree at each sample, and the largest sum seen. Linux only; elsewhere it reports nothing.
import * as fs from "fs";

interface ProcessInfo {
    pid: number;
    ppid: number;
    command: string;
    rssBytes: number;
}

const pageSize = 4096;

function readProcesses(): ProcessInfo[] {
    const found: ProcessInfo[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // The command is in parentheses and may itself hold spaces or parentheses.
            const close = stat.lastIndexOf(")");
            const command = stat.slice(stat.indexOf("(") + 1, close);
            const fields = stat.slice(close + 2).split(" ");
            // After the command: state(0) ppid(1) ... rss is field 24 of the whole line, 22 here.
            found.push({ pid: Number(entry), ppid: Number(fields[1]), command, rssBytes: Number(fields[21]) * pageSize });
        } catch {
            // Gone between the listing and the read.
        }
    }
    return found;
}

/** The summed RSS of every `pulumi` child of `root` and all its descendants, in bytes. */
export function pulumiTreeRss(root = process.pid): number {
    const processes = readProcesses();
    const children = new Map<number, ProcessInfo[]>();
    for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    let total = 0;
    const walk = (p: ProcessInfo) => {
        total += p.rssBytes;
        for (const child of children.get(p.pid) ?? []) walk(child);
    };
    for (const child of children.get(root) ?? []) if (child.command === "pulumi") walk(child);
    return total;
}

/** Samples {@link pulumiTreeRss} every `intervalMs` while `work` runs; resolves to its result and the peak in MiB. */
export async function withPeakMemory<T>(work: () => Promise<T>, intervalMs = 200): Promise<{ result: T; peakMiB: number }> {
    if (process.platform !== "linux") return { result: await work(), peakMiB: NaN };
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, pulumiTreeRss())), intervalMs);
    try {
        const result = await work();
        return { result, peakMiB: peak / 2 ** 20 };
    } finally {
        clearInterval(timer);
    }
}
