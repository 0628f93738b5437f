/**
 * The side-by-side summary of BENCHMARKS.md: built from the figures line each section ends
 * with, whichever profiles have the section.
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sectionName, type FigureRecord } from './report';
import { sideBySide } from './summary';

const line = (record: FigureRecord) =>
  `## a table\n\n<!-- figures: ${JSON.stringify(record)} -->\n`;
const rate = (key: string, value: number) => ({
  key,
  label: `${key} per s`,
  value,
  better: 'higher' as const,
});

describe('the dev server and cluster summary', () => {
  it('shows each figure from both profiles with cluster ÷ dev, and says which one is not yet measured', () => {
    const file = new Map([
      [
        sectionName('pipeline', 'dev'),
        line({
          section: 'pipeline',
          profile: 'dev',
          date: '2026-12-01',
          quick: false,
          machine: 'm',
          figures: [rate('committed-per-s', 400), rate('raw-per-s', 900)],
        }),
      ],
      [
        sectionName('pipeline', 'cluster'),
        line({
          section: 'pipeline',
          profile: 'cluster',
          date: '2026-12-04',
          quick: true,
          machine: 'm',
          figures: [rate('committed-per-s', 600)],
        }),
      ],
      [
        sectionName('burst', 'cluster'),
        line({
          section: 'burst',
          profile: 'cluster',
          date: '2026-12-04',
          quick: true,
          machine: 'm',
          figures: [rate('changes-per-s-window-64', 1_500)],
        }),
      ],
    ]);
    const rows = sideBySide((name) => file.get(name) ?? '')
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| section'));
    expect(rows).toEqual([
      '| Twin pipeline | committed-per-s per s | 400 (2026-12-01) | 600 (2026-12-04, quick) | 1.50× (higher is better) |',
      '| Twin pipeline | raw-per-s per s | 900 (2026-12-01) | not yet measured | — |',
      '| One chatty twin | changes-per-s-window-64 per s | not yet measured | 1,500 (2026-12-04, quick) | — |',
    ]);
  });

  it('reads the figures that a section writes', async () => {
    const { figuresLine, figuresOf } = await import('./report');
    const text = `## x\n\n${figuresLine({ section: 'test-only', profile: 'cluster', quick: true, figures: [rate('a', 1.25)] })}`;
    expect(figuresOf(text)?.figures).toEqual([rate('a', 1.25)]);
    expect(figuresOf('## no figures here\n')).toBeNull();
    rmSync(new URL('./results/test-only@cluster.json', import.meta.url), { force: true });
  });
});
