export * from './archive/invalid-archive.error';
export * from './archive/validate-archive';
