/**
 * pagerace's public API: the allocator contract, the scenario helper, the built-in allocators, and the
 * program contract. A user's allocator module imports `defineAllocator` from here and default-exports
 * its result; a program module, `defineProgram`.
 */
export type {
  AllocatorCounters,
  AllocatorDefinition,
  Locking,
  PageAllocator,
  RunSizes,
  SharedRegion,
} from './alloc/contract.ts';
export { defineAllocator } from './alloc/contract.ts';
export { allocators, builtins, variants } from './alloc/registry.ts';
export { GlobalLock, LOCK_BYTES } from './alloc/global-lock.ts';
export { withGlobalLock } from './alloc/locked.ts';
export { defineScenario } from './scenario/define.ts';
export type { Scenario, ScenarioInput } from './scenario/schema.ts';
export type { ViolationKind } from './scenario/violation-kind.ts';
export { defineProgram } from './subjects/program/contract.ts';
export type { ProgramDefinition } from './subjects/program/contract.ts';
export { defineObject } from './subjects/object/define-object.ts';
export type { ObjectDefinition, OperationSpec } from './subjects/object/define-object.ts';
export type { SequentialModel } from './subjects/object/history.ts';
