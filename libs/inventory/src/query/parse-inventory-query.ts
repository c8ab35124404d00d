import { invalidQuery, tokenizeInventoryQuery, type QueryToken } from './tokenize-inventory-query';

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal: strings keep their wildcard structure (split at each unescaped `*`). */
export type QueryValue =
  | { kind: 'string'; segments: string[] }
  /** `text` is the number as written (without a type suffix): ids keep all their digits. */
  | { kind: 'number'; value: number; text: string }
  | { kind: 'boolean'; value: boolean };

/** The filter's syntax tree; `path` is a field (`['name']`) or a fragment path (`['c8y_X', 'sub']`). */
export type QueryNode =
  | { kind: 'and' | 'or'; operands: QueryNode[] }
  | { kind: 'not'; operand: QueryNode }
  | { kind: 'compare'; operator: ComparisonOperator; path: string[]; value: QueryValue }
  | { kind: 'has'; path: string[] };

export interface OrderTerm {
  path: string[];
  direction: 'asc' | 'desc';
}

export interface InventoryQuery {
  filter?: QueryNode;
  orderBy: OrderTerm[];
}

const OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
/** Operators of Cumulocity's language Depot does not evaluate: named in the 422. */
const UNSUPPORTED_OPERATORS: ReadonlySet<string> = new Set(['in', 'contains', 'like']);
/** Nesting deeper than this is a 422, not a stack overflow. */
const MAX_DEPTH = 32;

/**
 * Parses the inventory query language subset Depot implements (see docs/api.md): `$filter=` with
 * `eq`/`ne`/`gt`/`ge`/`lt`/`le`, `has(path)`, `and`/`or`/`not`, parentheses, and `$orderby=` with
 * `asc`/`desc`. A bare filter without `$filter=` is accepted too. Anything else is a 422 that says
 * what is not supported. Pure: fields are checked where the filter is translated.
 */
export function parseInventoryQuery(text: string): InventoryQuery {
  return new Parser(tokenizeInventoryQuery(text)).parseQuery();
}

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: QueryToken[]) {}

  parseQuery(): InventoryQuery {
    const query: InventoryQuery = { orderBy: [] };
    let seenFilter = false;
    let seenOrder = false;
    if (this.peek() && this.peek()!.kind !== 'clause') {
      query.filter = this.parseExpression();
      seenFilter = true;
    }
    while (this.peek()) {
      const token = this.next();
      if (token.kind !== 'clause') throw this.unexpected(token);
      if (token.name === 'filter' && !seenFilter) {
        seenFilter = true;
        query.filter = this.parseExpression();
      } else if (token.name === 'orderby' && !seenOrder) {
        seenOrder = true;
        query.orderBy = this.parseOrderBy();
      } else if (token.name === 'filter' || token.name === 'orderby') {
        throw invalidQuery(`$${token.name}= is given twice`);
      } else {
        throw invalidQuery(`$${token.name}= is not supported by Depot (only $filter= and $orderby=)`);
      }
    }
    return query;
  }

  private parseExpression(): QueryNode {
    return this.parseJunction('or', () => this.parseJunction('and', () => this.parseUnary()));
  }

  private parseJunction(keyword: 'and' | 'or', operand: () => QueryNode): QueryNode {
    const operands = [operand()];
    while (this.peekWord(keyword)) {
      this.position++;
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0] : { kind: keyword, operands };
  }

  private parseUnary(): QueryNode {
    if (++this.depth > MAX_DEPTH) throw invalidQuery(`the query nests deeper than ${MAX_DEPTH} levels`);
    try {
      if (this.peekWord('not')) {
        this.position++;
        return { kind: 'not', operand: this.parseUnary() };
      }
      return this.parsePrimary();
    } finally {
      this.depth--;
    }
  }

  private parsePrimary(): QueryNode {
    const token = this.next();
    if (token.kind === 'open') {
      const inner = this.parseExpression();
      this.expect('close', 'a closing parenthesis');
      return inner;
    }
    if (token.kind !== 'word') throw this.unexpected(token);
    if (this.peek()?.kind === 'open') return this.parseFunction(token.text);
    const path = toPath(token.text);
    const operatorToken = this.next();
    const operator = operatorToken.kind === 'word' ? operatorToken.text.toLowerCase() : undefined;
    if (operator === undefined || !OPERATORS.has(operator)) {
      if (operator !== undefined && UNSUPPORTED_OPERATORS.has(operator))
        throw invalidQuery(`the operator ${operator} is not supported by Depot (eq, ne, gt, ge, lt, le are)`);
      throw invalidQuery(`expected an operator (eq, ne...) after ${token.text}, ${describe(operatorToken)}`);
    }
    return { kind: 'compare', operator: operator as ComparisonOperator, path, value: this.parseValue() };
  }

  private parseFunction(name: string): QueryNode {
    if (name.toLowerCase() !== 'has')
      throw invalidQuery(`the function ${name}() is not supported by Depot (has() is)`);
    this.expect('open', 'an opening parenthesis');
    const argument = this.next();
    if (argument.kind !== 'word') throw invalidQuery(`has() takes a fragment name, ${describe(argument)}`);
    this.expect('close', 'one fragment name in has()');
    return { kind: 'has', path: toPath(argument.text) };
  }

  private parseValue(): QueryValue {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'string', segments: token.segments };
    if (token.kind === 'number') {
      const text = token.text.replace(/[fFdDlL]$/, '');
      const value = Number(text);
      if (!Number.isFinite(value)) throw invalidQuery(`the number ${token.text} is out of range`);
      return { kind: 'number', value, text };
    }
    if (token.kind === 'word' && /^(true|false)$/i.test(token.text))
      return { kind: 'boolean', value: token.text.toLowerCase() === 'true' };
    throw invalidQuery(`expected a value ('text', a number, true or false), ${describe(token)}`);
  }

  private parseOrderBy(): OrderTerm[] {
    const terms: OrderTerm[] = [];
    for (;;) {
      const field = this.next();
      if (field.kind !== 'word') throw invalidQuery(`$orderby= expects a field, ${describe(field)}`);
      let direction: OrderTerm['direction'] = 'asc';
      if (this.peekWord('asc') || this.peekWord('desc'))
        direction = (this.next() as { text: string }).text.toLowerCase() as OrderTerm['direction'];
      terms.push({ path: toPath(field.text), direction });
      if (this.peek()?.kind !== 'comma') return terms;
      this.position++;
    }
  }

  private peek(): QueryToken | undefined {
    return this.tokens[this.position];
  }

  private peekWord(keyword: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private next(): QueryToken {
    const token = this.tokens[this.position];
    if (!token) throw invalidQuery('the query ends too early');
    this.position++;
    return token;
  }

  private expect(kind: QueryToken['kind'], what: string): void {
    const token = this.next();
    if (token.kind !== kind) throw invalidQuery(`expected ${what}, ${describe(token)}`);
  }

  private unexpected(token: QueryToken): Error {
    return invalidQuery(`unexpected ${describe(token).replace(/^found /, '')}`);
  }
}

function toPath(text: string): string[] {
  return text.split('.');
}

function describe(token: QueryToken): string {
  const where = `at position ${token.at + 1}`;
  switch (token.kind) {
    case 'open':
      return `found "(" ${where}`;
    case 'close':
      return `found ")" ${where}`;
    case 'comma':
      return `found "," ${where}`;
    case 'clause':
      return `found $${token.name}= ${where}`;
    case 'word':
    case 'number':
      return `found ${token.text} ${where}`;
    case 'string':
      return `found a string ${where}`;
  }
}
