import { main } from './main.js';
import { endQuietlyOnClosedPipe } from './stdio.js';

// Entry for running the CLI from its TypeScript sources (tests, development).
endQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
