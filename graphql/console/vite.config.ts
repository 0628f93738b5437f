// Vite builds the operator console into ./dist (git-ignored), served by the API at `/`.
// Everything is bundled: the console loads nothing from elsewhere at run time.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig(({ command }) => ({
  root,
  base: '/',
  plugins: [react()],
  build: { outDir: path.join(root, 'dist'), emptyOutDir: true, assetsDir: 'assets' },
  // React's production build whoever builds: the browser tests build under Vitest, whose
  // NODE_ENV (`test`) would otherwise bundle React's development build (70 % larger, slower).
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  // `npx vite graphql/console`: a dev server that sends GraphQL to a running `npm start`.
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
}));
