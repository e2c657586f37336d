// Read-only diagrams (templates/admin/_viewer.html, macro diagram_viewer): a bpmn-js
// NavigatedViewer (pan and zoom) per element marked data-bpmn-viewer, configured by
//   data-xml-url   GET: the BPMN to show
//   data-markers   JSON {"added": [ids], "changed": [ids], "removed": [ids], ...}: each id gets the
//                  CSS class epeople-diff-<key> (styles in markers.css; unknown ids are skipped)
//   data-overlays  JSON {"element_id": count}: a count badge on the element (e.g. running
//                  petitions waiting at a task)
// When done the element gets data-state="ready" (or "error", with the reason shown).
// window.epeopleViewers lists {root, viewer, ready} (tests use it).

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import './viewer.css';

const MARKER_KEY = /^[a-z][a-z0-9_-]*$/;

function parseJSON(text, fallback) {
  try {
    const value = JSON.parse(text || '');
    return value && typeof value === 'object' ? value : fallback;
  } catch (error) {
    return fallback;
  }
}

function addMarkers(viewer, markers) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const missing = [];
  for (const [key, ids] of Object.entries(markers)) {
    if (!MARKER_KEY.test(key) || !Array.isArray(ids)) {
      continue;
    }
    for (const id of ids) {
      if (registry.get(id)) {
        canvas.addMarker(id, `epeople-diff-${key}`);
      } else {
        missing.push(id);
      }
    }
  }
  return missing;
}

function addCounts(viewer, counts, root) {
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  const template = root.dataset.countLabel || '{count}';
  for (const [id, count] of Object.entries(counts)) {
    const element = registry.get(id);
    if (!element || typeof count !== 'number' || count <= 0) {
      continue;
    }
    const badge = document.createElement('span');
    badge.className = 'epeople-count-badge';
    badge.dataset.elementId = id;
    badge.textContent = String(count);
    badge.title = template.replace('{count}', String(count));
    const position = element.waypoints ? { top: 0, left: 0 } : { top: -10, right: 10 };
    overlays.add(id, 'epeople-count', { position, html: badge, scale: false });
  }
}

async function show(root) {
  const container = root.querySelector('[data-role="canvas"]') || root;
  const viewer = new NavigatedViewer({ container });
  const status = root.querySelector('[data-role="status"]');
  try {
    const response = await fetch(root.dataset.xmlUrl, {
      credentials: 'same-origin',
      headers: { Accept: 'application/xml' },
    });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    await viewer.importXML(await response.text());
    viewer.get('canvas').zoom('fit-viewport', 'auto');
    const missing = addMarkers(viewer, parseJSON(root.dataset.markers, {}));
    addCounts(viewer, parseJSON(root.dataset.overlays, {}), root);
    root.dataset.missing = missing.join(' ');
    root.dataset.state = 'ready';
    if (status) {
      status.textContent = '';
    }
  } catch (error) {
    root.dataset.state = 'error';
    if (status) {
      status.textContent = `${root.dataset.errorText || 'The diagram could not be shown:'} ${error.message}`;
    }
  }
  return viewer;
}

window.epeopleViewers = Array.from(document.querySelectorAll('[data-bpmn-viewer]'), (root) => {
  const entry = { root, viewer: null, ready: null };
  entry.ready = show(root).then((viewer) => {
    entry.viewer = viewer;
    return viewer;
  });
  return entry;
});
