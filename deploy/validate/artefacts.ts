import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../embedded/paths';
import { checkCompose } from './compose';
import { checkDockerfile } from './dockerfile';
import { hadolintFindings } from './hadolint';
import { checkChart } from './helm-chart';
import { checkImageRuntime } from './image-runtime';
import type { DeployTools } from './tools';

export const DOCKERFILE = path.join(PROJECT_ROOT, 'deploy/docker/Dockerfile');
export const COMPOSE_FILE = path.join(PROJECT_ROOT, 'deploy/compose/compose.yaml');
export const CHART_DIR = path.join(PROJECT_ROOT, 'deploy/helm/doppel');
/** Values files the chart is rendered with besides its defaults. */
export const CHART_VALUES = [path.join(CHART_DIR, 'ci/options-values.yaml')];

export const packageScripts = () =>
  (
    JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;

/** Every deploy artefact's findings, by artefact; all lists empty when all is well. */
export async function validateDeployArtefacts(
  tools: DeployTools,
): Promise<Record<string, string[]>> {
  return {
    [path.relative(PROJECT_ROOT, DOCKERFILE)]: [
      ...checkDockerfile(readFileSync(DOCKERFILE, 'utf8'), PROJECT_ROOT, packageScripts()),
      ...hadolintFindings(tools.hadolint, readFileSync(DOCKERFILE, 'utf8')),
    ],
    [`${path.relative(PROJECT_ROOT, DOCKERFILE)} (the roles on production dependencies)`]:
      await checkImageRuntime(readFileSync(DOCKERFILE, 'utf8'), PROJECT_ROOT),
    [path.relative(PROJECT_ROOT, COMPOSE_FILE)]: checkCompose(
      readFileSync(COMPOSE_FILE, 'utf8'),
      path.dirname(COMPOSE_FILE),
      tools.composeSchema,
    ),
    [`${path.relative(PROJECT_ROOT, CHART_DIR)} (default values)`]: checkChart(
      tools,
      CHART_DIR,
      [],
    ),
    ...Object.fromEntries(
      CHART_VALUES.map((f) => [
        `${path.relative(PROJECT_ROOT, CHART_DIR)} (${path.basename(f)})`,
        checkChart(tools, CHART_DIR, [f]),
      ]),
    ),
  };
}
