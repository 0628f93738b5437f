// `npm run temporal:namespace`: registers the namespace and Doppel's search attributes on a
// Temporal cluster that lacks them (a real server creates neither); safe to run on every
// deploy (the compose file's and the Helm chart's one-shot step, docs/deploy.md).
// The Node check runs before the rest is even linked: a module graph that cannot link on an
// old Node (say, a named import a CommonJS package does not declare to it) would otherwise
// fail first, without saying that Node is the problem.
import '../runtime/require-supported-node';

await import('./temporal-namespace-main');
