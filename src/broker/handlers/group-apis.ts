// Shared glue for the group APIs: they are answered by the group coordinator (src/coordinator); the handler files
// only pass the request and the client's identity through.
import type { RequestContext as CoordinatorContext } from '../../coordinator/index.js';
import type { RequestContext } from '../context.js';

export function coordinatorContext(ctx: RequestContext): CoordinatorContext {
  return { apiVersion: ctx.apiVersion, clientId: ctx.clientId, clientHost: ctx.clientHost };
}
