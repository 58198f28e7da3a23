// The owner-reference rules, case by case: which pods get a ReplicaSet and a Deployment name.
import { describe, expect, it } from 'vitest';
import { type OwnerRef, type Workload, workloadOf } from './owner.js';

const rs = (name: string, extra: Partial<OwnerRef> = {}): OwnerRef => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, controller: true, ...extra });
const hash = (h: string): Record<string, string> => ({ app: 'web', 'pod-template-hash': h });

describe('workloadOf', () => {
  const cases: [string, OwnerRef[] | undefined, Record<string, string> | undefined, Workload][] = [
    ['a Deployment pod: the hash suffix is cut', [rs('web-7d4b9c8f5d')], hash('7d4b9c8f5d'), { replicaSet: 'web-7d4b9c8f5d', deployment: 'web' }],
    ['a Deployment whose name has dashes', [rs('api-gateway-v2-5f6d7c')], hash('5f6d7c'), { replicaSet: 'api-gateway-v2-5f6d7c', deployment: 'api-gateway-v2' }],
    ['a hand-made ReplicaSet (no hash label)', [rs('frontend')], { app: 'web' }, { replicaSet: 'frontend' }],
    ['a hash label that is not the suffix', [rs('frontend-abc')], hash('xyz'), { replicaSet: 'frontend-abc' }],
    ['a hash that is the whole name', [rs('-abc')], hash('abc'), { replicaSet: '-abc' }],
    ['the suffix without its dash', [rs('webabc')], hash('abc'), { replicaSet: 'webabc' }],
    ['the old extensions group', [rs('web-abc', { apiVersion: 'extensions/v1beta1' })], hash('abc'), { replicaSet: 'web-abc', deployment: 'web' }],
    ['a custom resource named ReplicaSet', [rs('web-abc', { apiVersion: 'example.com/v1' })], hash('abc'), {}],
    ['a StatefulSet pod', [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', controller: true }], { 'controller-revision-hash': 'db-5c9' }, {}],
    ['a DaemonSet pod', [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', controller: true }], undefined, {}],
    ['a Job pod', [{ apiVersion: 'batch/v1', kind: 'Job', name: 'backup-28391', controller: true }], undefined, {}],
    ['a bare pod', [], { app: 'x' }, {}],
    ['no owner references at all', undefined, undefined, {}],
    [
      'the controlling ReplicaSet wins over another owner',
      [rs('other-abc', { controller: false }), rs('web-abc')],
      hash('abc'),
      { replicaSet: 'web-abc', deployment: 'web' },
    ],
    ['a ReplicaSet that is not marked controller', [rs('web-abc', { controller: undefined })], hash('abc'), { replicaSet: 'web-abc', deployment: 'web' }],
    ['an owner without a name', [rs('')], hash('abc'), {}],
  ];

  it.each(cases)('%s', (_name, owners, labels, expected) => {
    expect(workloadOf(owners, labels)).toEqual(expected);
  });
});
