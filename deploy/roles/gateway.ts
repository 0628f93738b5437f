// `npm run gateway`: the device gateway (scale out: one per node, behind an L4 load balancer).
// The Node check runs before the rest is even linked: a module graph that cannot link on an
// old Node (say, a named import a CommonJS package does not declare to it) would otherwise
// fail first, without saying that Node is the problem.
import '../runtime/require-supported-node';

await import('./gateway-main');
