import { describe, expect, it } from 'vitest';
import { explainLoadFailure } from './uws';

const runtime = {
  binary: '/app/node_modules/uWebSockets.js/uws_linux_x64_137.node',
  node: 'v24.22.3',
  abi: '137',
  glibc: '2.36',
  available: ['108', '115', '127', '131', '137', '141'],
};

describe('a uWS binary that does not load', () => {
  it('names the glibc it needs and the host has (Node 24 builds on Debian 12)', () => {
    const error = new Error(
      "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /app/node_modules/uWebSockets.js/uws_linux_x64_137.node)",
    );
    const explained = explainLoadFailure(error, runtime);
    expect(explained.code).toBe('gateway:uws.needs-newer-glibc');
    expect(explained.message).toContain('needs glibc ≥ 2.38; this host has glibc 2.36');
    expect(explained.message).toContain('Node v24.22.3 (ABI 137)');
    expect(explained.hint).toContain('Debian 13');
  });

  it('names the ABI a binary was built for and the one this Node has', () => {
    const error = new Error(
      "The module '/x/uws_linux_x64_127.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 127. This version of Node.js requires\nNODE_MODULE_VERSION 137. Please try re-compiling",
    );
    const explained = explainLoadFailure(error, runtime);
    expect(explained.code).toBe('gateway:uws.wrong-node-abi');
    expect(explained.message).toContain('built for Node ABI 127; this is Node v24.22.3 (ABI 137)');
  });

  it("reads the ABI from a uWS binary's name when Node only says it did not self-register", () => {
    const binary = '/x/uws_linux_x64_108.node';
    const error = new Error(`Module did not self-register: '${binary}'.`);
    const explained = explainLoadFailure(error, { ...runtime, binary });
    expect(explained.code).toBe('gateway:uws.wrong-node-abi');
    expect(explained.message).toContain('built for Node ABI 108; this is Node v24.22.3 (ABI 137)');
  });

  it('lists the ABIs the installed build has when none is for this Node', () => {
    const error = Object.assign(new Error("Cannot find module '/x/uws_linux_x64_147.node'"), {
      code: 'MODULE_NOT_FOUND',
    });
    const explained = explainLoadFailure(error, { ...runtime, abi: '147', node: 'v26.12.1' });
    expect(explained.code).toBe('gateway:uws.no-binary');
    expect(explained.message).toContain('ABIs 108, 115, 127, 131, 137, 141');
  });
});
