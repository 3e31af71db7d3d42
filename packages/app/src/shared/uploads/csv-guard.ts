import { Transform } from 'node:stream';
import { UPLOAD_LIMITS, uploadTooLarge, type UploadLimits } from './upload-limits.ts';

// A CSV parser builds a whole record (every field of a line) before anyone can look at it: a
// line of 50 million commas, or 50 MB without a newline, is gigabytes of strings before the
// first check. This guard runs in front of the parser over the raw bytes, with the quoting
// rules of RFC 4180 (a quote toggles quoting; "" inside quotes toggles twice), and refuses a
// record with more separators than `maxColumns` allows, a record longer than
// `maxRecordBytes`, a field longer than `maxCellBytes` or more than `maxRows` records, the
// moment it gets there. Separators counted: ',', ';' and tab (the parser picks one of them).

const QUOTE = 0x22;
const LF = 0x0a;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;

/** A pass-through stream that refuses (413) a CSV exceeding the limits; see the module comment. */
export function csvGuard(limits: UploadLimits = UPLOAD_LIMITS): Transform {
  let quoted = false;
  let recordBytes = 0;
  let fieldBytes = 0;
  let records = 0;
  /** The line a record starts on, as the CSV reader numbers rows. */
  let line = 1;
  let lines = 1;
  let commas = 0;
  let semicolons = 0;
  let tabs = 0;
  const maxSeparators = limits.maxColumns - 1;
  const maxRecords = limits.maxRows + 1; // the header row is a record too
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i] as number;
        recordBytes++;
        fieldBytes++;
        if (b === QUOTE) quoted = !quoted;
        else if (b === LF) {
          lines++;
          if (quoted) continue;
          if (recordBytes > 2 && ++records > maxRecords) {
            callback(
              uploadTooLarge(
                'maxRows',
                `The file has more than ${limits.maxRows} rows`,
                `row ${line}`,
              ),
            );
            return;
          }
          recordBytes = fieldBytes = commas = semicolons = tabs = 0;
          line = lines;
          continue;
        } else if (!quoted && (b === COMMA || b === SEMICOLON || b === TAB)) {
          fieldBytes = 0;
          const n = b === COMMA ? ++commas : b === SEMICOLON ? ++semicolons : ++tabs;
          if (n > maxSeparators) {
            callback(
              uploadTooLarge(
                'maxColumns',
                `Row ${line} has more than ${limits.maxColumns} columns`,
                `row ${line}`,
              ),
            );
            return;
          }
        }
        if (recordBytes > limits.maxRecordBytes) {
          callback(
            uploadTooLarge(
              'maxRecordBytes',
              `Row ${line} is longer than ${limits.maxRecordBytes} bytes (a missing line break or an unclosed quote?)`,
              `row ${line}`,
            ),
          );
          return;
        }
        if (fieldBytes > limits.maxCellBytes) {
          callback(
            uploadTooLarge(
              'maxCellBytes',
              `A cell of row ${line} is longer than ${limits.maxCellBytes} bytes`,
              `row ${line}`,
            ),
          );
          return;
        }
      }
      callback(null, chunk);
    },
  });
}
