import type { Command } from 'commander';

/** `orderdesk vendor create` (API.md "Administration"). */
export function registerVendor(_program: Command): void {}
