export * from './console.module';
export * from './console.options';
export { CONSOLE_CONTENT_SECURITY_POLICY } from './console-files.service';
