#!/usr/bin/env node
// Development shim: compiles the TypeScript on load through tsx (~96 MB resident). Deploy the
// production build instead: `npm run build -w @opsroom/edge-agent` writes dist/opsroom-agent.cjs
// (~50 MB; README, "Install on a Raspberry Pi-class box").
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
