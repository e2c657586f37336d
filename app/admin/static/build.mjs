// Builds the admin bundles with esbuild (run by `make install`; never commit the output):
//
//   src/editor.js -> build/editor.js + build/editor.css (+ build/assets/: the bpmn font)
//   src/viewer.js -> build/viewer.js + build/viewer.css
//
// `import bpmnlintConfig from 'bpmnlint-config'` in the sources is the project's .bpmnlintrc
// packed at build time (what bpmnlint-loader does for webpack): its rules are resolved with
// bpmnlint's own compileConfig and imported into the bundle, so the browser lints with the
// same rules as the server (app/admin/lint.py).
//
//   node app/admin/static/build.mjs [--dev]     (--dev: no minification)

import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const requireFromRoot = createRequire(join(root, 'package.json'));
const esbuild = requireFromRoot('esbuild');
const compileConfig = requireFromRoot('bpmnlint/lib/support/compile-config');
const NodeResolver = requireFromRoot('bpmnlint/lib/resolver/node-resolver');

const RC = join(root, '.bpmnlintrc');
const dev = process.argv.includes('--dev');

const bpmnlintConfigPlugin = {
  name: 'bpmnlint-config',
  setup(build) {
    build.onResolve({ filter: /^bpmnlint-config$/ }, () => ({ path: RC, namespace: 'bpmnlint-config' }));
    build.onLoad({ filter: /.*/, namespace: 'bpmnlint-config' }, async (args) => {
      const config = JSON.parse(await readFile(args.path, 'utf8'));
      const contents = await compileConfig(config, new NodeResolver({ require: requireFromRoot }));
      return { contents, loader: 'js', resolveDir: root, watchFiles: [args.path] };
    });
  },
};

// The pages run under a Content-Security-Policy without 'unsafe-inline' for styles, which blocks
// style="" attributes in markup that bpmn-js and its properties panel insert with innerHTML.
// These modules are patched as they are bundled: SVG icons get presentation attributes instead
// (not subject to the CSP), the two panel containers lose theirs (editor.css sets the same).
// The build fails when a patch no longer applies, so an upgrade cannot bring them back unseen.
const PANEL_CONTAINERS = [
  ['<div style="height: 100%" tabindex="-1" class="bio-properties-panel-container">',
    '<div tabindex="-1" class="bio-properties-panel-container">'],
  ['<div style="flex: none; height: auto" class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">',
    '<div class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">'],
];
const SVG_ICONS = /[\\/]bpmn-js[\\/]lib[\\/]features[\\/](align|distribute)-elements[\\/]\w+Icons\.js$/;
const PANEL = /[\\/]bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/;
const INLINE_STYLE = /style=\\?["']/;

const noInlineStylesPlugin = {
  name: 'no-inline-styles',
  setup(build) {
    build.onLoad({ filter: /(Icons|index\.esm)\.js$/ }, async (args) => {
      if (!SVG_ICONS.test(args.path) && !PANEL.test(args.path)) {
        return undefined;
      }
      const original = await readFile(args.path, 'utf8');
      let contents = original;
      if (SVG_ICONS.test(args.path)) {
        contents = contents.replace(/style="([^"]*)"/g, (match, declarations) =>
          declarations
            .split(';')
            .filter((declaration) => declaration.trim())
            .map((declaration) => {
              const [name, value] = declaration.split(':').map((part) => part.trim());
              return `${name}="${value}"`;
            })
            .join(' '));
      } else {
        for (const [from, to] of PANEL_CONTAINERS) {
          contents = contents.replace(from, to);
        }
      }
      if (contents === original || INLINE_STYLE.test(contents)) {
        throw new Error(`the inline-style patch of ${args.path} no longer applies: update build.mjs`);
      }
      return { contents, loader: 'js' };
    });
  },
};

const out = join(here, 'build');
await rm(out, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { editor: join(here, 'src', 'editor.js'), viewer: join(here, 'src', 'viewer.js') },
  outdir: out,
  bundle: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: !dev,
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  loader: {
    '.woff': 'file',
    '.woff2': 'file',
    '.ttf': 'file',
    '.eot': 'file',
    '.svg': 'file',
  },
  assetNames: 'assets/[name]-[hash]',
  plugins: [bpmnlintConfigPlugin, noInlineStylesPlugin],
  metafile: true,
  logLevel: 'warning',
});

const sizes = Object.entries(result.metafile.outputs)
  .filter(([path]) => /\.(js|css)$/.test(path))
  .map(([path, output]) => `${path.replace(/^.*\/build\//, 'build/')} ${(output.bytes / 1024).toFixed(0)} KiB`);
console.log(`admin bundles: ${sizes.join(', ')}`);
