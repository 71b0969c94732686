// RFC 4180 CSV, read whole, with the physical line where each record starts. A library parser
// reports where a record ends; problems must name where it starts, and a quoted field may span
// lines, so this small state machine counts lines itself. Pure: the caller reads the file.

export interface CsvRecord {
  /** 1-based physical line where the record starts (the header is line 1). */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedCsv {
  readonly records: readonly CsvRecord[];
  readonly problems: readonly CsvProblem[];
}

/**
 * Splits CSV text into records. Accepts LF, CRLF and lone CR line ends and a UTF-8 BOM; skips
 * blank lines. Lenient where spreadsheets are sloppy: a quote inside an unquoted field, or
 * text after a closing quote, is kept literally. An unterminated quote drops the record it
 * starts and is reported at its first line.
 */
export function parseCsv(text: string): ParsedCsv {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const length = source.length;
  const QUOTE = 34;
  const COMMA = 44;
  const LF = 10;
  const CR = 13;

  let line = 1;
  let i = 0;
  records: while (i < length) {
    const startLine = line;
    const fields: string[] = [];
    let blank = true; // nothing but a line end so far

    for (;;) {
      // One field, starting at i.
      let field = "";
      if (source.charCodeAt(i) === QUOTE) {
        blank = false;
        let from = i + 1;
        for (;;) {
          const close = source.indexOf('"', from);
          if (close < 0) {
            problems.push({
              line: startLine,
              message: 'a quoted field is never closed (missing "); the rest of the file cannot be read',
            });
            break records;
          }
          const chunk = source.slice(from, close);
          field += chunk;
          line += countLineBreaks(chunk);
          if (source.charCodeAt(close + 1) === QUOTE) {
            field += '"';
            from = close + 2;
          } else {
            i = close + 1;
            break;
          }
        }
      }
      // Unquoted text (or text after a closing quote, kept literally) up to a comma or line end.
      let end = i;
      while (end < length) {
        const c = source.charCodeAt(end);
        if (c === COMMA || c === LF || c === CR) break;
        end++;
      }
      if (end > i) {
        field += source.slice(i, end);
        blank = false;
      }
      fields.push(field);
      i = end;
      if (i >= length) break;
      const c = source.charCodeAt(i);
      if (c === COMMA) {
        blank = false;
        i++;
        continue;
      }
      i += c === CR && source.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    if (!blank) records.push({ line: startLine, fields });
  }
  return { records, problems };
}

function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}
