// Route schemas (TypeBox) are checked by TypeBox's compiled checker instead of Ajv, so a
// 400 names the field and the reason the same way everywhere.
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { firstError, formatFieldError } from './messages.js';

export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'invalid_request';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(formatFieldError({ field, reason }));
  }
}

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const coerce = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'body');
  return (data: unknown) => {
    const value = coerce ? Value.Convert(schema, data) : data;
    if (check.Check(value)) return { value };
    const e = firstError(check.Errors(value)) ?? { field: part, reason: 'is not valid' };
    return { error: new RequestValidationError(e.field === 'value' ? part : e.field, e.reason) };
  };
};
