// A small typed client for the CRI RuntimeService (runtime.v1) over a runtime's unix socket, as
// containerd and CRI-O serve it. It exists so that the rest of falconet sees promises of plain typed
// objects, never grpc-js callbacks or protobuf classes, and so that every call has a deadline: a hung
// runtime must cost a bounded wait, not a stuck metadata source.
//
// Decoding choices, fixed here for every caller: field names as in the .proto (keepCase, snake_case,
// so they read like the CRI docs and like the JSON containerd puts in its verbose `info`), int64 as
// decimal strings (nanosecond timestamps do not fit a double), enums as their names, and defaults
// filled in (absent strings are '', absent maps {}, absent repeated fields [], absent messages null).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

// ---- the decoded messages (responses: defaults filled in) ----

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type ContainerStateName = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type PodSandboxStateName = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

export interface VersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}

export interface NamespaceOption {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  target_id: string;
}

export interface Mount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  selinux_relabel: boolean;
  propagation: MountPropagation;
}

export interface ImageSpec {
  image: string;
  annotations: Record<string, string>;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

/** One entry of ListContainers. */
export interface Container {
  id: string;
  pod_sandbox_id: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  image_ref: string;
  state: ContainerStateName;
  /** ns since the epoch, as a decimal string. */
  created_at: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  image_id: string;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerStateName;
  /** ns since the epoch, as decimal strings; '0' when not yet (or never). */
  created_at: string;
  started_at: string;
  finished_at: string;
  exit_code: number;
  image: ImageSpec | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  log_path: string;
  /** Newer runtimes only (CRI 1.31+); containerd 1.6 leaves it ''. */
  image_id: string;
}

export interface ContainerStatusResponse {
  status: ContainerStatus | null;
  /** Verbose only: runtime-specific JSON strings (containerd and CRI-O: one key, "info"). */
  info: Record<string, string>;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxStateName;
  created_at: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtime_handler: string;
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxStateName;
  created_at: string;
  network: { ip: string; additional_ips: { ip: string }[] } | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtime_handler: string;
}

export interface PodSandboxStatusResponse {
  status: PodSandboxStatus | null;
  info: Record<string, string>;
}

// ---- what a caller sends (any field may be left out: proto3 defaults apply) ----

export interface NamespaceOptionInput {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  target_id?: string;
}

export interface MountInput {
  container_path: string;
  host_path: string;
  readonly?: boolean;
  propagation?: MountPropagation;
}

export interface PodSandboxConfigInput {
  metadata: { name: string; uid: string; namespace: string; attempt?: number };
  hostname?: string;
  log_directory?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: {
    cgroup_parent?: string;
    security_context?: { namespace_options?: NamespaceOptionInput; privileged?: boolean };
  };
}

export interface ContainerConfigInput {
  metadata: { name: string; attempt?: number };
  image: { image: string };
  command?: string[];
  args?: string[];
  working_dir?: string;
  envs?: { key: string; value: string }[];
  mounts?: MountInput[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  log_path?: string;
  linux?: { security_context?: { privileged?: boolean; namespace_options?: NamespaceOptionInput } };
}

export interface ContainerFilterInput {
  id?: string;
  state?: { state: ContainerStateName };
  pod_sandbox_id?: string;
  label_selector?: Record<string, string>;
}

export interface PodSandboxFilterInput {
  id?: string;
  state?: { state: PodSandboxStateName };
  label_selector?: Record<string, string>;
}

// ---- loading the .proto ----

const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const SERVICE = 'runtime.v1.RuntimeService';

/**
 * Where runtime.proto is: beside this file when running from src/ (vitest), and in src/ when running
 * the compiled dist/metadata/cri/client.js (tsc does not copy .proto files into dist/).
 */
export function runtimeProtoPath(): string {
  const candidates = [new URL('./runtime.proto', import.meta.url), new URL('../../../src/metadata/cri/runtime.proto', import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new Error(`runtime.proto not found (looked in ${candidates.map((u) => fileURLToPath(u)).join(', ')})`);
}

let service: protoLoader.ServiceDefinition | undefined;

function runtimeService(): protoLoader.ServiceDefinition {
  if (!service) {
    const def = protoLoader.loadSync(runtimeProtoPath(), LOADER_OPTIONS)[SERVICE];
    if (!def || 'format' in def) throw new Error(`${SERVICE} missing from runtime.proto`);
    service = def as protoLoader.ServiceDefinition;
  }
  return service;
}

// ---- errors ----

/** The error of a failed call: a grpc-js ServiceError (code, details). */
export type CriError = grpc.ServiceError;

function isServiceError(err: unknown): err is CriError {
  return err instanceof Error && typeof (err as Partial<CriError>).code === 'number';
}

/** The runtime does not know the container or sandbox (it was removed, or is another runtime's). */
export function isNotFound(err: unknown): boolean {
  return isServiceError(err) && err.code === grpc.status.NOT_FOUND;
}

/** "unix:///path" for a bare path; a target already in grpc's form is kept. */
export function socketTarget(socket: string): string {
  return socket.startsWith('unix:') ? socket : `unix://${socket}`;
}

// ---- the client ----

export class CriClient {
  private readonly client: grpc.Client;

  constructor(
    readonly socket: string,
    private readonly timeoutMs = 2_000,
  ) {
    this.client = new grpc.Client(socketTarget(socket), grpc.credentials.createInsecure(), {
      // A node with many containers lists more than grpc's default 4 MiB (containerd sends up to 16).
      'grpc.max_receive_message_length': 16 << 20,
    });
  }

  version(): Promise<VersionResponse> {
    return this.call('Version', { version: 'v1' });
  }

  async listContainers(filter?: ContainerFilterInput): Promise<Container[]> {
    return (await this.call<{ containers: Container[] }>('ListContainers', { filter })).containers;
  }

  containerStatus(containerId: string, verbose = true): Promise<ContainerStatusResponse> {
    return this.call('ContainerStatus', { container_id: containerId, verbose });
  }

  async listPodSandbox(filter?: PodSandboxFilterInput): Promise<PodSandbox[]> {
    return (await this.call<{ items: PodSandbox[] }>('ListPodSandbox', { filter })).items;
  }

  podSandboxStatus(podSandboxId: string, verbose = true): Promise<PodSandboxStatusResponse> {
    return this.call('PodSandboxStatus', { pod_sandbox_id: podSandboxId, verbose });
  }

  // The kubelet's side, used by the e2e tests to run pods.

  async runPodSandbox(config: PodSandboxConfigInput, runtimeHandler = '', timeoutMs = 30_000): Promise<string> {
    return (await this.call<{ pod_sandbox_id: string }>('RunPodSandbox', { config, runtime_handler: runtimeHandler }, timeoutMs)).pod_sandbox_id;
  }

  async createContainer(podSandboxId: string, config: ContainerConfigInput, sandboxConfig: PodSandboxConfigInput, timeoutMs = 30_000): Promise<string> {
    const req = { pod_sandbox_id: podSandboxId, config, sandbox_config: sandboxConfig };
    return (await this.call<{ container_id: string }>('CreateContainer', req, timeoutMs)).container_id;
  }

  async startContainer(containerId: string, timeoutMs = 30_000): Promise<void> {
    await this.call('StartContainer', { container_id: containerId }, timeoutMs);
  }

  /** Stops a container, killing it after `graceS` seconds (0: at once). */
  async stopContainer(containerId: string, graceS = 0, timeoutMs = 30_000): Promise<void> {
    await this.call('StopContainer', { container_id: containerId, timeout: graceS }, timeoutMs);
  }

  async removeContainer(containerId: string, timeoutMs = 30_000): Promise<void> {
    await this.call('RemoveContainer', { container_id: containerId }, timeoutMs);
  }

  async stopPodSandbox(podSandboxId: string, timeoutMs = 30_000): Promise<void> {
    await this.call('StopPodSandbox', { pod_sandbox_id: podSandboxId }, timeoutMs);
  }

  async removePodSandbox(podSandboxId: string, timeoutMs = 30_000): Promise<void> {
    await this.call('RemovePodSandbox', { pod_sandbox_id: podSandboxId }, timeoutMs);
  }

  close(): void {
    this.client.close();
  }

  /** One unary call with a deadline; the decoded response is trusted to match the .proto's shape. */
  private call<Res>(method: string, request: object, timeoutMs = this.timeoutMs): Promise<Res> {
    const def = runtimeService()[method];
    if (!def) return Promise.reject(new Error(`${method} is not in runtime.proto`));
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest<object, object>(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, res) => (err || !res ? reject(err ?? new Error(`${method}: empty response`)) : resolve(res as Res)),
      );
    });
  }
}
