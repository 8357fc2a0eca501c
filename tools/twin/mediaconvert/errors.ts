/**
 * Errors the simulated service answers with, named by MediaConvert's error shapes. The engine raises them by type;
 * the HTTP layer turns the type into a status (an injected fault may set its own).
 */

export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    /** A status chosen by an injected fault; otherwise the type's. */
    readonly statusOverride?: number,
  ) {
    super(message);
  }
}

/** HTTP status of each error shape MediaConvert answers with. */
export const ERROR_STATUS: Record<string, number> = {
  BadRequestException: 400,
  ForbiddenException: 403,
  NotFoundException: 404,
  ConflictException: 409,
  TooManyRequestsException: 429,
  InternalServerErrorException: 500,
};

/** The status to answer an error with; a type of unknown status is a client error (400). */
export function statusOf(err: ServiceError): number {
  return err.statusOverride ?? ERROR_STATUS[err.type] ?? 400;
}

export const badRequest = (message: string) => new ServiceError("BadRequestException", message);
export const notFound = (message: string) => new ServiceError("NotFoundException", message);
