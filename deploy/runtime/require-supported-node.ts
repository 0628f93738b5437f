// Imported first by every entry point, so an unsupported Node stops before anything else loads.
import { unsupportedNode } from './supported-node';

const problem = unsupportedNode(process.versions.node, process.execPath);
if (problem) {
  console.error(problem);
  process.exit(2);
}
