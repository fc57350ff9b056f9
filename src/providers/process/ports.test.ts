import { describe, expect, it } from 'vitest';
import { portCandidates, portRange } from './ports.js';

describe('port scheme', () => {
  it('gives replica i the slots base+i and base+N+i first', () => {
    expect(portRange(8000, 2)).toEqual([8000, 8001, 8002, 8003]);
    expect(portCandidates(8000, 2, 0)).toEqual([8000, 8002, 8001, 8003]);
    expect(portCandidates(8000, 2, 1)).toEqual([8001, 8003, 8000, 8002]);
  });
});
