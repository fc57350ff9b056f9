import { main } from './main.js';

// Entry for running the CLI from its TypeScript sources (tests, development).
process.exitCode = await main(process.argv.slice(2));
