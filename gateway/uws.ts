import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';
import { DoppelError } from '../twins/errors';

const require = createRequire(import.meta.url);

/**
 * Loads uWebSockets.js and refuses its pure-JS fallback. The package falls back silently
 * (with a console warning) to a `ws`-based server when its native binary does not load for
 * this platform and Node ABI, or when UWS_USE_FALLBACK is set: that server is an order of
 * magnitude slower, so the gateway must not run on it unnoticed.
 */
export function loadNativeUws(): typeof Uws {
  const uws = require('uWebSockets.js') as typeof Uws;
  const native = Object.keys(require.cache).some((file) =>
    /uWebSockets\.js[\\/]binaries[\\/].+\.node$/.test(file),
  );
  if (!native) {
    throw new DoppelError(
      'gateway:uws.native-missing',
      `uWebSockets.js did not load its native binary for ${process.platform}-${process.arch} (Node ABI ${process.versions.modules}); ` +
        'refusing the slow pure-JS fallback',
      {
        hint: 'run on Node 20 (x64 or arm64, Linux or macOS), reinstall node_modules, and unset UWS_USE_FALLBACK',
      },
    );
  }
  return uws;
}
