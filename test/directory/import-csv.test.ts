import { describe, expect, it } from "vitest";
import { parseCsv } from "../../src/directory/import/csv.js";

describe("parseCsv", () => {
  it("gives the line where each record starts, counting line breaks inside quotes", () => {
    const text = 'id,description\n1,"one\ntwo\r\nthree"\n2,plain\r\n\r\n3,"say ""hi"", then go"\n';
    expect(parseCsv(text)).toEqual({
      records: [
        { line: 1, fields: ["id", "description"] },
        { line: 2, fields: ["1", "one\ntwo\r\nthree"] },
        { line: 5, fields: ["2", "plain"] },
        { line: 7, fields: ["3", 'say "hi", then go'] },
      ],
      problems: [],
    });
  });

  it("keeps empty fields, strips a BOM, reads lone CR line ends, needs no final line end", () => {
    expect(parseCsv('\uFEFFa,b,c\r,,\r"",x,').records).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["", "", ""] },
      { line: 3, fields: ["", "x", ""] },
    ]);
  });

  it("keeps the example data's quoted quotes", () => {
    expect(parseCsv('number\n"""+44 1234 234567"""\n').records[1]?.fields).toEqual(['"+44 1234 234567"']);
  });

  it("reports a quote that is never closed at the line it opens", () => {
    expect(parseCsv('id,name\n1,ok\n2,"never closed\n3,lost\n')).toEqual({
      records: [
        { line: 1, fields: ["id", "name"] },
        { line: 2, fields: ["1", "ok"] },
      ],
      problems: [
        { line: 3, message: 'a quoted field is never closed (missing "); the rest of the file cannot be read' },
      ],
    });
  });
});
