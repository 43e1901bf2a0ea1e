/**
 * Family registry: maps a manifest's `family` to the code that turns its sessions into a
 * {@link FamilyAdapter}. Each family module calls {@link registerFamily} at import time;
 * `families/index.ts` imports them all. Unknown names get an error listing the valid ones.
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Category } from '../core/types.js';
import type { Manifest } from './manifest.js';
import { parseManifestPart } from './manifest.js';
import type { FamilyAdapter, ModelSession } from './types.js';

export interface FamilyContext<P> {
  readonly manifest: Manifest;
  /** Family params validated by the family's `paramsSchema` (defaults applied). */
  readonly params: P;
  /** One loaded session per manifest component role. */
  readonly sessions: Record<string, ModelSession>;
  readonly categories: Category[];
  /** Absolute path of the bundle directory. */
  readonly bundleDir: string;
}

export interface FamilyDefinition<P = unknown> {
  readonly family: string;
  /** Validates `manifest.params`; errors are reported as `params.<field>`. */
  readonly paramsSchema: z.ZodType<P>;
  /** Valid param names, used to suggest the right one for a typo (`params.bnis` → `bins`). */
  readonly paramNames?: readonly string[];
  /** Component roles that must be present in the manifest (e.g. `['main']`). */
  readonly requiredComponents: readonly string[];
  /** Further roles the family understands; when given, any other role is refused. */
  readonly optionalComponents?: readonly string[];
  /** Output meanings each role must map (e.g. `{ main: ['semantic', 'instance'] }`). */
  readonly requiredOutputs?: Readonly<Record<string, readonly string[]>>;
  create(ctx: FamilyContext<P>): FamilyAdapter | Promise<FamilyAdapter>;
}

const families = new Map<string, FamilyDefinition<unknown>>();

/** Registers a family (last registration of a name wins, so hot reloads and tests can replace one). */
export function registerFamily<P>(def: FamilyDefinition<P>): void {
  if (!/^[a-z][a-z0-9-]*$/.test(def.family)) throw new ConfigError('family', def.family, 'family names are lower-case identifiers');
  families.set(def.family, def as FamilyDefinition<unknown>);
}

export function familyNames(): string[] {
  return [...families.keys()].sort();
}

export function getFamily(name: string): FamilyDefinition<unknown> {
  const def = families.get(name);
  if (!def) {
    const valid = familyNames();
    throw new ConfigError('family', name, `unknown model family; valid: ${valid.length ? valid.join(', ') : '(none registered)'}`);
  }
  return def;
}

/**
 * Checks a manifest against its family (roles, output meanings, params) and returns the parsed
 * params. Runs before any ONNX file is opened so manifest mistakes surface first.
 */
export function validateForFamily(manifest: Manifest, file?: string): { def: FamilyDefinition<unknown>; params: unknown } {
  let def: FamilyDefinition<unknown>;
  try {
    def = getFamily(manifest.family);
  } catch (err) {
    if (err instanceof ConfigError && file) throw new ConfigError('family', manifest.family, `unknown model family; valid: ${familyNames().join(', ')}`, { file });
    throw err;
  }
  const ctx = file ? { file } : undefined;
  const roles = Object.keys(manifest.components);
  for (const r of def.requiredComponents)
    if (!roles.includes(r)) throw new ConfigError('components', roles, `family ${def.family} needs component "${r}" (required: ${def.requiredComponents.join(', ')})`, ctx);
  if (def.optionalComponents) {
    const allowed = [...def.requiredComponents, ...def.optionalComponents];
    for (const r of roles)
      if (!allowed.includes(r)) throw new ConfigError(`components.${r}`, r, `family ${def.family} has no component "${r}"; valid: ${allowed.join(', ')}`, ctx);
  }
  for (const [role, meanings] of Object.entries(def.requiredOutputs ?? {})) {
    const comp = manifest.components[role];
    if (!comp) continue;
    for (const m of meanings)
      if (!(m in comp.outputs))
        throw new ConfigError(`components.${role}.outputs`, comp.outputs, `family ${def.family} needs output "${m}" (required: ${meanings.join(', ')})`, ctx);
  }
  const params = parseManifestPart(def.paramsSchema, manifest.params, 'params', file, def.paramNames ?? []);
  return { def, params };
}
