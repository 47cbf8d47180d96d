/** The all-in-one process. */
export { type ConfigFlags, type PlatformConfig, resolveConfig } from './config.ts';
export { type Platform, startPlatform } from './platform.ts';
