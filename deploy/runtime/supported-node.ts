/**
 * The Node.js versions Doppel runs on: 24 (LTS until 2028-04-30; what `npm install` brings) and
 * 22 ≥ 22.15 (maintenance until 2027-04-30; what its dependencies need). Node 26 waits for a
 * uWS build for its ABI: the newest on the npm registry stops at Node 25 (docs/runtime.md).
 */
export const SUPPORTED_NODE = '^22.15.0 || ^24.0.0';

/** Why this Node version cannot run Doppel, or null when it can. */
export function unsupportedNode(version: string, execPath: string): string | null {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  if (major === 24 || (major === 22 && minor >= 15)) return null;
  return (
    `Doppel needs Node.js 24 (or 22 ≥ 22.15); this is Node v${version.replace(/^v/, '')} (${execPath}).\n` +
    '  fix: start it through npm (npm start, npm test, npm run gateway|worker|api): `npm install` puts Node 24\n' +
    '       from the npm registry in node_modules/.bin, which npm scripts run first; or install Node 24 (docs/runtime.md)'
  );
}
