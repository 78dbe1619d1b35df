// Kafka error codes the group coordinator answers with: Kafka's names and numbers, from the generated table.
import { ErrorCodes, ERROR_INFO } from '../protocol/generated/error-codes.js';

export const GroupErrors = ErrorCodes;

/**
 * Kafka's Errors.message(): the exception message, or the error's name when there is none (NONE -> "NONE").
 * FindCoordinator v1-3 sends it as ErrorMessage.
 */
export function errorMessage(code: number): string {
  const info = ERROR_INFO[code];
  if (!info) return 'UNKNOWN_SERVER_ERROR';
  return info.message !== '' ? info.message : info.name;
}
