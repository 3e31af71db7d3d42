// LIMIT and OFFSET values written into SQLite's statements (sqlite-literal-limits.ts): which
// placeholders are taken and which are left.
import { describe, expect, it } from 'vitest';
import { withLiteralLimits } from './sqlite-literal-limits.ts';

describe('withLiteralLimits', () => {
  it('writes a limit and an offset in and drops their parameters, the others kept in order', () => {
    expect(
      withLiteralLimits('select * from t where a = ? and b = ? order by id limit ? offset ?', [
        'x',
        7,
        25,
        50,
      ]),
    ).toEqual({
      sql: 'select * from t where a = ? and b = ? order by id limit 25 offset 50',
      parameters: ['x', 7],
    });
  });

  it('counts the placeholders after the limit too (a limit in a subquery)', () => {
    expect(
      withLiteralLimits(
        'select * from (select id from t where a = ? limit ?) s where s.id > ? LIMIT ?',
        ['a', 3n, 'z', 1],
      ),
    ).toEqual({
      sql: 'select * from (select id from t where a = ? limit 3) s where s.id > ? LIMIT 1',
      parameters: ['a', 'z'],
    });
  });

  it('leaves a statement whose limit is not a count as it is', () => {
    const sql = 'select * from t limit ?';
    for (const value of [-1, 1.5, '10', null, Number.MAX_SAFE_INTEGER + 2]) {
      expect(withLiteralLimits(sql, [value])).toEqual({ sql, parameters: [value] });
    }
  });

  it('is not fooled by quotes, comments or names that end in limit', () => {
    const sql =
      'select \'limit ?\' as a, "offset ?" as b, credit_limit from t -- limit ?\n' +
      "where c = ? and d = 'it''s ?' and e = ? /* offset ? */ limit ?";
    expect(withLiteralLimits(sql, ['c', 'e', 5])).toEqual({
      sql: sql.replace(/limit \?$/, 'limit 5'),
      parameters: ['c', 'e'],
    });
  });

  it('leaves numbered and named parameters alone', () => {
    for (const sql of ['select * from t where a = ?1 limit ?2', 'select * from t limit :n']) {
      expect(withLiteralLimits(sql, [1, 2])).toEqual({ sql, parameters: [1, 2] });
    }
  });
});
