// ApiVersions: the APIs and version ranges this broker serves (from the handler table, never more), the
// and the v0 fallback: a request at a version we do not know
// is answered (by the router) with a v0 response carrying UNSUPPORTED_VERSION and our list.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type { ApiVersionsResponse } from '../../protocol/generated/messages/api-versions-response.js';
import { defineHandler, servedApis } from './registry.js';

export function apiVersionsBody(errorCode: number): ApiVersionsResponse {
  const apiKeys = servedApis()
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
  return {
    errorCode,
    apiKeys,
    throttleTimeMs: 0,
    // No feature flags: Gregor has no KRaft metadata.version, and clients then use their classic code paths.
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

export default defineHandler({
  apiKey: ApiKeys.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle(req) {
    // v3+: the client tells its software name/version; Kafka validates the characters.
    const bad = (s: string | undefined): boolean => s !== undefined && s !== '' && !/^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/.test(s);
    if (bad(req.clientSoftwareName) || bad(req.clientSoftwareVersion)) return apiVersionsBody(ErrorCodes.INVALID_REQUEST);
    return apiVersionsBody(ErrorCodes.NONE);
  },
});
