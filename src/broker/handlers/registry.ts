/**
 * The handler registry: API key → handler. ApiVersions reads it, so only
 * what is registered is advertised.
 */
import type { Handler } from '../handler.ts';

const registry = new Map<number, Handler>();

/** Adds handlers to the registry (called once by handlers/index.ts). */
export function registerHandlers(handlers: readonly Handler[]): void {
  for (const h of handlers) {
    if (registry.has(h.key)) throw new Error(`two handlers for API key ${h.key}`);
    registry.set(h.key, h);
  }
}

/** The handler for an API key. */
export function lookupHandler(key: number): Handler | undefined {
  return registry.get(key);
}

/** ApiVersions entries for every registered handler, in key order. */
export function advertisedVersions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return [...registry.values()]
    .sort((a, b) => a.key - b.key)
    .map((h) => ({ apiKey: h.key, minVersion: h.advertisedMin ?? h.minVersion, maxVersion: h.maxVersion }));
}
