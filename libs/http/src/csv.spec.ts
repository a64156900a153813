import { csvCell, csvFormat } from './csv.js';

describe('CSV', () => {
  it.each<[string | number | boolean | null, string]>([
    ['plain', 'plain'],
    [null, ''],
    ['', ''],
    [42, '42'],
    [-7, '-7'],
    [true, 'true'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    ['=SUM(A1:A2)', "'=SUM(A1:A2)"],
    ['+44 20 7946 0000', "'+44 20 7946 0000"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
  ])('writes %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes a header and lines in the columns given, RFC 4180 line endings', () => {
    const format = csvFormat<{ id: string; amount: number | null }>([
      ['id', (row) => row.id],
      ['amount', (row) => row.amount],
    ]);
    expect(format.header).toBe('id,amount\r\n');
    expect(format.line({ id: 'a,1', amount: -5 })).toBe('"a,1",-5\r\n');
    expect(format.line({ id: '=1', amount: null })).toBe("'=1,\r\n");
  });
});
