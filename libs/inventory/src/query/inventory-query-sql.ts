import { isEntityId } from '@depot/common';
import type { ComparisonOperator, OrderTerm, QueryNode, QueryValue } from './parse-inventory-query';
import { invalidQuery } from './tokenize-inventory-query';

/** What a query path names: a column of `managed_objects` (alias `mo`) or a path into `fragments`. */
type Field =
  | { kind: 'text'; name: string; column: string }
  | { kind: 'id' }
  | { kind: 'time'; name: string; column: string }
  | { kind: 'binary' }
  | { kind: 'fragment'; path: string[] };

const TEXT_COLUMNS: Record<string, string> = {
  name: 'mo.name',
  type: 'mo.type',
  owner: 'mo.owner',
  contentType: 'mo.content_type',
};
const TIME_COLUMNS: Record<string, string> = {
  creationTime: 'mo.creation_time',
  lastUpdated: 'mo.last_updated',
};
const NEGATED: Record<ComparisonOperator, ComparisonOperator> = {
  eq: 'ne',
  ne: 'eq',
  gt: 'le',
  ge: 'lt',
  lt: 'ge',
  le: 'gt',
};
const SQL_OPERATORS: Record<ComparisonOperator, string> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Translates query trees into SQL over `managed_objects mo`. Input never becomes SQL text: values,
 * LIKE patterns and fragment paths are bound parameters (`:iqN`), paths as `text[]` for `#>`. Every
 * condition it writes is true or false, never NULL, so `not` is exact: `name ne 'x'` matches objects
 * without a name too. Exact fragment values use `@>` (served by the GIN index on `fragments`).
 */
export class InventoryQuerySql {
  readonly parameters: Record<string, unknown> = {};
  private count = 0;

  /** A condition for `node`; `negated` pushes a `not` down to the leaves (De Morgan). */
  condition(node: QueryNode, negated = false): string {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const joiner = (node.kind === 'and') !== negated ? ' AND ' : ' OR ';
        return `(${node.operands.map((operand) => this.condition(operand, negated)).join(joiner)})`;
      }
      case 'not':
        return this.condition(node.operand, !negated);
      case 'has':
        return this.has(resolveField(node.path), negated);
      case 'compare':
        return this.compare(
          resolveField(node.path),
          negated ? NEGATED[node.operator] : node.operator,
          node.value,
          node.path.join('.'),
        );
    }
  }

  /**
   * `ORDER BY` expressions for `$orderby=` terms; `nullable` ones sort missing values last (a NOT
   * NULL column keeps the plain direction, so an index can still be read backwards for `desc`).
   */
  orderExpressions(
    terms: OrderTerm[],
  ): Array<{ expression: string; direction: 'ASC' | 'DESC'; nullable: boolean }> {
    return terms.map((term) => {
      const field = resolveField(term.path);
      const direction = term.direction === 'desc' ? 'DESC' : 'ASC';
      switch (field.kind) {
        case 'text':
          return { expression: field.column, direction, nullable: field.name !== 'owner' };
        case 'time':
          return { expression: field.column, direction, nullable: false };
        case 'id':
          return { expression: 'mo.id', direction, nullable: false };
        case 'fragment':
          return {
            expression: `mo.fragments #> CAST(${this.bind(field.path)} AS text[])`,
            direction,
            nullable: true,
          };
        case 'binary':
          throw invalidQuery(`$orderby= cannot order by ${term.path.join('.')}`);
      }
    });
  }

  private has(field: Field, negated: boolean): string {
    const not = negated ? 'NOT ' : '';
    switch (field.kind) {
      case 'text':
        return `${field.column} IS ${negated ? '' : 'NOT '}NULL`;
      case 'id':
      case 'time':
        return negated ? 'FALSE' : 'TRUE';
      case 'binary':
        return `mo.storage_key IS ${negated ? '' : 'NOT '}NULL`;
      case 'fragment': {
        // The top-level key test lets the GIN index find candidates for a nested path too.
        const top = `mo.fragments ? ${this.bind(field.path[0])}`;
        if (field.path.length === 1) return `${not}(${top})`;
        return `${not}(${top} AND mo.fragments #> CAST(${this.bind(field.path)} AS text[]) IS NOT NULL)`;
      }
    }
  }

  private compare(field: Field, operator: ComparisonOperator, value: QueryValue, name: string): string {
    if (field.kind === 'time') return this.compareTime(field, operator, value);
    if (operator !== 'eq' && operator !== 'ne')
      throw invalidQuery(
        `${name} ${operator} is not supported by Depot: gt, ge, lt, le apply to creationTime and lastUpdated`,
      );
    const negated = operator === 'ne';
    switch (field.kind) {
      case 'text':
        return this.compareText(field, expectString(value, name), negated);
      case 'id':
        return this.compareId(value, negated);
      case 'binary':
        throw invalidQuery(`${name} can only be tested with has(${name})`);
      case 'fragment':
        return this.compareFragment(field.path, value, negated);
    }
  }

  private compareText(field: { column: string }, segments: string[], negated: boolean): string {
    const column = field.column;
    if (segments.length === 1) {
      const value = this.bind(segments[0]);
      return negated ? `${column} IS DISTINCT FROM ${value}` : `${column} = ${value}`;
    }
    const pattern = this.bind(likePattern(segments));
    return negated ? `(${column} IS NULL OR ${column} NOT LIKE ${pattern})` : `${column} LIKE ${pattern}`;
  }

  private compareId(value: QueryValue, negated: boolean): string {
    const id = value.kind === 'number' ? value.text : value.kind === 'string' ? value.segments : null;
    if (Array.isArray(id) && id.length > 1) throw invalidQuery('id does not take wildcards');
    const text = Array.isArray(id) ? id[0] : id;
    if (text === null) throw invalidQuery('id compares with an id');
    // An id that cannot exist matches nothing (and is not cast, which would fail).
    if (!isEntityId(text)) return negated ? 'TRUE' : 'FALSE';
    return `mo.id ${negated ? '<>' : '='} ${this.bind(text)}`;
  }

  private compareTime(
    field: { name: string; column: string },
    operator: ComparisonOperator,
    value: QueryValue,
  ): string {
    const segments = expectString(value, field.name);
    if (segments.length > 1) throw invalidQuery(`${field.name} does not take wildcards`);
    const time = ISO_DATE.test(segments[0]) ? new Date(segments[0]) : new Date(Number.NaN);
    if (Number.isNaN(time.getTime()))
      throw invalidQuery(`${field.name} compares with an ISO 8601 date, got '${segments[0]}'`);
    return `${field.column} ${SQL_OPERATORS[operator]} ${this.bind(time)}`;
  }

  private compareFragment(path: string[], value: QueryValue, negated: boolean): string {
    const not = negated ? 'NOT ' : '';
    if (value.kind === 'string' && value.segments.length > 1) {
      // Wildcards match string values (not array elements); a missing path is false, not NULL.
      const bound = `CAST(${this.bind(path)} AS text[])`;
      const pattern = this.bind(likePattern(value.segments));
      return `${not}COALESCE(jsonb_typeof(mo.fragments #> ${bound}) = 'string' AND mo.fragments #>> ${bound} LIKE ${pattern}, FALSE)`;
    }
    const scalar = value.kind === 'string' ? value.segments[0] : value.value;
    // The value itself, or an array holding it, as Cumulocity matches array fragments.
    const alone = this.bind(JSON.stringify(nest(path, scalar)));
    const inArray = this.bind(JSON.stringify(nest(path, [scalar])));
    return `${not}(mo.fragments @> CAST(${alone} AS jsonb) OR mo.fragments @> CAST(${inArray} AS jsonb))`;
  }

  private bind(value: unknown): string {
    const name = `iq${this.count++}`;
    this.parameters[name] = value;
    return `:${name}`;
  }
}

function resolveField(path: string[]): Field {
  const [first, ...rest] = path;
  if (rest.length === 0 && first in TEXT_COLUMNS)
    return { kind: 'text', name: first, column: TEXT_COLUMNS[first] };
  if (rest.length === 0 && first === 'id') return { kind: 'id' };
  // Cumulocity's own queries write `creationTime.date` (its stored form) as often as `creationTime`.
  if (first in TIME_COLUMNS && (rest.length === 0 || (rest.length === 1 && rest[0] === 'date')))
    return { kind: 'time', name: first, column: TIME_COLUMNS[first] };
  if (rest.length === 0 && first === 'c8y_IsBinary') return { kind: 'binary' };
  return { kind: 'fragment', path };
}

function expectString(value: QueryValue, name: string): string[] {
  if (value.kind !== 'string') throw invalidQuery(`${name} compares with a string in single quotes`);
  return value.segments;
}

/** Segments joined by `%`, each with LIKE's own `\`, `%`, `_` escaped. */
export function likePattern(segments: string[]): string {
  return segments.map((segment) => segment.replace(/[\\%_]/g, (char) => `\\${char}`)).join('%');
}

function nest(path: string[], leaf: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf);
}
