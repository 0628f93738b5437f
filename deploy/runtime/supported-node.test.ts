import { describe, expect, it } from 'vitest';
import { SUPPORTED_NODE, unsupportedNode } from './supported-node';
import pkg from '../../package.json' with { type: 'json' };

describe('supported Node versions', () => {
  it.each([
    ['24.0.0', true],
    ['24.22.3', true],
    ['22.15.0', true],
    ['22.23.5', true],
    ['22.14.0', false],
    ['20.20.2', false],
    ['23.11.0', false],
    ['25.9.0', false],
    ['26.12.1', false],
  ])('Node %s supported: %s', (version, supported) => {
    const problem = unsupportedNode(version, '/usr/bin/node');
    expect(problem === null).toBe(supported);
    if (problem) expect(problem).toContain(`this is Node v${version} (/usr/bin/node)`);
  });

  it("is what package.json's engines says", () => {
    expect(pkg.engines.node).toBe(SUPPORTED_NODE);
  });
});
