import { describe, expect, it } from 'vitest';
import { isRejection } from '../errors';
import { parseDeviceProfile } from './parse-device-profile';

/*
 * Every document under examples/ is picked up by Vite's glob import: adding a model is adding
 * a JSON file, and this suite checks it without being edited. The glob is typed locally rather
 * than through `vite/client`, whose globals would leak into the whole project's type check.
 */
type Glob = (
  pattern: string,
  options: { eager: true; import: 'default' },
) => Record<string, unknown>;
const documents = (import.meta as ImportMeta & { glob: Glob }).glob('./examples/*.json', {
  eager: true,
  import: 'default',
});
const files = Object.entries(documents).map(([path, json]) => ({
  file: path.replace('./examples/', ''),
  json,
}));

describe('example profiles', () => {
  it('ships the three reference models', () => {
    expect(files.map((f) => f.file).sort()).toEqual([
      'acme-climate-th1.json',
      'acme-meter-em3.json',
      'acme-wallbox-ac22.json',
    ]);
  });

  it.each(files)('$file parses and is named after its model', ({ file, json }) => {
    const profile = parseDeviceProfile(json);
    if (isRejection(profile)) throw new Error(profile.message);
    expect(`${profile.model}.json`).toBe(file);
  });

  it.each([
    { file: 'acme-wallbox-ac22.json', protocol: 'ocpp1.6', fields: 8, mapped: 6, states: 9 },
    { file: 'acme-climate-th1.json', protocol: 'mqtt', fields: 5, mapped: 4, states: 5 },
    { file: 'acme-meter-em3.json', protocol: 'json', fields: 8, mapped: 6, states: 3 },
  ])('$file declares its protocol, fields, mapping and states', (row) => {
    const profile = parseDeviceProfile(files.find((f) => f.file === row.file)?.json);
    if (isRejection(profile)) throw new Error(profile.message);
    expect(profile.protocol).toBe(row.protocol);
    expect(Object.keys(profile.fields)).toHaveLength(row.fields);
    expect(Object.keys(profile.mapping)).toHaveLength(row.mapped);
    expect(Object.keys(profile.states.status ?? {})).toHaveLength(row.states);
  });
});
