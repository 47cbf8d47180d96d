/** The all-in-one process. */
export { type ConfigFlags, type PlatformConfig, resolveConfig, type StartFlags } from './config.ts';
export { type Platform, startPlatform } from './platform.ts';
