// Output templates: `%field` references in a rule's output, bound once and rendered per alert.

export { compileOutput, renderValue, type FormattedOutput, type OutputBinder, type OutputFormatter, type OutputResult } from './compile.js';
export { parseTemplate, type TemplateField, type TemplatePart } from './template.js';
