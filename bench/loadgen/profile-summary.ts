/**
 * Reads a V8 CPU profile (inspector Profiler.stop, as `node --cpu-prof` writes) and lists the
 * frames with the most self time, as a markdown table: where the server spends its CPU.
 */
interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export function summariseProfile(profile: unknown, top: number): string {
  const nodes = (profile as { nodes: ProfileNode[] }).nodes;
  const byFrame = new Map<string, number>();
  let total = 0;
  for (const n of nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '');
    const where = file
      ? `${file.replace(/^\/work\/[^/]+\//, '')}:${lineNumber + 1}`
      : '(native / VM)';
    const key = `\`${functionName || '(anonymous)'}\` ${where}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + hits);
  }
  const rows = [...byFrame.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, hits]) => `| ${((hits / total) * 100).toFixed(1)} % | ${frame} |`);
  return ['| self | frame |', '|---|---|', ...rows].join('\n');
}
