// Mocha root hooks shared by every test file: quiet logs unless LOG_LEVEL says otherwise.
// The env var also covers module instances loaded later through dynamic import() (mocha loads
// spec files through require, so a module can exist once as CJS and once as ESM).
import { setLogLevel, type LogLevel } from '../src/core/logger.js';

process.env.LOG_LEVEL ??= 'warn';
setLogLevel(process.env.LOG_LEVEL as LogLevel);
