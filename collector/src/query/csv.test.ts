import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv.js';

describe('CSV', () => {
  it("neutralises every formula start with a leading ' (OWASP), in headers and cells", () => {
    const hostile = ["=cmd|' /C notepad'!A1", '+1+1', '-2+3', '@SUM(A1:A2)', '\tx', '\r=1+1'];
    const csv = toCsv(['=header', 'n'], hostile.map((h) => [h, 1]));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe("'=header,n");
    expect(lines[1]).toBe("'=cmd|' /C notepad'!A1,1");
    expect(lines[2]).toBe("'+1+1,1");
    expect(lines[3]).toBe("'-2+3,1");
    expect(lines[4]).toBe("'@SUM(A1:A2),1");
    expect(lines[5]).toBe("'\tx,1");
    // The carriage return makes the cell quoted as well.
    expect(csv).toContain(`"'\r=1+1",1\r\n`);
    // No line of the output starts a cell with a formula character.
    for (const cell of csv.split(/,|\r\n/)) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t]/);
  });

  it('leaves numbers, negative ones included, and ordinary text alone', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.5)).toBe('0.5');
    expect(csvCell('signup_button')).toBe('signup_button');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(null)).toBe('');
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
  });
});
