#!/usr/bin/env node
// The `opsroom` CLI. Runs the TypeScript sources directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
