// `npx tsx deploy/validate-deploy.ts` (.ci/run): checks the deploy artefacts offline — the
// Dockerfile, the compose file and the Helm chart — and exits 1 on any finding (docs/deploy.md).
import { validateDeployArtefacts } from './validate/artefacts';
import { resolveDeployTools } from './validate/tools';

const tools = await resolveDeployTools((line) => console.log(line));
const findings = await validateDeployArtefacts(tools);
for (const [artefact, list] of Object.entries(findings)) {
  console.log(`${list.length ? '✗' : '✓'} ${artefact}`);
  for (const finding of list) console.log(`    ${finding.replaceAll('\n', '\n    ')}`);
}
if (Object.values(findings).some((list) => list.length)) process.exit(1);
