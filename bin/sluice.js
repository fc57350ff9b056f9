#!/usr/bin/env node
// The installed entry point: runs the compiled CLI from dist/ (built by `npm ci` / `npm run build`).
import '../dist/cli/run.js';
