import { existsSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { ROLE_ENV } from './role-env';

const line = (i: Instruction) => `line ${i.getRange().start.line + 1}`;
const argsOf = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const jsonOf = (i: JSONInstruction | undefined) =>
  i ? i.getJSONStrings().map((s) => s.getJSONValue()) : [];

/**
 * What is wrong with the Dockerfile of Doppel's image (nothing: an empty list): multi-stage,
 * pinned bases, a non-root final user, COPY sources that exist in `repoRoot`, and a default
 * command that runs one of the roles' package.json scripts.
 */
export function checkDockerfile(
  text: string,
  repoRoot: string,
  scripts: Record<string, string>,
): string[] {
  const findings: string[] = [];
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  if (froms.length < 2) findings.push(`${froms.length} FROM: expected a multi-stage build`);
  const stages = new Set<string>();
  for (const from of froms) {
    const image = from.getImageName() ?? '';
    const pinned = /\d/.test(from.getImageTag() ?? '') || from.getImageDigest() !== null;
    if (!stages.has(image) && !pinned)
      findings.push(`${line(from)}: base image ${from.getImage()} is not pinned to a version`);
    const stage = from.getBuildStage();
    if (stage) stages.add(stage);
  }

  const finalStart = froms.at(-1)?.getRange().start.line ?? 0;
  const inFinal = (i: Instruction) => i.getRange().start.line >= finalStart;
  const user = dockerfile
    .getInstructions()
    .filter((i) => inFinal(i) && i.getKeyword() === 'USER')
    .at(-1);
  const who = user ? (argsOf(user)[0] ?? '').split(':')[0] : 'root';
  if (who === 'root' || who === '0')
    findings.push('the final stage runs as root: end it with USER and a non-root user');

  for (const copy of dockerfile.getCOPYs()) {
    if (copy.getFromFlag()) continue;
    const sources = argsOf(copy)
      .filter((a) => !a.startsWith('--'))
      .slice(0, -1);
    for (const source of sources) {
      if (!existsSync(path.join(repoRoot, source)))
        findings.push(`${line(copy)}: COPY source ${source} does not exist in the repository`);
    }
  }

  const command = [
    ...jsonOf(dockerfile.getENTRYPOINTs().filter(inFinal).at(-1)),
    ...jsonOf(dockerfile.getCMDs().filter(inFinal).at(-1)),
  ];
  const role = command.at(-1) ?? '';
  if (command[0] !== 'npm' || command[1] !== 'run')
    findings.push(`ENTRYPOINT + CMD: ${JSON.stringify(command)}, expected ["npm", "run", …, role]`);
  else if (!scripts[role]) findings.push(`CMD: ${role} is not a package.json script`);
  else if (!ROLE_ENV[role]) findings.push(`CMD: ${role} is not one of the image's roles`);
  return findings;
}
