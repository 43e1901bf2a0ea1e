// Mocha root hooks shared by every test file: quiet logs unless LOG_LEVEL says otherwise.
import { setLogLevel, type LogLevel } from '../src/core/logger.js';

setLogLevel((process.env.LOG_LEVEL as LogLevel | undefined) ?? 'warn');
