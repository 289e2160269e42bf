import { describe, expect, it } from '@jest/globals';
import { table } from './table.js';

describe('table', () => {
  it('pads the first leftCols columns right and the rest left, under a rule of dashes, without trailing blanks', () => {
    expect(
      table(
        ['family', 'set', 'onsets', 'note'],
        [
          ['null-white', 'probe', '0.00', ''],
          ['t6', 'held-out', '12.50', 'over'],
        ],
        2,
      ),
    ).toEqual([
      'family      set       onsets  note',
      '----------  --------  ------  ----',
      'null-white  probe       0.00',
      't6          held-out   12.50  over',
    ]);
  });
});
