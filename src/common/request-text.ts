import { InvalidArgumentError } from '@app/errors';

/**
 * The deepest nesting of arrays and objects a request body may have. The deepest body the API defines nests
 * four levels; class-transformer and class-validator recurse per level, and a megabyte of `[[[…` overflowed
 * their stack after seconds of work that held the event loop.
 */
export const MAX_JSON_DEPTH = 32;

/** Refuses JSON text nested deeper than {@link MAX_JSON_DEPTH}, in one linear pass before anything parses it. */
export function assertJsonDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new InvalidArgumentError('AUTHF-REQ-DEPTH', `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
      }
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      depth--;
    }
  }
}

// A lone UTF-16 surrogate has no UTF-8 form, and PostgreSQL's text cannot hold NUL: neither can be stored or echoed.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Refuses a parsed body (or RPC message) holding a string, key or value, that cannot be stored as text.
 * The walk is recursive: callers pass values whose depth {@link assertJsonDepth} or a schema bounds.
 */
export function assertStorableText(value: unknown): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000') || LONE_SURROGATE.test(value)) {
      throw new InvalidArgumentError('AUTHF-REQ-TEXT', 'The request contains text that cannot be stored (a lone UTF-16 surrogate or a NUL character)');
    }
  } else if (Array.isArray(value)) {
    for (const item of value) assertStorableText(item);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      assertStorableText(key);
      assertStorableText(item);
    }
  }
}
