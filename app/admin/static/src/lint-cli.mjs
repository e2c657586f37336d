#!/usr/bin/env node
// Server-side bpmnlint for app/admin/lint.py: reads one BPMN diagram on standard input, lints
// it with the configuration named by --config (the project's .bpmnlintrc) and prints JSON:
//
//   {"issues": [{"message", "element_id", "rule", "category"}]}
//
// category is "error" or "warn" (as bpmnlint says); a diagram bpmn-moddle cannot read gives
// one issue of rule "parse", its import warnings issues of rule "import" (both "error"), as
// the bpmnlint command line does. Exit 0 when the diagram was linted, whatever it contains;
// 2 with a message on standard error when the configuration cannot be used.
//
// Rules and moddle extensions are resolved from the directory holding the configuration
// (node_modules/ beside .bpmnlintrc), like the bpmnlint command line run there.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

function fail(message) {
  process.stderr.write(`lint-cli: ${message}\n`);
  process.exit(2);
}

function argument(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

const configPath = resolve(argument('--config') || '.bpmnlintrc');
let config;
try {
  config = JSON.parse(readFileSync(configPath, 'utf8'));
} catch (error) {
  fail(`cannot read the configuration ${configPath}: ${error.message}`);
}

const scopedRequire = createRequire(resolve(dirname(configPath), '__placeholder__.js'));
let Linter, NodeResolver, BpmnModdle;
try {
  Linter = scopedRequire('bpmnlint/lib/linter');
  NodeResolver = scopedRequire('bpmnlint/lib/resolver/node-resolver');
  const moddleModule = scopedRequire('bpmn-moddle');
  BpmnModdle = moddleModule.BpmnModdle || moddleModule.default || moddleModule;
} catch (error) {
  fail(`bpmnlint is not installed beside ${configPath} (run npm ci): ${error.message}`);
}

const extensions = {};
for (const [prefix, path] of Object.entries(config.moddleExtensions || {})) {
  try {
    extensions[prefix] = scopedRequire(path);
  } catch (error) {
    fail(`cannot load the moddle extension ${prefix} from ${path}: ${error.message}`);
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(message) {
  return String(message || '').split('\n')[0];
}

async function main() {
  const xml = await readStdin();
  const moddle = new BpmnModdle(extensions);
  let definitions, warnings;
  try {
    ({ rootElement: definitions, warnings = [] } = await moddle.fromXML(xml, 'bpmn:Definitions'));
  } catch (error) {
    return [{ message: `cannot read the diagram: ${firstLine(error.message)}`, element_id: null, rule: 'parse', category: 'error' }];
  }
  const issues = warnings.map((warning) => ({
    message: firstLine(warning.message),
    element_id: (warning.element && warning.element.id) || null,
    rule: 'import',
    category: 'error',
  }));
  const linter = new Linter({ config, resolver: new NodeResolver({ require: scopedRequire }) });
  const reports = await linter.lint(definitions);
  for (const [rule, ruleReports] of Object.entries(reports)) {
    for (const report of ruleReports) {
      issues.push({
        message: report.message,
        element_id: report.id || null,
        rule,
        category: report.category,
      });
    }
  }
  return issues;
}

main().then(
  (issues) => process.stdout.write(JSON.stringify({ issues }) + '\n'),
  (error) => fail(error && error.stack ? error.stack : String(error)),
);
