import { spawnSync } from 'node:child_process';

interface HadolintFinding {
  code: string;
  level: string;
  line: number;
  message: string;
}

/** hadolint's findings on a Dockerfile (its rules DLxxxx and ShellCheck's SCxxxx on RUN). */
export function hadolintFindings(hadolint: string, text: string): string[] {
  const run = spawnSync(hadolint, ['--no-color', '--format', 'json', '-'], {
    input: text,
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  let findings: HadolintFinding[];
  try {
    findings = JSON.parse(run.stdout) as HadolintFinding[];
  } catch {
    return [`hadolint failed (exit ${run.status}): ${run.stderr.trim()}`];
  }
  return findings.map((f) => `line ${f.line}: hadolint ${f.code} (${f.level}): ${f.message}`);
}
