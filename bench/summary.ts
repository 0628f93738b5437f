import {
  currentSection,
  figuresOf,
  replaceSection,
  sectionEnd,
  sectionName,
  sectionStart,
  type Figure,
  type FigureRecord,
} from './report';

/** The sections a profile can write, in report order, with the title the summary gives them. */
export const BENCH_SECTIONS = [
  { name: 'ingest', title: 'Gateway ingest' },
  { name: 'pipeline', title: 'Twin pipeline' },
  { name: 'burst', title: 'One chatty twin' },
  { name: 'connections', title: 'Idle connections, reconnect storm' },
  { name: 'rollout', title: 'Firmware rollout' },
  { name: 'provisioning', title: 'Bulk provisioning' },
  { name: 'cost', title: 'Cost per device event' },
  { name: 'console', title: 'Console page loads' },
] as const;

const shown = (x: number) =>
  Number.isInteger(x)
    ? x.toLocaleString('en')
    : x.toLocaleString('en', { maximumFractionDigits: 2 });

const when = (r: FigureRecord) => `${r.date}${r.quick ? ', quick' : ''}`;

/**
 * "Dev server and cluster side by side": every headline figure of every section that
 * BENCHMARKS.md has in either profile (read from the `<!-- figures: … -->` line each section
 * ends with), the two values and cluster ÷ dev server. A figure one profile has not measured
 * reads "not yet measured".
 */
export function sideBySide(read: (name: string) => string = currentSection): string {
  const rows: string[] = [];
  for (const { name, title } of BENCH_SECTIONS) {
    const dev = figuresOf(read(sectionName(name, 'dev')));
    const cluster = figuresOf(read(sectionName(name, 'cluster')));
    if (!dev && !cluster) continue;
    const keys: Figure[] = [];
    for (const f of [...(dev?.figures ?? []), ...(cluster?.figures ?? [])]) {
      if (!keys.some((k) => k.key === f.key)) keys.push(f);
    }
    for (const f of keys) {
      const d = dev?.figures.find((x) => x.key === f.key);
      const c = cluster?.figures.find((x) => x.key === f.key);
      const ratio =
        d && c && d.value !== 0
          ? `${(c.value / d.value).toFixed(2)}× (${f.better} is better)`
          : '—';
      rows.push(
        `| ${title} | ${f.label} | ${d ? `${shown(d.value)} (${when(dev!)})` : 'not yet measured'} | ${c ? `${shown(c.value)} (${when(cluster!)})` : 'not yet measured'} | ${ratio} |`,
      );
    }
  }
  return `## Dev server and cluster side by side

The headline figure of each section on both backends: the scratch Temporal dev server (SQLite
in memory, PostgreSQL without fsync: \`npm run bench\`) and the cluster profile (the real
Temporal server on PostgreSQL with fsync on: \`npm run bench -- --profile=cluster\`, sections
marked *@cluster* below). Regenerated after every run from the figures line each section of
this file ends with, so it always compares what the tables show; the date says when each was
measured and *quick* marks a \`--quick\` run (fewer, shorter runs: a smoke test, not a result).
Both profiles share this 2-core machine with the load: a ratio says how the backends compare
here, not how a cluster on its own hardware scales (docs/scaling.md).

| section | figure | dev server | cluster | cluster ÷ dev server |
|---|---|---|---|---|
${rows.length ? rows.join('\n') : '| — | no section has figures yet | | | |'}
`;
}

/** Rewrites BENCHMARKS.md's side-by-side summary from the sections it has now (first time: above them). */
export function refreshSummary(): void {
  replaceSection(
    'summary',
    `${sectionStart('summary')}\n${sideBySide()}${sectionEnd('summary')}\n`,
    '<!-- section:',
  );
}
