// The routing-diagram editor: bpmn-js Modeler, its properties panel with our provider
// (provider/), bpmnlint with the project's .bpmnlintrc (packed at build time), and the
// toolbar talking to the admin views.
//
// Configuration comes from data- attributes of the element marked data-bpmn-editor
// (templates/admin/editor.html), never from inline scripts:
//   data-xml-url       GET: the BPMN to open
//   data-validate-url  POST raw XML -> {"ok": bool, "errors": [{"message", "line", "element_id", "filename"}]}
//   data-draft-url     POST raw XML -> {"saved_at": iso} (422 {"errors": [...]})
//   data-deploy-url    POST raw XML ?filename= -> 200 {"process_id", "version", "created", "url"} | 422 {"errors": [...]}
//   data-forms-url     GET -> [{"name": "qualify.json", "title": "..."}]
//   data-filename      optional: the file name sent on deploy (else <process id>.bpmn)
//   data-messages      optional: JSON of translated interface strings (keys of MESSAGES)
// POSTs carry Content-Type: application/xml and X-CSRFToken from <meta name="csrf-token">.
//
// window.epeopleEditor exposes the modeler and the actions (tests drive it).

import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import bpmnlintConfig from 'bpmnlint-config';
import spiffworkflow from './spiffworkflow.json';
import epeopleProviderModule from './provider';
import './editor.css';

const MESSAGES = {
  loading: 'Loading the diagram…',
  loaded: 'Diagram loaded.',
  loadFailed: 'The diagram could not be loaded: {detail}',
  formsFailed: 'The list of forms could not be loaded; the form menus show only the forms already chosen.',
  importWarnings: 'Imported with {count} warnings: {detail}',
  imported: 'Imported {name}.',
  importFailed: 'This file is not a diagram the editor can open: {detail}',
  validating: 'Validating…',
  valid: 'No problems found.',
  problems: 'Problems found (errors: {errors}, warnings: {warnings}). They are listed below and marked on the diagram.',
  saving: 'Saving the draft…',
  saved: 'Draft saved at {time}.',
  deploying: 'Deploying…',
  deployBlocked: 'Not deployed: fix the errors listed below first.',
  deployed: 'Deployed as version {version}. Opening it…',
  unchanged: 'Identical to version {version}: nothing new was deployed. Opening it…',
  exported: 'Downloaded {name}.',
  requestFailed: 'The server did not answer as expected ({detail}). Your changes are still here; try again, or export the diagram to keep them.',
  sessionEnded: 'The server did not answer with data: your session may have ended. Export the diagram to keep your changes, then reload the page.',
  error: 'Error',
  warning: 'Warning',
  line: 'line {line}',
  rule: 'rule {rule}',
  unsaved: 'You have changes that are neither saved as a draft nor deployed.',
};

const BLANK_DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="definitions_new" targetNamespace="https://epeople.example/bpmn">
  <bpmn:process id="new_process" name="New process" isExecutable="true">
    <bpmn:startEvent id="start" name="Start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_new">
    <bpmndi:BPMNPlane id="plane_new" bpmnElement="new_process">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;

const PROBLEM_OVERLAY = 'epeople-problem';

function format(template, values = {}) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

class HttpError extends Error {}

class Editor {
  constructor(root) {
    this.root = root;
    this.config = root.dataset;
    let translated = {};
    try {
      translated = JSON.parse(this.config.messages || '{}');
    } catch (error) {
      translated = {};
    }
    this.messages = { ...MESSAGES, ...translated };
    const csrf = document.querySelector('meta[name="csrf-token"]');
    this.csrfToken = csrf ? csrf.getAttribute('content') : '';
    this.statusElement = root.querySelector('[data-role="status"]');
    this.problemList = root.querySelector('[data-role="problems"]');
    this.problemSection = root.querySelector('[data-role="problem-section"]');
    this.fileInput = root.querySelector('[data-role="import-file"]');
    this.problems = [];
    this.dirty = false;
    this.busy = false;
  }

  t(key, values) {
    return format(this.messages[key] || key, values);
  }

  // Start-up --------------------------------------------------------------------------------

  async start() {
    this.status(this.t('loading'));
    const forms = await this.loadForms();
    this.modeler = new Modeler({
      container: this.root.querySelector('[data-role="canvas"]'),
      propertiesPanel: { parent: this.root.querySelector('[data-role="properties"]') },
      additionalModules: [
        BpmnPropertiesPanelModule,
        BpmnPropertiesProviderModule,
        epeopleProviderModule,
        lintModule,
      ],
      moddleExtensions: { spiffworkflow },
      linting: { bpmnlint: bpmnlintConfig, active: false },
      epeople: { forms },
    });
    this.modeler.get('eventBus').on('commandStack.changed', () => {
      this.dirty = true;
    });
    this.bindControls();
    let xml;
    try {
      xml = this.config.xmlUrl ? await this.fetchText(this.config.xmlUrl) : BLANK_DIAGRAM;
    } catch (error) {
      this.status(this.t('loadFailed', { detail: error.message }), 'error');
      this.root.dataset.state = 'error';
      return;
    }
    try {
      await this.open(xml);
      if (!this.formsFailed) {
        this.status(this.t('loaded'));
      }
    } catch (error) {
      this.status(this.t('loadFailed', { detail: error.message }), 'error');
      this.root.dataset.state = 'error';
      return;
    }
    this.root.dataset.state = 'ready';
  }

  async loadForms() {
    if (!this.config.formsUrl) {
      return [];
    }
    try {
      const response = await this.request(this.config.formsUrl, { headers: { Accept: 'application/json' } });
      const forms = await this.json(response);
      if (!response.ok || !Array.isArray(forms)) {
        throw new HttpError(`HTTP ${response.status}`);
      }
      return forms.filter((form) => form && typeof form.name === 'string');
    } catch (error) {
      this.formsFailed = true;
      this.status(this.t('formsFailed'), 'error');
      return [];
    }
  }

  async open(xml) {
    const { warnings } = await this.modeler.importXML(xml);
    this.modeler.get('canvas').zoom('fit-viewport', 'auto');
    this.clearProblems();
    this.dirty = false;
    return warnings;
  }

  bindControls() {
    const actions = {
      validate: () => this.validate(),
      'save-draft': () => this.saveDraft(),
      deploy: () => this.deploy(),
      export: () => this.exportDiagram(),
      import: () => this.fileInput && this.fileInput.click(),
    };
    for (const button of this.root.querySelectorAll('[data-action]')) {
      const action = actions[button.dataset.action];
      if (action) {
        button.addEventListener('click', () => this.run(action));
      }
    }
    if (this.fileInput) {
      this.fileInput.addEventListener('change', () => this.run(() => this.importFile()));
    }
    if (this.problemList) {
      this.problemList.addEventListener('click', (event) => {
        const target = event.target.closest('[data-element-id]');
        if (target) {
          this.selectElement(target.dataset.elementId);
        }
      });
    }
    window.addEventListener('beforeunload', (event) => {
      if (this.dirty) {
        event.preventDefault();
        event.returnValue = this.t('unsaved');
      }
    });
  }

  // One action at a time; the buttons say so while one runs.
  async run(action) {
    if (this.busy) {
      return undefined;
    }
    this.setBusy(true);
    try {
      return await action();
    } catch (error) {
      this.status(this.t('requestFailed', { detail: error.message }), 'error');
      return undefined;
    } finally {
      this.setBusy(false);
    }
  }

  setBusy(busy) {
    this.busy = busy;
    this.root.setAttribute('aria-busy', busy ? 'true' : 'false');
    for (const button of this.root.querySelectorAll('[data-action]')) {
      button.disabled = busy;
    }
  }

  // Talking to the server -------------------------------------------------------------------

  request(url, options = {}) {
    return fetch(url, { credentials: 'same-origin', ...options });
  }

  async fetchText(url) {
    const response = await this.request(url, { headers: { Accept: 'application/xml' } });
    if (!response.ok) {
      throw new HttpError(`HTTP ${response.status}`);
    }
    return response.text();
  }

  postXML(url, xml) {
    return this.request(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/xml',
        Accept: 'application/json',
        'X-CSRFToken': this.csrfToken,
      },
      body: xml,
    });
  }

  async json(response) {
    const type = response.headers.get('Content-Type') || '';
    if (!type.includes('json')) {
      throw new HttpError(response.ok ? this.t('sessionEnded') : `HTTP ${response.status}`);
    }
    return response.json();
  }

  async xml() {
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  filename() {
    if (this.config.filename) {
      return this.config.filename;
    }
    const definitions = this.modeler.getDefinitions();
    const rootElements = (definitions && definitions.get('rootElements')) || [];
    const participantProcess = rootElements
      .filter((element) => element.$type === 'bpmn:Collaboration')
      .flatMap((collaboration) => collaboration.get('participants') || [])
      .map((participant) => participant.get('processRef'))
      .find(Boolean);
    const process = participantProcess || rootElements.find((element) => element.$type === 'bpmn:Process');
    return `${(process && process.id) || 'diagram'}.bpmn`;
  }

  withFilename(url) {
    const separator = url.includes('?') ? '&' : '?';
    return `${url}${separator}filename=${encodeURIComponent(this.filename())}`;
  }

  // Actions ---------------------------------------------------------------------------------

  /** Lint in the browser and validate on the server; list and mark every problem. */
  async validate() {
    this.status(this.t('validating'));
    const xml = await this.xml();
    const lintProblems = await this.lint();
    const response = await this.postXML(this.withFilename(this.config.validateUrl), xml);
    const body = await this.json(response);
    if (!response.ok || !Array.isArray(body.errors)) {
      throw new HttpError(`HTTP ${response.status}`);
    }
    const problems = mergeProblems(serverProblems(body.errors), lintProblems);
    this.showProblems(problems);
    const ok = Boolean(body.ok) && !problems.some((problem) => problem.category === 'error');
    const counts = countProblems(problems);
    if (problems.length) {
      this.status(this.t('problems', counts), counts.errors ? 'error' : 'info');
    } else {
      this.status(this.t('valid'), 'success');
    }
    return { ok, problems };
  }

  async lint() {
    const results = await this.modeler.get('linting').lint();
    const problems = [];
    for (const [rule, reports] of Object.entries(results)) {
      for (const report of reports) {
        problems.push({
          message: report.message,
          element_id: report.id || null,
          rule,
          category: report.category === 'error' ? 'error' : 'warn',
          source: 'lint',
        });
      }
    }
    return problems;
  }

  async saveDraft() {
    this.status(this.t('saving'));
    const response = await this.postXML(this.config.draftUrl, await this.xml());
    const body = await this.json(response);
    if (response.status === 422 && Array.isArray(body.errors)) {
      this.showProblems(serverProblems(body.errors));
      this.status(this.t('problems', countProblems(this.problems)), 'error');
      return body;
    }
    if (!response.ok) {
      throw new HttpError(`HTTP ${response.status}`);
    }
    this.dirty = false;
    const savedAt = new Date(body.saved_at);
    const time = Number.isNaN(savedAt.getTime()) ? body.saved_at : savedAt.toLocaleTimeString();
    this.status(this.t('saved', { time }), 'success');
    return body;
  }

  async deploy() {
    const validation = await this.validate();
    if (!validation.ok) {
      this.status(this.t('deployBlocked'), 'error');
      return { deployed: false, problems: validation.problems };
    }
    this.status(this.t('deploying'));
    const response = await this.postXML(this.withFilename(this.config.deployUrl), await this.xml());
    const body = await this.json(response);
    if (response.status === 422 && Array.isArray(body.errors)) {
      this.showProblems(serverProblems(body.errors));
      this.status(this.t('deployBlocked'), 'error');
      return { deployed: false, problems: this.problems };
    }
    if (!response.ok || !body.url) {
      throw new HttpError(`HTTP ${response.status}`);
    }
    this.dirty = false;
    this.status(this.t(body.created ? 'deployed' : 'unchanged', { version: body.version }), 'success');
    window.location.assign(body.url);
    return { deployed: true, ...body };
  }

  async exportDiagram() {
    const xml = await this.xml();
    const name = this.filename();
    const url = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    this.status(this.t('exported', { name }), 'success');
    return xml;
  }

  async importFile() {
    const file = this.fileInput.files && this.fileInput.files[0];
    if (!file) {
      return;
    }
    this.fileInput.value = '';
    await this.importXML(await file.text(), file.name);
  }

  async importXML(xml, name = '') {
    let warnings;
    try {
      warnings = await this.open(xml);
    } catch (error) {
      this.status(this.t('importFailed', { detail: error.message.split('\n')[0] }), 'error');
      return false;
    }
    this.dirty = true;
    if (warnings.length) {
      const detail = warnings.slice(0, 3).map((w) => w.message.split('\n')[0]).join('; ');
      this.status(this.t('importWarnings', { count: warnings.length, detail }), 'error');
    } else {
      this.status(this.t('imported', { name }), 'success');
    }
    return true;
  }

  // Problems --------------------------------------------------------------------------------

  clearProblems() {
    const canvas = this.modeler.get('canvas');
    for (const problem of this.problems) {
      if (problem.element_id && this.modeler.get('elementRegistry').get(problem.element_id)) {
        canvas.removeMarker(problem.element_id, 'epeople-problem-error');
        canvas.removeMarker(problem.element_id, 'epeople-problem-warn');
      }
    }
    this.modeler.get('overlays').remove({ type: PROBLEM_OVERLAY });
    this.problems = [];
    if (this.problemList) {
      this.problemList.replaceChildren();
    }
    if (this.problemSection) {
      this.problemSection.hidden = true;
    }
  }

  showProblems(problems) {
    this.clearProblems();
    this.problems = problems;
    const registry = this.modeler.get('elementRegistry');
    const canvas = this.modeler.get('canvas');
    const overlays = this.modeler.get('overlays');
    const marked = new Map();
    for (const problem of problems) {
      const element = problem.element_id ? registry.get(problem.element_id) : null;
      if (element && element.type !== 'label') {
        const worst = marked.get(element.id) === 'error' || problem.category === 'error' ? 'error' : 'warn';
        marked.set(element.id, worst);
      }
      this.problemList.appendChild(this.problemItem(problem, Boolean(element)));
    }
    for (const [id, category] of marked) {
      canvas.addMarker(id, `epeople-problem-${category}`);
      const badge = document.createElement('span');
      badge.className = `epeople-problem-badge epeople-problem-badge-${category}`;
      badge.setAttribute('aria-hidden', 'true');
      badge.textContent = category === 'error' ? '!' : '?';
      const element = registry.get(id);
      const position = element.waypoints ? { top: 0, left: 0 } : { top: -8, left: -8 };
      overlays.add(id, PROBLEM_OVERLAY, { position, html: badge, scale: false });
    }
    if (this.problemSection) {
      this.problemSection.hidden = problems.length === 0;
    }
  }

  problemItem(problem, onCanvas) {
    const item = document.createElement('li');
    item.className = `problem problem-${problem.category}`;
    const inner = document.createElement(onCanvas ? 'button' : 'span');
    if (onCanvas) {
      inner.type = 'button';
      inner.className = 'problem-link';
      inner.dataset.elementId = problem.element_id;
    }
    const kind = document.createElement('span');
    kind.className = 'problem-kind';
    kind.textContent = this.t(problem.category === 'error' ? 'error' : 'warning');
    const message = document.createElement('span');
    message.className = 'problem-message';
    message.textContent = problem.message;
    const where = document.createElement('span');
    where.className = 'problem-where';
    where.textContent = [
      problem.element_id,
      problem.line ? this.t('line', { line: problem.line }) : null,
      problem.rule ? this.t('rule', { rule: problem.rule }) : null,
    ]
      .filter(Boolean)
      .join(' · ');
    inner.append(kind, ' ', message, ' ', where);
    item.appendChild(inner);
    return item;
  }

  selectElement(id) {
    const element = this.modeler.get('elementRegistry').get(id);
    if (!element) {
      return;
    }
    this.modeler.get('selection').select(element);
    const canvas = this.modeler.get('canvas');
    if (typeof canvas.scrollToElement === 'function') {
      canvas.scrollToElement(element);
    }
  }

  status(text, kind = 'info') {
    if (!this.statusElement) {
      return;
    }
    this.statusElement.textContent = text;
    this.statusElement.dataset.kind = kind;
  }
}

function serverProblems(errors) {
  return errors.map((error) => ({
    message: String(error.message || ''),
    element_id: error.element_id || null,
    line: error.line || null,
    category: 'error',
    source: 'server',
  }));
}

// The server adds bpmnlint errors to its own as "message (rule)": show each problem once.
function mergeProblems(server, lint) {
  const lintKeys = new Set(lint.map((p) => `${p.element_id}|${p.message} (${p.rule})`));
  return [...server.filter((p) => !lintKeys.has(`${p.element_id}|${p.message}`)), ...lint];
}

function countProblems(problems) {
  const errors = problems.filter((p) => p.category === 'error').length;
  return { errors, warnings: problems.length - errors };
}

const root = document.querySelector('[data-bpmn-editor]');
if (root) {
  const editor = new Editor(root);
  const ready = editor.start().then(() => editor);
  window.epeopleEditor = {
    ready,
    get modeler() {
      return editor.modeler;
    },
    get problems() {
      return editor.problems;
    },
    validate: () => editor.run(() => editor.validate()),
    saveDraft: () => editor.run(() => editor.saveDraft()),
    deploy: () => editor.run(() => editor.deploy()),
    exportXML: () => editor.xml(),
    importXML: (xml, name) => editor.run(() => editor.importXML(xml, name)),
    selectElement: (id) => editor.selectElement(id),
  };
}
