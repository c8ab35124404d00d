import type { Request } from 'express';
import { CumulocityError } from './cumulocity-error';
import { requestBaseUrl, requestUrl } from './request-base-url';

export const DEFAULT_PAGE_SIZE = 5;
export const MAX_PAGE_SIZE = 2000;

/** Parsed Cumulocity paging parameters. */
export interface Paging {
  /** 1..2000 (larger requests are cut to 2000, as Cumulocity does). */
  pageSize: number;
  /** From 1. */
  currentPage: number;
  withTotalPages: boolean;
  withTotalElements: boolean;
  /** Rows to skip: `(currentPage - 1) * pageSize`. */
  offset: number;
  /** Whether the caller asked for a total (so the service should count). */
  wantsTotal: boolean;
}

type Query = Record<string, unknown>;

/**
 * Reads `pageSize`, `currentPage`, `withTotalPages`, `withTotalElements` from a query object.
 * Junk (non-numeric, < 1, non-boolean) is a 422 `<resource>/Invalid Data`.
 */
export function parsePaging(query: Query, resource = 'general'): Paging {
  const pageSize = Math.min(parsePositiveInt(query, 'pageSize', DEFAULT_PAGE_SIZE, resource), MAX_PAGE_SIZE);
  const currentPage = parsePositiveInt(query, 'currentPage', 1, resource);
  const withTotalPages = parseBoolean(query, 'withTotalPages', resource);
  const withTotalElements = parseBoolean(query, 'withTotalElements', resource);
  const offset = (currentPage - 1) * pageSize;
  if (!Number.isSafeInteger(offset)) throw CumulocityError.invalidData(resource, 'currentPage is too large');
  return {
    pageSize,
    currentPage,
    withTotalPages,
    withTotalElements,
    offset,
    wantsTotal: withTotalPages || withTotalElements,
  };
}

/** A query parameter given at most once (Express makes a repeated one an array): 422 otherwise. */
export function singleQueryValue(query: Query, name: string, resource: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw CumulocityError.invalidData(resource, `${name} must be given once`);
  return value;
}

function parsePositiveInt(query: Query, name: string, fallback: number, resource: string): number {
  const raw = singleQueryValue(query, name, resource);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()))
    throw CumulocityError.invalidData(resource, `${name} must be a positive integer, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < 1) throw CumulocityError.invalidData(resource, `${name} must be at least 1, got "${raw}"`);
  return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER;
}

function parseBoolean(query: Query, name: string, resource: string): boolean {
  return parseBooleanFilter(resource, name, singleQueryValue(query, name, resource)) ?? false;
}

/** `true`/`false` (any case) of a query parameter; absent or empty is `undefined`, anything else a 422. */
export function parseBooleanFilter(
  resource: string,
  name: string,
  raw: string | undefined,
): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  switch (raw.toLowerCase()) {
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw CumulocityError.invalidData(resource, `${name} must be true or false, got "${raw}"`);
  }
}

/** Cumulocity's paging statistics block. */
export interface PageStatistics {
  currentPage: number;
  pageSize: number;
  totalPages?: number;
  totalElements?: number;
}

export type Collection<K extends string, T> = {
  self: string;
  statistics: PageStatistics;
  next?: string;
  prev?: string;
} & { [key in K]: T[] };

export interface CollectionInput<K extends string, T, R> {
  /** The request, for the absolute `self`/`next`/`prev` URLs (its query is kept). */
  request: Request;
  /** Name of the array property: `managedObjects`, `applications`, `users`... */
  property: K;
  items: T[];
  /** Each item's JSON; `baseUrl` is the request's, for absolute `self` links. */
  toJson: (item: T, baseUrl: string) => R;
  paging: Paging;
  /** Total matching rows; required when `paging.wantsTotal`, ignored otherwise. */
  totalElements?: number;
}

/**
 * Builds `{self, <property>: [...], statistics, next?, prev?}`. `next` is present when the page is
 * full (a next page may exist), `prev` when `currentPage` > 1; both keep the request's query.
 */
export function buildCollection<K extends string, T, R>(input: CollectionInput<K, T, R>): Collection<K, R> {
  const { request, property, items, toJson, paging, totalElements } = input;
  const baseUrl = requestBaseUrl(request);
  const statistics: PageStatistics = { currentPage: paging.currentPage, pageSize: paging.pageSize };
  if (paging.withTotalPages && totalElements !== undefined)
    statistics.totalPages = Math.ceil(totalElements / paging.pageSize);
  if (paging.withTotalElements && totalElements !== undefined) statistics.totalElements = totalElements;
  const pageUrl = (page: number): string => {
    const url = requestUrl(request);
    url.searchParams.set('currentPage', String(page));
    return url.toString();
  };
  const collection = {
    self: pageUrl(paging.currentPage),
    [property]: items.map((item) => toJson(item, baseUrl)),
    statistics,
  } as Collection<K, R>;
  if (items.length >= paging.pageSize) collection.next = pageUrl(paging.currentPage + 1);
  if (paging.currentPage > 1) collection.prev = pageUrl(paging.currentPage - 1);
  return collection;
}

/** One page of a list, and the number of all matching rows when the caller asked for it. */
export interface Page<T> {
  items: T[];
  total?: number;
}

/** What a paged GET lists: `resource` names it in paging errors, `property` holds its items' JSON. */
export interface CollectionOf<K extends string, T, R> {
  resource: string;
  property: K;
  toJson: (item: T, baseUrl: string) => R;
}

/** Every paged GET: parses the request's paging, lists that page and builds its collection. */
export async function answerCollection<K extends string, T, R>(
  request: Request,
  collection: CollectionOf<K, T, R>,
  list: (paging: Paging) => Promise<Page<T>>,
): Promise<Collection<K, R>> {
  const paging = parsePaging(request.query, collection.resource);
  const { items, total } = await list(paging);
  const { property, toJson } = collection;
  return buildCollection({ request, property, items, toJson, paging, totalElements: total });
}
