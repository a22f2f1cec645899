// Build step for the web pages: copy bpmn-js (viewer + CSS + font) into api/web/static/vendor,
// bundle bpmn-auto-layout (for BPMN files that carry no diagram layout) into one ES module, and
// copy ECharts (the campaign dashboard's charts) as its minified browser build.
// Run by `npm run build` (the Makefile's `web` target). No CDN is used at run time.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'api', 'web', 'static', 'vendor');
const require = createRequire(import.meta.url);
const bpmnJs = dirname(require.resolve('bpmn-js/package.json'));
const echarts = dirname(require.resolve('echarts/package.json'));

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'bpmn-js', 'assets'), { recursive: true });

cpSync(join(bpmnJs, 'dist', 'bpmn-navigated-viewer.production.min.js'),
  join(out, 'bpmn-js', 'bpmn-navigated-viewer.production.min.js'));
cpSync(join(bpmnJs, 'dist', 'assets'), join(out, 'bpmn-js', 'assets'), { recursive: true });
mkdirSync(join(out, 'echarts'), { recursive: true });
cpSync(join(echarts, 'dist', 'echarts.min.js'), join(out, 'echarts', 'echarts.min.js'));
cpSync(join(echarts, 'LICENSE'), join(out, 'echarts', 'LICENSE'));

await build({
  stdin: {
    contents: "export { layoutProcess } from 'bpmn-auto-layout';",
    resolveDir: here,
    sourcefile: 'auto-layout-entry.js',
  },
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  legalComments: 'none',
  outfile: join(out, 'bpmn-auto-layout.js'),
  logLevel: 'warning',
});

const versionOf = (name) =>
  JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
const version = versionOf('bpmn-js');
writeFileSync(join(out, 'VERSIONS.json'), JSON.stringify({
  'bpmn-js': version,
  'bpmn-auto-layout': versionOf('bpmn-auto-layout'),
  echarts: versionOf('echarts'),
}, null, 2) + '\n');
console.log(`vendor files written to ${out} (bpmn-js ${version})`);
