export * from './types.js';
export * from './errors.js';
export * from './redact.js';
export * from './logger.js';
export * from './abort.js';
export * from './lifecycle.js';
export * from './events.js';
export * from './config.js';
