// Route schemas (TypeBox) are checked by TypeBox's compiled checker instead of Ajv, so a
// 400 names the field and the reason the same way everywhere.
import type { FastifySchemaCompiler } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { firstError, formatFieldError } from './messages.js';

/** The query of an API route that takes no parameters: any is refused (app.ts gives it to every such route). */
export const NoQuery = Type.Object({}, { additionalProperties: false });

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

/** What a query or path string must look like to be taken as a number (TypeBox's own conversion takes `1.5` as 1, `0x2` as 2). */
const DECIMAL: Record<string, RegExp> = { integer: /^-?[0-9]+$/, number: /^-?[0-9]+(\.[0-9]+)?$/ };

/** Strings of a query or path as the schema's numbers and booleans; a string that is not plainly one stays a string, for the check to refuse. */
function convert(schema: TSchema, data: unknown): unknown {
  const properties = (schema as { properties?: Record<string, { type?: string }> }).properties;
  if (!properties || !data || typeof data !== 'object') return Value.Convert(schema, data);
  // (Convert changes an object in place: it gets a copy)
  const raw = data as Record<string, unknown>;
  const value = Value.Convert(schema, { ...raw }) as Record<string, unknown>;
  for (const [k, s] of Object.entries(properties)) {
    const plain = s.type ? DECIMAL[s.type] : undefined;
    if (typeof raw[k] === 'string' && plain && !plain.test(raw[k])) value[k] = raw[k];
  }
  return value;
}

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const coerce = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'body');
  return (data: unknown) => {
    const value = coerce ? convert(schema, data) : data;
    if (check.Check(value)) return { value };
    const e = firstError(check.Errors(value)) ?? { field: part, reason: 'is not valid' };
    return { error: new RequestValidationError(e.field === 'value' ? part : e.field, e.reason) };
  };
};
