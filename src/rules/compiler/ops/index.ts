// Dispatches a comparison to its operator family.

import { equality } from './equality.js';
import { net } from './net.js';
import { order } from './order.js';
import { patterns } from './patterns.js';
import { strings } from './strings.js';
import type { TestInput, TestResult } from './types.js';

export function compileTest(input: TestInput): TestResult {
  if (input.type === 'ipaddr' || input.type === 'ipnet') return net(input);
  switch (input.op) {
    case '=':
    case '==':
    case '!=':
    case 'in':
    case 'intersects':
      return equality(input);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return order(input);
    case 'contains':
    case 'icontains':
    case 'bcontains':
    case 'startswith':
    case 'bstartswith':
    case 'endswith':
      return strings(input);
    case 'glob':
    case 'iglob':
    case 'regex':
    case 'pmatch':
      return patterns(input);
  }
}

export type { RhsItem, TestInput, TestResult } from './types.js';
