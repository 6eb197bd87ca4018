import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { CsvError, parse as parseCsvText } from 'csv-parse/sync';
import {
  ParseErrorCode,
  SyntaxKind,
  createScanner,
  parseTree,
  printParseErrorCode,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import { ENTITIES, FIELDS, isObject, type Entity, type ImportProblem, type SourceRecord } from './types.js';

// Reading a catalogue file: its bytes to text, its text to source records (JSON or CSV), each
// record with the line it starts on.

/** Columns a CSV header must name. */
const REQUIRED: Record<Entity, readonly string[]> = {
  specialities: ['slug', 'name'],
  hospitals: ['slug', 'name', 'city', 'timezone'],
  doctors: ['slug', 'username', 'name', 'speciality', 'practices'],
  articles: ['slug', 'title', 'body'],
  categories: ['slug', 'name'],
  products: ['slug', 'name', 'category', 'price'],
};

/** Words a CSV file name may end with, and the entity each names. */
const CSV_NAMES: Record<string, Entity> = {
  specialities: 'specialities',
  speciality: 'specialities',
  specialties: 'specialities',
  specialty: 'specialities',
  hospitals: 'hospitals',
  hospital: 'hospitals',
  doctors: 'doctors',
  doctor: 'doctors',
  articles: 'articles',
  article: 'articles',
  categories: 'categories',
  category: 'categories',
  products: 'products',
  product: 'products',
};

/**
 * Where lines start, so an offset gives its line (\n, \r\n or a lone \r ends a line): an offset
 * in a string's UTF-16 units, or in a buffer's bytes.
 */
function lineIndex(text: string | Uint8Array): (offset: number) => number {
  const code = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = code(i);
    if (c === 10 || (c === 13 && code(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

// ---------------------------------------------------------------------------------------------
// JSON

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface ParsedJson {
  value: unknown;
  /** Offset of each key of every object. */
  keys: WeakMap<object, Map<string, number>>;
  /** Offset of each element of every array. */
  items: WeakMap<unknown[], number[]>;
}

/** How deep values may nest; also keeps jsonc-parser's recursion off deeper input. */
const MAX_DEPTH = 64;

/** jsonc-parser's errors about the grammar (the other codes are about a token's own text). */
const GRAMMAR_ERRORS: ReadonlySet<ParseErrorCode> = new Set([
  ParseErrorCode.PropertyNameExpected,
  ParseErrorCode.ValueExpected,
  ParseErrorCode.ColonExpected,
  ParseErrorCode.CommaExpected,
  ParseErrorCode.CloseBraceExpected,
  ParseErrorCode.CloseBracketExpected,
  ParseErrorCode.EndOfFileExpected,
]);

/**
 * Strict JSON (RFC 8259) through jsonc-parser, remembering where every key and array element
 * starts, so a bad record is reported by its line. Objects have no prototype (a "__proto__" key
 * is an ordinary key); a key given twice in one object is an error, and so is all that RFC 8259
 * refuses (comments, trailing commas, single quotes, NaN, a leading +, hex numbers, control
 * characters in strings). Throws JsonSyntaxError for the first problem in the text.
 */
export function parseJson(text: string): ParsedJson {
  // Nesting is measured first, by a scan without recursion: the parser then sees no more of the
  // text than the nesting allows.
  const tooDeep = walkJson(text, text.length).tooDeep;
  const errors: ParseError[] = [];
  const root = parseTree(tooDeep === undefined ? text : text.slice(0, tooDeep), errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });

  const keys = new WeakMap<object, Map<string, number>>();
  const items = new WeakMap<unknown[], number[]>();
  let duplicate: { key: string; offset: number } | undefined;
  // The tree is walked even after an error: a duplicate key before that error comes first.
  const build = (node: Node): unknown => {
    if (node.type === 'object') {
      const obj = Object.create(null) as Record<string, unknown>;
      const offsets = new Map<string, number>();
      keys.set(obj, offsets);
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key === undefined) continue;
        const name = key.value as string;
        if (offsets.has(name)) duplicate ??= { key: name, offset: key.offset };
        else offsets.set(name, key.offset);
        obj[name] = value === undefined ? undefined : build(value);
      }
      return obj;
    }
    if (node.type === 'array') {
      const children = node.children ?? [];
      const arr = children.map(build);
      items.set(
        arr,
        children.map((child) => child.offset),
      );
      return arr;
    }
    return node.value as unknown;
  };
  const value = root === undefined ? undefined : build(root);

  // The first problem in the text; a cut text's errors at the cut are the cut's, not the file's.
  let error: ParseError | undefined;
  for (const e of errors) {
    if (tooDeep !== undefined && e.offset >= tooDeep) continue;
    // At one offset, the grammar's error first: a token out of place is that before anything else.
    const better =
      error === undefined ||
      e.offset < error.offset ||
      (e.offset === error.offset && GRAMMAR_ERRORS.has(e.error) && !GRAMMAR_ERRORS.has(error.error));
    if (better) error = e;
  }
  const errorAt = error?.offset ?? Infinity;
  const duplicateAt = duplicate?.offset ?? Infinity;
  if (error !== undefined && errorAt <= duplicateAt) throw jsonProblem(text, error);
  if (duplicate !== undefined && duplicateAt < (tooDeep ?? Infinity)) {
    throw new JsonSyntaxError(`field "${duplicate.key}" is given twice in one object`, duplicate.offset);
  }
  if (tooDeep !== undefined) throw new JsonSyntaxError('nested too deeply', tooDeep);
  return { value, keys, items };
}

/** An object or array open at some point of the text, and what it takes next there. */
interface Frame {
  kind: 'object' | 'array';
  expect: 'key' | 'colon' | 'value' | 'comma';
  /** An object's latest key. */
  key: string;
}

/** Where the grammar stands at some point of the text. */
interface Expectation {
  /** The objects and arrays open, innermost last. */
  frames: Frame[];
  /** A whole value has been read at the top. */
  done: boolean;
}

const VALUE_TOKENS: ReadonlySet<SyntaxKind> = new Set([
  SyntaxKind.OpenBraceToken,
  SyntaxKind.OpenBracketToken,
  SyntaxKind.StringLiteral,
  SyntaxKind.NumericLiteral,
  SyntaxKind.TrueKeyword,
  SyntaxKind.FalseKeyword,
  SyntaxKind.NullKeyword,
]);

/**
 * Follows the grammar over the tokens that start before `stop`, without recursion: the objects
 * and arrays open there (to say what was expected where the parser found an error), whether a
 * whole value was read, and the first value nested deeper than MAX_DEPTH.
 */
function walkJson(text: string, stop: number): Expectation & { tooDeep?: number } {
  const scanner = createScanner(text, true);
  const state: Expectation = { frames: [], done: false };
  const { frames } = state;
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    const offset = scanner.getTokenOffset();
    if (offset >= stop) break;
    const top = frames.at(-1);
    const isKey = token === SyntaxKind.StringLiteral && top?.kind === 'object' && top.expect === 'key';
    if (!isKey && VALUE_TOKENS.has(token) && frames.length > MAX_DEPTH) return { ...state, tooDeep: offset };
    switch (token) {
      case SyntaxKind.OpenBraceToken:
        frames.push({ kind: 'object', expect: 'key', key: '' });
        break;
      case SyntaxKind.OpenBracketToken:
        frames.push({ kind: 'array', expect: 'value', key: '' });
        break;
      case SyntaxKind.CloseBraceToken:
      case SyntaxKind.CloseBracketToken:
        frames.pop();
        valueRead(state);
        break;
      case SyntaxKind.ColonToken:
        if (top !== undefined) top.expect = 'value';
        break;
      case SyntaxKind.CommaToken:
        if (top !== undefined) top.expect = top.kind === 'object' ? 'key' : 'value';
        break;
      case SyntaxKind.StringLiteral:
        if (isKey) {
          top.key = scanner.getTokenValue();
          top.expect = 'colon';
        } else valueRead(state);
        break;
      case SyntaxKind.NumericLiteral:
      case SyntaxKind.TrueKeyword:
      case SyntaxKind.FalseKeyword:
      case SyntaxKind.NullKeyword:
        valueRead(state);
        break;
      // Unknown tokens are errors the parser reports.
    }
  }
  return state;
}

/** The part of a cut-short number ("1." or "1e") that is a number. */
const NUMBER_START = /-?\d+(?:\.\d+)?/y;

/** A jsonc-parser error as a message for people, at the offending character. */
function jsonProblem(text: string, error: ParseError): JsonSyntaxError {
  const at = error.offset;
  switch (error.error) {
    case ParseErrorCode.UnexpectedEndOfString:
    case ParseErrorCode.InvalidCharacter:
    case ParseErrorCode.InvalidEscapeCharacter:
    case ParseErrorCode.InvalidUnicode:
      // Reported at the string's opening quote: find the fault inside it.
      return stringProblem(text, at, error.error);
    case ParseErrorCode.UnexpectedEndOfNumber: {
      // "1." or "1e": the number is what comes before, and the "." or "e" out of place after it.
      NUMBER_START.lastIndex = at;
      const end = at + NUMBER_START.exec(text)![0].length;
      const state = walkJson(text, at);
      valueRead(state);
      return new JsonSyntaxError(grammarProblem(text, end, state), end);
    }
    case ParseErrorCode.InvalidCommentToken:
    case ParseErrorCode.UnexpectedEndOfComment:
      return new JsonSyntaxError('a comment (JSON has no comments)', at);
    case ParseErrorCode.InvalidSymbol: {
      const state = walkJson(text, at);
      // jsonc-parser reads "true1" as one unknown word: the literal is fine, what follows is not.
      const literal = /^(?:true|false|null)/.exec(text.slice(at, at + 5))?.[0];
      if (literal !== undefined && expectsValue(state)) {
        valueRead(state);
        return new JsonSyntaxError(grammarProblem(text, at + literal.length, state), at + literal.length);
      }
      return new JsonSyntaxError(grammarProblem(text, at, state) + symbolHint(text, at, expectsValue(state)), at);
    }
    default:
      if (GRAMMAR_ERRORS.has(error.error)) {
        return new JsonSyntaxError(grammarProblem(text, at, walkJson(text, at)), at);
      }
      return new JsonSyntaxError(`not valid JSON at ${found(text, at)} (${printParseErrorCode(error.error)})`, at);
  }
}

const found = (text: string, at: number): string =>
  at >= text.length ? 'the end of the file' : JSON.stringify(text[at]);

function expectsValue({ frames, done }: Expectation): boolean {
  const top = frames.at(-1);
  return top === undefined ? !done : top.expect === 'value';
}

function valueRead(state: Expectation): void {
  const top = state.frames.at(-1);
  if (top === undefined) state.done = true;
  else top.expect = 'comma';
}

/** What was expected at `at`, and what is there instead. */
function grammarProblem(text: string, at: number, state: Expectation): string {
  const top = state.frames.at(-1);
  const valueExpected = () =>
    at >= text.length
      ? 'the file ends where a value is expected'
      : `unexpected ${found(text, at)} where a value is expected`;
  if (top === undefined)
    return state.done ? `unexpected ${found(text, at)} after the end of the JSON value` : valueExpected();
  switch (top.expect) {
    case 'key':
      // "{}" is fine: a "}" where a key is expected follows a comma.
      return text[at] === '}'
        ? 'a comma before "}" (JSON allows no trailing comma)'
        : `expected a "quoted" field name, found ${found(text, at)}`;
    case 'colon':
      return `expected ":" after "${top.key}", found ${found(text, at)}`;
    case 'value':
      return top.kind === 'array' && text[at] === ']'
        ? 'a comma before "]" (JSON allows no trailing comma)'
        : valueExpected();
    case 'comma':
      return top.kind === 'object'
        ? `expected "," or "}" after the value of "${top.key}", found ${found(text, at)}`
        : `expected "," or "]" after an element, found ${found(text, at)}`;
  }
}

/** Why a character JSON does not know is there, for the usual cases (JavaScript, JSON5). */
function symbolHint(text: string, at: number, valueExpected: boolean): string {
  const word = /^[^\s{}[\]:,"]*/.exec(text.slice(at, at + 40))![0];
  if (text[at] === "'") return ' (JSON strings and field names take double quotes)';
  if (/^[xX][0-9a-fA-F]/.test(word) && text[at - 1] === '0') return ' (JSON numbers are decimal, with no 0x)';
  if (!valueExpected) return '';
  if (/^[+-]?(NaN|Infinity)$/.test(word)) return ' (JSON has no NaN or Infinity)';
  if (word.startsWith('+')) return ' (a JSON number has no leading +)';
  if (/^(true|false|null)$/i.test(word)) return ' (true, false and null are written in lower case)';
  return '';
}

/** The first fault of the string that opens at `start`, where it is. */
function stringProblem(text: string, start: number, code: ParseErrorCode): JsonSyntaxError {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    const c = text.charCodeAt(i);
    if (c === 92) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          return new JsonSyntaxError('a \\u escape needs four hex digits', i);
        }
        i += 6;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
        i += 2;
      } else {
        return new JsonSyntaxError(`unknown escape \\${e ?? ''} in a string`, i);
      }
    } else if (c < 0x20) {
      return new JsonSyntaxError('a line break or control character inside a string (write a line break as \\n)', i);
    } else {
      i++;
    }
  }
  if (i >= text.length) return new JsonSyntaxError('a string is never closed', start);
  // Not reached while this reading and jsonc-parser's agree.
  return new JsonSyntaxError(`a string that is not valid JSON (${printParseErrorCode(code)})`, start);
}

// ---------------------------------------------------------------------------------------------
// CSV

interface CsvRow {
  line: number;
  fields: string[];
}

const QUOTE = 0x22;

/**
 * RFC 4180 CSV through csv-parse: comma-separated fields; a field in double quotes may hold
 * commas, line breaks and "" for a quote. Records end with CRLF, LF or CR. Each row carries the
 * physical line it starts on. Blank lines (spaces only, unquoted) are skipped.
 */
export function parseCsv(text: string): { rows: CsvRow[] } | { error: ImportProblem } {
  // csv-parse reads bytes and tells where each record ends in them; lines are counted here from
  // those offsets (its own line count takes a CRLF inside quotes for two lines).
  const bytes = Buffer.from(text, 'utf8');
  const lineAt = lineIndex(bytes);
  const rows: CsvRow[] = [];
  /** Where the latest record ends, its line break included. */
  let end = 0;
  /** Where the next record starts: past the empty lines that csv-parse skipped. */
  const nextStart = (): number => {
    let i = end;
    while (bytes[i] === 10 || bytes[i] === 13) i++;
    return i;
  };
  try {
    parseCsvText(bytes, {
      // All three, in one file too (left to itself, csv-parse keeps the first it meets).
      record_delimiter: ['\r\n', '\n', '\r'],
      // A row's count of fields is checked against the header's, as a problem of that record.
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (fields: string[], info) => {
        const start = nextStart();
        end = info.bytes;
        const blank = fields.length === 1 && fields[0]!.trim() === '' && !bytes.subarray(start, end).includes(QUOTE);
        if (!blank) rows.push({ line: lineAt(start), fields });
        // The rows are collected here; csv-parse keeps none.
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    return { error: csvProblem(err, bytes, nextStart(), lineAt) };
  }
  return { rows };
}

/** A csv-parse error as a message for people, on the line of the offending quote. */
function csvProblem(
  err: CsvError,
  bytes: Buffer,
  recordStart: number,
  lineAt: (offset: number) => number,
): ImportProblem {
  // `column` counts the record's fields read before the faulty one; `bytes` is then where the
  // comma before it is.
  const column = typeof err.column === 'number' ? err.column : 0;
  const fieldStart = column > 0 && typeof err.bytes === 'number' ? err.bytes + 1 : recordStart;
  const field = column + 1;
  const problem = (at: number, message: string): ImportProblem => ({
    line: lineAt(at),
    message: `malformed CSV: ${message}`,
  });
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return problem(fieldStart, `field ${field} opens a quote here that is never closed`);
    case 'INVALID_OPENING_QUOTE':
      return problem(
        fieldStart,
        `a quote inside unquoted field ${field} (put the whole field in quotes and double the quote: "RS ""Harapan""")`,
      );
    case 'CSV_INVALID_CLOSING_QUOTE': {
      // The field's closing quote: the first of its quotes that is not one of a "" pair.
      let close = bytes.indexOf(QUOTE, fieldStart + 1);
      while (close >= 0 && bytes[close + 1] === QUOTE) close = bytes.indexOf(QUOTE, close + 2);
      const after = bytes.toString('utf8', close + 1, close + 5).codePointAt(0) ?? 0;
      return problem(
        close,
        `${JSON.stringify(String.fromCodePoint(after))} after the closing quote of field ${field} (a quote inside a quoted field is written "")`,
      );
    }
    default:
      return problem(recordStart, err.message);
  }
}

// ---------------------------------------------------------------------------------------------
// Files to records

export type Loaded = { records: SourceRecord[] } | { errors: ImportProblem[] };

export function readText(file: string): string | ImportProblem {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    return { line: 0, message: `cannot read ${file}: ${why}` };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const loose = bytes.toString('utf8');
    return {
      line: lineIndex(loose)(loose.indexOf('\uFFFD')),
      message: 'the file is not UTF-8 text (save it as UTF-8, "CSV UTF-8" in a spreadsheet)',
    };
  }
  // TextDecoder drops a leading byte-order mark itself.
  return text;
}

export function loadJson(text: string): Loaded {
  const lineOf = lineIndex(text);
  let parsed: ParsedJson;
  try {
    parsed = parseJson(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const line = lineOf(err.offset);
    const column = err.offset - text.lastIndexOf('\n', err.offset - 1);
    return { errors: [{ line, message: `malformed JSON (column ${column}): ${err.message}` }] };
  }
  const top = parsed.value;
  if (!isObject(top)) {
    return {
      errors: [
        {
          line: lineOf(text.length - text.trimStart().length),
          message: `the file must hold one JSON object with arrays ${ENTITIES.join(', ')}`,
        },
      ],
    };
  }
  const errors: ImportProblem[] = [];
  const records: SourceRecord[] = [];
  const keyOffsets = parsed.keys.get(top)!;
  for (const [key, list] of Object.entries(top)) {
    const keyLine = lineOf(keyOffsets.get(key)!);
    if (!(ENTITIES as readonly string[]).includes(key)) {
      errors.push({ line: keyLine, message: `unknown section "${key}" (expected ${ENTITIES.join(', ')})` });
      continue;
    }
    if (!Array.isArray(list)) {
      errors.push({ line: keyLine, message: `"${key}" must be an array of records` });
      continue;
    }
    const offsets = parsed.items.get(list)!;
    list.forEach((raw, k) =>
      records.push({ entity: key as Entity, index: k + 1, line: lineOf(offsets[k]!), raw, problems: [] }),
    );
  }
  if (errors.length > 0) return { errors };
  return { records };
}

export function loadCsv(text: string, file: string): Loaded {
  const words = basename(file, extname(file))
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
  const entity = CSV_NAMES[words[words.length - 1] ?? ''];
  if (entity === undefined) {
    return {
      errors: [
        {
          line: 0,
          message: `cannot tell what ${basename(file)} holds: a CSV file name ends with what it holds (${ENTITIES.map((e) => `${e}.csv`).join(', ')})`,
          about: 'name',
        },
      ],
    };
  }
  const parsed = parseCsv(text);
  if ('error' in parsed) return { errors: [parsed.error] };
  const [header, ...rows] = parsed.rows;
  if (header === undefined) return { errors: [{ line: 1, message: 'the file is empty' }] };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const headerProblems: string[] = [];
  const unknown = columns.filter((c) => !FIELDS[entity].includes(c));
  if (unknown.length > 0) {
    headerProblems.push(
      `unknown column(s) ${unknown.map((c) => `"${c}"`).join(', ')} (${entity} has ${FIELDS[entity].join(', ')})`,
    );
  }
  const twice = columns.filter((c, k) => columns.indexOf(c) !== k);
  if (twice.length > 0) headerProblems.push(`column(s) named twice: ${[...new Set(twice)].join(', ')}`);
  const missing = REQUIRED[entity].filter((c) => !columns.includes(c));
  if (missing.length > 0) headerProblems.push(`missing column(s) ${missing.join(', ')}`);
  if (headerProblems.length > 0) {
    return { errors: [{ line: header.line, message: `${entity} header: ${headerProblems.join('; ')}` }] };
  }
  const records = rows.map((row, k): SourceRecord => {
    const record: SourceRecord = { entity, index: k + 1, line: row.line, raw: null, problems: [] };
    if (row.fields.length !== columns.length) {
      record.problems.push(`has ${row.fields.length} field(s) where the header has ${columns.length}`);
      return record;
    }
    const raw: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      if (row.fields[j]!.trim() !== '') raw[c] = row.fields[j];
    });
    record.raw = raw;
    return record;
  });
  return { records };
}
