// `npm start`: the whole runtime on one machine with embedded defaults.
// The Node check runs before the rest is even linked: a module graph that cannot link on an
// old Node (say, a named import a CommonJS package does not declare to it) would otherwise
// fail first, without saying that Node is the problem.
import '../runtime/require-supported-node';

await import('./start-main');
