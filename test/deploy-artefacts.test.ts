// The deploy artefacts (deploy/docker, deploy/compose, deploy/helm) checked offline as CI
// does (deploy/validate-deploy.ts), and each check shown to catch the mistake it is for.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { PROJECT_ROOT } from '../deploy/embedded/paths';
import {
  CHART_DIR,
  COMPOSE_FILE,
  DOCKERFILE,
  packageScripts,
  validateDeployArtefacts,
} from '../deploy/validate/artefacts';
import { checkCompose } from '../deploy/validate/compose';
import { checkDockerfile } from '../deploy/validate/dockerfile';
import { hadolintFindings } from '../deploy/validate/hadolint';
import { checkImageRuntime } from '../deploy/validate/image-runtime';
import { checkChart } from '../deploy/validate/helm-chart';
import { resolveDeployTools, type DeployTools } from '../deploy/validate/tools';

let tools: DeployTools;
// First run on a machine: helm and kubeconform built with go install (minutes), then cached.
beforeAll(async () => {
  tools = await resolveDeployTools((line) => console.log(line));
}, 900_000);

const dockerfile = () => readFileSync(DOCKERFILE, 'utf8');
const compose = () => readFileSync(COMPOSE_FILE, 'utf8');
const checkDocker = (text: string) => checkDockerfile(text, PROJECT_ROOT, packageScripts());
const checkComposeText = (text: string) =>
  checkCompose(text, path.dirname(COMPOSE_FILE), tools.composeSchema);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'doppel-values-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
function valuesFile(text: string): string {
  const file = path.join(scratch, `values-${++files}.yaml`);
  writeFileSync(file, text);
  return file;
}

test('the Dockerfile, the compose file and the Helm chart (default and CI values) have no findings', async () => {
  const findings = await validateDeployArtefacts(tools);
  expect(Object.keys(findings)).toHaveLength(5);
  expect(findings).toEqual(Object.fromEntries(Object.keys(findings).map((k) => [k, []])));
});

describe('the Dockerfile check', () => {
  test('refuses a final stage that runs as root', () => {
    expect(checkDocker(dockerfile().replace('USER 1000:1000', 'USER root'))).toEqual([
      'the final stage runs as root: end it with USER and a non-root user',
    ]);
  });

  test('refuses a single stage, an unpinned base and a COPY of a missing folder', () => {
    const text = dockerfile()
      // Every stage before the runtime's gone: one stage left.
      .replace(/FROM node:[^\n]* AS deps[\s\S]*?(?=FROM node:\S+ AS runtime)/, '')
      .replace(/FROM node:\S+ AS runtime/, 'FROM node:latest AS runtime')
      .replace('COPY --from=deps /app/node_modules ./node_modules', 'COPY twinz ./twinz');
    expect(checkDocker(text)).toEqual([
      '1 FROM: expected a multi-stage build',
      expect.stringMatching(/base image node:latest is not pinned/),
      expect.stringMatching(/COPY source twinz does not exist in the repository/),
    ]);
  });

  test('hadolint refuses a RUN that changes directory with cd', () => {
    const text = dockerfile().replace('RUN npm ci', 'RUN cd /app && npm ci');
    expect(hadolintFindings(tools.hadolint, text)).toEqual([
      expect.stringMatching(/^line \d+: hadolint DL3003 \(warning\): Use WORKDIR/),
    ]);
  });

  test('refuses a command that is no role script', () => {
    expect(checkDocker(dockerfile().replace('CMD ["api"]', 'CMD ["apii"]'))).toEqual([
      'CMD: apii is not a package.json script',
    ]);
    expect(checkDocker(dockerfile().replace('CMD ["api"]', 'CMD ["lint"]'))).toEqual([
      "CMD: lint is not one of the image's roles",
    ]);
  });
});

test("the roles, run on the image's files and production dependencies, miss a folder the Dockerfile leaves out", async () => {
  // The runtime stage's COPY of twins/ left out (the console's build stage copies it too).
  const [before, runtime] = dockerfile().split(/(?=^FROM \S+ AS runtime)/m) as [string, string];
  const text = before + runtime.replace(/^COPY twins .*$/m, '');
  const findings = await checkImageRuntime(text, PROJECT_ROOT);
  expect(findings).toHaveLength(3);
  expect(findings.join('\n')).toMatch(/worker in the image.s files[\s\S]*twins/);
}, 120_000);

describe('the compose check', () => {
  test('refuses what the Compose specification does not allow', () => {
    const findings = checkComposeText(compose().replace('    depends_on:\n', '    depend_on:\n'));
    expect(findings.join('\n')).toMatch(
      /schema: \/services\/temporal-schema must NOT have unevaluated properties.*depend_on/,
    );
  });

  test('refuses a variable the role never reads, a missing dependency and a port published twice', () => {
    const text = compose()
      .replace("      API_PORT: '4000'\n", "      API_PORT: '4000'\n      API_JWT_SECRETT: x\n")
      .replace('      migrate:\n        condition', '      migrations:\n        condition')
      .replace("      - '127.0.0.1:8233:8080'", "      - '127.0.0.1:4000:8080'");
    expect(checkComposeText(text)).toEqual([
      'service worker: depends_on migrations, no such service',
      'service api: API_JWT_SECRETT is not read by api (deploy/config.ts)',
      'services temporal-ui and api both publish host port 4000',
    ]);
  });

  test('refuses an nginx template placeholder the service does not set', () => {
    const text = compose().replace(/^ {6}CLIENT_CA: .*\n/m, '');
    expect(checkComposeText(text)).toEqual([
      'service nginx: ../nginx/doppel.conf.template needs ${CLIENT_CA}, not in its environment',
    ]);
  });

  test('refuses a role that lacks a variable it requires', () => {
    const text = compose().replace(/(\n {2}worker:[\s\S]*?) {6}DATABASE_URL: [^\n]*\n/, '$1');
    expect(checkComposeText(text)).toEqual([
      'service worker: DATABASE_URL is required by worker and not set',
    ]);
  });

  test('refuses a value the role would refuse at start', () => {
    const text = compose().replace(
      '      LOG_LEVEL: ${LOG_LEVEL:-info}\n\n  gateway:',
      '      LOG_LEVEL: ${LOG_LEVEL:-info}\n      LEDGER_SIGNING_KEY: ${LEDGER_SIGNING_KEY:-}\n\n  gateway:',
    );
    expect(checkComposeText(text)).toEqual([
      'service worker: LEDGER_SIGNING_KEY="": a PEM private key',
    ]);
  });
});

describe("the owner's credentials (docs/database-roles.md)", () => {
  test('compose: refuses a worker that would migrate at start, an API given the owner URL and a migrate step without it', () => {
    const text = compose()
      .replace(/(\n {2}worker:[\s\S]*?) {6}MIGRATE_AT_START: 'false'\n/, '$1')
      .replace(
        "      API_PORT: '4000'\n",
        "      API_PORT: '4000'\n      MIGRATION_DATABASE_URL: postgres://doppel_owner:x@postgres/doppel\n",
      )
      .replace(
        '      MIGRATION_DATABASE_URL: postgres://doppel_owner',
        '      DATABASE_URL: postgres://doppel_owner',
      );
    expect(checkComposeText(text)).toEqual([
      "service migrate: db:migrate needs MIGRATION_DATABASE_URL, the tables' owner",
      "service worker: worker would migrate at start as DATABASE_URL's role; set MIGRATE_AT_START=false (db:migrate migrates)",
      "service api: MIGRATION_DATABASE_URL gives api the owner's credentials; only the db:migrate step may hold them",
    ]);
  });

  test('helm: refuses a role Deployment given the owner URL or told to migrate at start', () => {
    const file = valuesFile(
      'api:\n  env:\n    MIGRATION_DATABASE_URL: postgres://doppel_owner:x@db/doppel\n' +
        'worker:\n  env:\n    MIGRATE_AT_START: "true"\n',
    );
    expect(checkChart(tools, CHART_DIR, [file])).toEqual([
      `Deployment doppel-worker (${file}): worker would migrate at start as DATABASE_URL's role; set MIGRATE_AT_START=false (db:migrate migrates)`,
      `Deployment doppel-api (${file}): MIGRATION_DATABASE_URL gives api the owner's credentials; only the db:migrate step may hold them`,
    ]);
  });

  test('helm: the migrate Job may name the application role', () => {
    const file = valuesFile('migrations:\n  appRole: doppel_app\n');
    expect(checkChart(tools, CHART_DIR, [file])).toEqual([]);
  });
});

describe('the Helm chart check', () => {
  test('refuses a role given a variable it never reads', () => {
    const file = valuesFile('gateway:\n  env:\n    API_PORT: "5000"\n');
    expect(checkChart(tools, CHART_DIR, [file])).toEqual([
      `Deployment doppel-gateway (${file}): API_PORT is not read by gateway (deploy/config.ts)`,
    ]);
  });

  test('refuses a Temporal address the roles would refuse at start', () => {
    const file = valuesFile('temporal:\n  address: temporal-frontend\n');
    const findings = checkChart(tools, CHART_DIR, [file]);
    expect(findings).toHaveLength(4); // three Deployments and the namespace Job
    expect(findings[0]).toMatch(
      /TEMPORAL_ADDRESS="temporal-frontend": expected host:port, e.g. 127.0.0.1:7233/,
    );
  });

  test('kubeconform -strict refuses a field Kubernetes does not know', () => {
    const file = valuesFile(
      'worker:\n  resources:\n    requests: { cpu: 100m }\n    burst: { cpu: 1 }\n',
    );
    const findings = checkChart(tools, CHART_DIR, [file]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(
      /kubeconform -strict[\s\S]*Deployment doppel-worker is invalid[\s\S]*burst/,
    );
  });

  test('helm template refuses created secrets without a database URL', () => {
    const file = valuesFile('secrets:\n  create:\n    enabled: true\n    jwtSecret: x\n');
    expect(checkChart(tools, CHART_DIR, [file]).join('\n')).toMatch(/secrets.create.databaseUrl/);
  });
});

describe("npm run temporal:namespace (the compose step and the chart's hook Job)", () => {
  const run = (namespace: string) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        'npm',
        ['run', '--silent', 'temporal:namespace'],
        {
          cwd: PROJECT_ROOT,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            TEMPORAL_ADDRESS: inject('temporalAddress'),
            TEMPORAL_NAMESPACE: namespace,
          },
          timeout: 120_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });

  test("registers a new namespace with Doppel's search attributes, and runs again unchanged", async () => {
    const namespace = `deploy-${randomUUID().slice(0, 8)}`;
    const first = await run(namespace);
    expect(first).toEqual({
      code: 0,
      output: expect.stringContaining(`namespace ${namespace} ready`),
    });
    expect((await run(namespace)).code).toBe(0);
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace,
      });
      expect(Object.keys(customAttributes)).toEqual(
        expect.arrayContaining(['TenantId', 'LifecycleState', 'Online']),
      );
    } finally {
      await connection.close();
    }
  }, 240_000);
});
