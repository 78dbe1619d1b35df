// The table of APIs this broker serves, with the version range of each. ApiVersions answers from this table, so
// only what is actually implemented is ever advertised.
import type { RequestBodies, ResponseBodies, KnownApiKey } from '../../protocol/messages.js';
import type { RequestContext } from '../context.js';

export interface ApiHandler<K extends KnownApiKey = KnownApiKey> {
  apiKey: K;
  minVersion: number;
  maxVersion: number;
  /** Returns the response body, or null when the request gets no response (Produce with acks=0). */
  handle(req: RequestBodies[K], ctx: RequestContext): Promise<ResponseBodies[K] | null> | ResponseBodies[K] | null;
}

export function defineHandler<K extends KnownApiKey>(h: ApiHandler<K>): ApiHandler<K> {
  return h;
}

const served = new Map<number, ApiHandler>();

/** Called once by handlers/index.ts with every handler; ApiVersions reads the table back from here (no import cycle). */
export function registerHandlers(all: readonly ApiHandler[]): ReadonlyMap<number, ApiHandler> {
  for (const h of all) served.set(h.apiKey, h);
  return served;
}

export function servedApis(): ApiHandler[] {
  return [...served.values()];
}
