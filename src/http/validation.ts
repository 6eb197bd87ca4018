import type { FastifySchemaValidationError } from 'fastify';
import type { FieldProblems } from './errors.js';
import type { FieldMessageKey } from './i18n.js';
import { NOT_BLANK } from './schemas.js';

/** Fields whose pattern has a message of its own. */
const patternMessages: Record<string, FieldMessageKey> = {
  username: 'usernameFormat',
  phone_number: 'phoneFormat',
};

const typeMessages: Record<string, FieldMessageKey> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  object: 'object',
};

/** Turns Ajv's errors into per-field problems with translatable messages. */
export function fieldProblemsFromAjv(errors: FastifySchemaValidationError[]): FieldProblems {
  const fields: FieldProblems = {};
  const add = (field: string, key: FieldMessageKey, params?: Record<string, string | number>): void => {
    const list = (fields[field] ??= []);
    if (!list.some((p) => p.key === key)) list.push(params ? { key, params } : { key });
  };
  for (const e of errors) {
    const path = e.instancePath.split('/').filter(Boolean).join('.');
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      const missing = String(p.missingProperty ?? '');
      add(path ? `${path}.${missing}` : missing, 'required');
      continue;
    }
    const field = path || 'body';
    switch (e.keyword) {
      case 'type': {
        const expected = String(Array.isArray(p.type) ? p.type[0] : p.type);
        add(field, typeMessages[expected] ?? 'invalid');
        break;
      }
      case 'minLength':
        add(field, Number(p.limit) === 1 ? 'required' : 'minLength', { limit: Number(p.limit) });
        break;
      case 'maxLength':
        add(field, 'maxLength', { limit: Number(p.limit) });
        break;
      case 'minimum':
        add(field, 'minimum', { limit: Number(p.limit) });
        break;
      case 'maximum':
        add(field, 'maximum', { limit: Number(p.limit) });
        break;
      case 'enum':
        add(field, 'oneOf', { values: (p.allowedValues as unknown[]).join(', ') });
        break;
      case 'format':
        add(field, p.format === 'email' ? 'email' : 'invalid');
        break;
      case 'pattern':
        if (p.pattern === NOT_BLANK) add(field, 'required');
        else add(field, patternMessages[field.split('.').pop() ?? ''] ?? 'invalid');
        break;
      default:
        add(field, 'invalid');
    }
  }
  return fields;
}
