import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { checkRoleEnv } from './role-env-check';
import type { DeployTools } from './tools';
import { KUBERNETES_VERSION } from './tools';

interface Container {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
}
interface Manifest {
  kind?: string;
  metadata?: { name?: string };
  spec?: { template?: { spec?: { containers?: Container[] } } };
}

function run(command: string, args: string[], input?: string): { ok: boolean; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  return { ok: result.status === 0, out: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * What is wrong with the chart rendered with these values files (none: the defaults): `helm
 * lint --strict`, `helm template`, kubeconform -strict on every manifest against Kubernetes'
 * schemas, and every Doppel container's variables against its role's configuration.
 */
export function checkChart(tools: DeployTools, chartDir: string, valuesFiles: string[]): string[] {
  const values = valuesFiles.flatMap((f) => ['-f', f]);
  const label = valuesFiles.length ? valuesFiles.join(', ') : 'default values';
  const lint = run(tools.helm, ['lint', '--strict', chartDir, ...values]);
  if (!lint.ok) return [`helm lint (${label}):\n${lint.out}`];
  const rendered = run(tools.helm, [
    'template',
    'doppel',
    chartDir,
    '--kube-version',
    KUBERNETES_VERSION,
    ...values,
  ]);
  if (!rendered.ok) return [`helm template (${label}):\n${rendered.out}`];
  const findings: string[] = [];
  const conform = run(
    tools.kubeconform,
    [
      '-strict',
      '-summary',
      '-kubernetes-version',
      KUBERNETES_VERSION,
      '-schema-location',
      tools.schemaLocation,
      '-',
    ],
    rendered.out,
  );
  if (!conform.ok) findings.push(`kubeconform -strict (${label}):\n${conform.out}`);
  for (const doc of parseAllDocuments(rendered.out)) {
    const manifest = doc.toJS() as Manifest | null;
    for (const container of manifest?.spec?.template?.spec?.containers ?? []) {
      findings.push(
        ...checkRoleEnv(
          `${manifest?.kind} ${manifest?.metadata?.name} (${label})`,
          container.args?.at(-1) ?? '',
          (container.env ?? []).map(({ name, value }) => ({ name, value })),
        ),
      );
    }
  }
  return findings;
}
