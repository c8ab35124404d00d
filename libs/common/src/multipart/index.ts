export * from './multipart-errors';
export * from './read-multipart';
export * from './collect-parts';
