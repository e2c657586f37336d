// Properties of our BPMN dialect (what app/engine/parsing.py and the engine read), edited in
// bpmn-js-properties-panel next to its standard groups:
//
// - user task: its form (spiffworkflow:property formJsonSchemaFilename, chosen from the forms the
//   app serves) and the Python expressions body, due and priority (spiffworkflow:property);
// - sequence flow leaving a gateway (or already conditional): its condition, a Python
//   expression (bpmn:conditionExpression), and whether it is the gateway's default flow;
// - timer event: the kind (date, duration, cycle) and its Python expression, replacing the
//   standard group whose help speaks of ISO 8601 literals only;
// - message catch event or receive task: the variable receiving the payload
//   (spiffworkflow:messageVariable), added to the standard Message group (which picks or
//   creates the bpmn:message).
//
// Lanes, names, ids and documentation are the standard groups'.

import { h } from '@bpmn-io/properties-panel/preact';
import {
  CheckboxEntry,
  Group,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

export const FORM_PROPERTY = 'formJsonSchemaFilename';
const LOW_PRIORITY = 400;
const CONDITIONAL_SOURCES = ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:ComplexGateway'];
const TIMER_KINDS = ['timeDate', 'timeDuration', 'timeCycle'];

// Reading our extensions ---------------------------------------------------------------------

function extensionValues(businessObject, type) {
  const extensionElements = businessObject && businessObject.get('extensionElements');
  const values = (extensionElements && extensionElements.get('values')) || [];
  return values.filter((value) => is(value, type));
}

export function getSpiffProperty(element, name) {
  for (const container of extensionValues(getBusinessObject(element), 'spiffworkflow:Properties')) {
    const found = container.get('properties').find((property) => property.get('name') === name);
    if (found) {
      return found;
    }
  }
  return undefined;
}

function getSpiffPropertyValue(element, name) {
  const property = getSpiffProperty(element, name);
  return (property && property.get('value')) || '';
}

function messageVariableHolder(element) {
  const businessObject = getBusinessObject(element);
  if (is(element, 'bpmn:ReceiveTask')) {
    return businessObject;
  }
  const definitions = businessObject.get('eventDefinitions') || [];
  return definitions.find((definition) => is(definition, 'bpmn:MessageEventDefinition'));
}

function isMessageCatch(element) {
  if (is(element, 'bpmn:ReceiveTask')) {
    return true;
  }
  return (
    isAny(element, ['bpmn:StartEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent']) &&
    Boolean(messageVariableHolder(element))
  );
}

function timerDefinition(element) {
  const businessObject = getBusinessObject(element);
  if (!is(businessObject, 'bpmn:Event')) {
    return undefined;
  }
  const definitions = businessObject.get('eventDefinitions') || [];
  return definitions.find((definition) => is(definition, 'bpmn:TimerEventDefinition'));
}

function timerKind(definition) {
  return TIMER_KINDS.find((kind) => definition.get(kind)) || '';
}

function isConditionalFlow(element) {
  if (!is(element, 'bpmn:SequenceFlow')) {
    return false;
  }
  const businessObject = getBusinessObject(element);
  const source = businessObject.get('sourceRef');
  return Boolean(businessObject.get('conditionExpression')) || isAny(source, CONDITIONAL_SOURCES);
}

// Writing them (one undoable command each) ----------------------------------------------------

function ensureExtensionElements(element, businessObject, bpmnFactory, commands) {
  let extensionElements = businessObject.get('extensionElements');
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = businessObject;
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element, moddleElement: businessObject, properties: { extensionElements } },
    });
  }
  return extensionElements;
}

function addExtensionValue(element, extensionElements, value, commands) {
  value.$parent = extensionElements;
  commands.push({
    cmd: 'element.updateModdleProperties',
    context: {
      element,
      moddleElement: extensionElements,
      properties: { values: [...extensionElements.get('values'), value] },
    },
  });
}

export function setSpiffProperty(element, name, value, bpmnFactory, commandStack) {
  const businessObject = getBusinessObject(element);
  const existing = getSpiffProperty(element, name);
  const commands = [];
  if (!value) {
    if (!existing) {
      return;
    }
    const container = existing.$parent;
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: {
        element,
        moddleElement: container,
        properties: { properties: container.get('properties').filter((p) => p !== existing) },
      },
    });
  } else if (existing) {
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element, moddleElement: existing, properties: { value } },
    });
  } else {
    const extensionElements = ensureExtensionElements(element, businessObject, bpmnFactory, commands);
    let container = extensionValues(businessObject, 'spiffworkflow:Properties')[0];
    if (!container) {
      container = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
      addExtensionValue(element, extensionElements, container, commands);
    }
    const property = bpmnFactory.create('spiffworkflow:Property', { name, value });
    property.$parent = container;
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: {
        element,
        moddleElement: container,
        properties: { properties: [...container.get('properties'), property] },
      },
    });
  }
  commandStack.execute('properties-panel.multi-command-executor', commands);
}

function setMessageVariable(element, value, bpmnFactory, commandStack) {
  const holder = messageVariableHolder(element);
  const existing = extensionValues(holder, 'spiffworkflow:MessageVariable')[0];
  const commands = [];
  if (existing && !value) {
    const extensionElements = existing.$parent;
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: {
        element,
        moddleElement: extensionElements,
        properties: { values: extensionElements.get('values').filter((v) => v !== existing) },
      },
    });
  } else if (existing) {
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element, moddleElement: existing, properties: { value } },
    });
  } else if (value) {
    const extensionElements = ensureExtensionElements(element, holder, bpmnFactory, commands);
    const variable = bpmnFactory.create('spiffworkflow:MessageVariable', { value });
    addExtensionValue(element, extensionElements, variable, commands);
  } else {
    return;
  }
  commandStack.execute('properties-panel.multi-command-executor', commands);
}

// Entries -------------------------------------------------------------------------------------

function FormEntry(props) {
  const { element, id } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  const config = useService('config.epeople', false) || {};
  const forms = config.forms || [];
  const getValue = () => getSpiffPropertyValue(element, FORM_PROPERTY);
  const setValue = (value) => setSpiffProperty(element, FORM_PROPERTY, value, bpmnFactory, commandStack);
  const getOptions = () => {
    const current = getValue();
    const options = [{ value: '', label: translate('<none>') }];
    for (const form of forms) {
      options.push({ value: form.name, label: form.title ? `${form.title} (${form.name})` : form.name });
    }
    if (current && !forms.some((form) => form.name === current)) {
      options.push({ value: current, label: translate('{name} (not found)', { name: current }) });
    }
    return options;
  };
  return h(SelectEntry, {
    element,
    id,
    label: translate('Form'),
    description: translate('The JSON Schema the assignee fills in (forms/).'),
    getValue,
    setValue,
    getOptions,
  });
}

const EXPRESSIONS = {
  body: {
    label: 'Body',
    description: 'Python expression giving the code of the body whose staff get the task, e.g. routing_office or competent_body.',
  },
  due: {
    label: 'Due',
    description: 'Python expression giving an ISO date-time, e.g. response_due. A boundary timer on the task takes precedence.',
  },
  priority: {
    label: 'Priority',
    description: 'Python expression giving a whole number; higher comes first in the tasklist. Empty: 0.',
  },
};

function ExpressionPropertyEntry(props) {
  const { element, id, name } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const text = EXPRESSIONS[name];
  return h(TextFieldEntry, {
    element,
    id,
    label: translate(text.label),
    description: translate(text.description),
    getValue: () => getSpiffPropertyValue(element, name),
    setValue: (value) => setSpiffProperty(element, name, (value || '').trim(), bpmnFactory, commandStack),
    debounce,
  });
}

function ConditionEntry(props) {
  const { element, id } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const businessObject = getBusinessObject(element);
  const getValue = () => {
    const expression = businessObject.get('conditionExpression');
    return (expression && expression.get('body')) || '';
  };
  const setValue = (value) => {
    const commands = [];
    const expression = businessObject.get('conditionExpression');
    if (value && expression) {
      commands.push({
        cmd: 'element.updateModdleProperties',
        context: { element, moddleElement: expression, properties: { body: value } },
      });
    } else {
      const conditionExpression = value
        ? bpmnFactory.create('bpmn:FormalExpression', { body: value })
        : undefined;
      if (conditionExpression) {
        conditionExpression.$parent = businessObject;
      }
      commands.push({ cmd: 'element.updateProperties', context: { element, properties: { conditionExpression } } });
    }
    const source = element.source;
    if (value && source && getBusinessObject(source).get('default') === businessObject) {
      commands.push({ cmd: 'element.updateProperties', context: { element: source, properties: { default: undefined } } });
    }
    commandStack.execute('properties-panel.multi-command-executor', commands);
  };
  return h(TextAreaEntry, {
    element,
    id,
    label: translate('Condition'),
    description: translate('Python expression on the petition data, e.g. decision == "accept". The flow is taken when it is true.'),
    getValue,
    setValue,
    debounce,
    monospace: true,
    rows: 2,
  });
}

function DefaultFlowEntry(props) {
  const { element, id } = props;
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  const businessObject = getBusinessObject(element);
  const source = element.source;
  const getValue = () => Boolean(source && getBusinessObject(source).get('default') === businessObject);
  const setValue = (checked) => {
    const commands = [
      { cmd: 'element.updateProperties', context: { element: source, properties: { default: checked ? businessObject : undefined } } },
    ];
    if (checked && businessObject.get('conditionExpression')) {
      commands.push({ cmd: 'element.updateProperties', context: { element, properties: { conditionExpression: undefined } } });
    }
    commandStack.execute('properties-panel.multi-command-executor', commands);
  };
  return h(CheckboxEntry, {
    element,
    id,
    label: translate('Default flow (taken when no condition holds)'),
    getValue,
    setValue,
  });
}

function TimerKindEntry(props) {
  const { element, id } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  const definition = timerDefinition(element);
  const getValue = () => timerKind(definition);
  const setValue = (kind) => {
    const current = timerKind(definition);
    if (kind === current) {
      return;
    }
    const previous = current && definition.get(current);
    const properties = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
    if (kind) {
      const expression = bpmnFactory.create('bpmn:FormalExpression', {
        body: (previous && previous.get('body')) || undefined,
      });
      expression.$parent = definition;
      properties[kind] = expression;
    }
    commandStack.execute('element.updateModdleProperties', { element, moddleElement: definition, properties });
  };
  const getOptions = () => [
    { value: '', label: translate('<none>') },
    { value: 'timeDate', label: translate('Date: fires at a date-time') },
    { value: 'timeDuration', label: translate('Duration: fires after a delay') },
    { value: 'timeCycle', label: translate('Cycle: fires repeatedly') },
  ];
  return h(SelectEntry, { element, id, label: translate('Timer kind'), getValue, setValue, getOptions });
}

const TIMER_HELP = {
  timeDate: 'Python expression giving an ISO date-time, e.g. working_days(reply_days) or response_due.',
  timeDuration: 'Python expression giving an ISO 8601 duration, e.g. days(survey_days) or "P1D".',
  timeCycle: 'Python expression giving an ISO 8601 repetition, e.g. "R3/P1D".',
};

function TimerExpressionEntry(props) {
  const { element, id } = props;
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const definition = timerDefinition(element);
  const kind = timerKind(definition);
  const expression = kind && definition.get(kind);
  return h(TextFieldEntry, {
    element,
    id,
    label: translate('Timer expression'),
    description: translate(TIMER_HELP[kind] || ''),
    getValue: () => (expression && expression.get('body')) || '',
    setValue: (value) =>
      commandStack.execute('element.updateModdleProperties', {
        element,
        moddleElement: expression,
        properties: { body: value },
      }),
    debounce,
  });
}

function MessageVariableEntry(props) {
  const { element, id } = props;
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const getValue = () => {
    const variable = extensionValues(messageVariableHolder(element), 'spiffworkflow:MessageVariable')[0];
    return (variable && variable.get('value')) || '';
  };
  return h(TextFieldEntry, {
    element,
    id,
    label: translate('Payload variable'),
    description: translate('The data key receiving the message payload, e.g. reply.'),
    getValue,
    setValue: (value) => setMessageVariable(element, (value || '').trim(), bpmnFactory, commandStack),
    debounce,
  });
}

// Groups --------------------------------------------------------------------------------------

function userTaskGroup(element, translate) {
  const entries = [{ id: 'epeople-form', component: FormEntry, isEdited: isSelectEntryEdited }];
  for (const name of Object.keys(EXPRESSIONS)) {
    entries.push({
      id: `epeople-${name}`,
      name,
      component: ExpressionPropertyEntry,
      isEdited: isTextFieldEntryEdited,
    });
  }
  return { id: 'epeople-task', label: translate('Task: form and assignment'), component: Group, entries, shouldOpen: true };
}

function conditionGroup(element, translate) {
  const entries = [{ id: 'epeople-condition', component: ConditionEntry, isEdited: isTextAreaEntryEdited }];
  const source = getBusinessObject(element).get('sourceRef');
  if (isAny(source, CONDITIONAL_SOURCES)) {
    entries.push({ id: 'epeople-default-flow', component: DefaultFlowEntry, isEdited: isCheckboxEntryEdited });
  }
  return { id: 'epeople-condition', label: translate('Condition'), component: Group, entries, shouldOpen: true };
}

function timerGroup(element, translate) {
  const definition = timerDefinition(element);
  const entries = [{ id: 'epeople-timer-kind', component: TimerKindEntry, isEdited: isSelectEntryEdited }];
  if (timerKind(definition)) {
    entries.push({ id: 'epeople-timer-expression', component: TimerExpressionEntry, isEdited: isTextFieldEntryEdited });
  }
  return { id: 'timer', label: translate('Timer'), component: Group, entries, shouldOpen: true };
}

export default class EpeoplePropertiesProvider {
  constructor(propertiesPanel, translate) {
    this._translate = translate;
    propertiesPanel.registerProvider(LOW_PRIORITY, this);
  }

  getGroups(element) {
    const translate = this._translate;
    return (groups) => {
      let result = [...groups];
      const after = (id, group) => {
        const index = result.findIndex((g) => g.id === id);
        result.splice(index === -1 ? result.length : index + 1, 0, group);
      };
      if (is(element, 'bpmn:UserTask')) {
        after('general', userTaskGroup(element, translate));
      }
      if (isConditionalFlow(element)) {
        after('general', conditionGroup(element, translate));
      }
      if (timerDefinition(element)) {
        result = result.filter((group) => group.id !== 'timer');
        after('general', timerGroup(element, translate));
      }
      if (isMessageCatch(element)) {
        const entry = { id: 'epeople-message-variable', component: MessageVariableEntry, isEdited: isTextFieldEntryEdited };
        const message = result.find((group) => group.id === 'message');
        if (message) {
          message.entries = [...message.entries, entry];
          message.shouldOpen = true;
        } else {
          after('general', { id: 'message', label: translate('Message'), component: Group, entries: [entry], shouldOpen: true });
        }
      }
      return result;
    };
  }
}

EpeoplePropertiesProvider.$inject = ['propertiesPanel', 'translate'];
