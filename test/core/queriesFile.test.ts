import { describe, expect, it } from 'vitest';
import { parseQueriesFile, parseTypedQueries, QueriesFileError } from '../../src/core/queriesFile.ts';

describe('queries and relevance files', () => {
  it('CSV with header, quotes, repeated queries and default grade', () => {
    const r = parseQueriesFile('q.csv', 'query,document,grade\n"red, at the top",a.png,2\n"red, at the top",b.png\nblue square,,\n');
    expect(r.queries).toEqual([{ id: 'q1', text: 'red, at the top' }, { id: 'q2', text: 'blue square' }]);
    expect([...r.qrels.get('q1')!]).toEqual([['a.png', 2], ['b.png', 1]]);
    expect(r.qrels.get('q2')!.size).toBe(0);
  });

  it('TSV and JSONL', () => {
    expect(parseQueriesFile('q.tsv', 'red\ta.png\t0\n').qrels.get('q1')!.get('a.png')).toBe(0);
    const j = parseQueriesFile('q.jsonl', '{"query":"red","document":"a.png","grade":3}\n\n{"query":"green"}\n');
    expect(j.queries.map((q) => q.text)).toEqual(['red', 'green']);
    expect(j.qrels.get('q1')!.get('a.png')).toBe(3);
  });

  it('errors name the file and the line', () => {
    expect(() => parseQueriesFile('q.csv', 'red,a.png,high\n')).toThrow('q.csv, line 1: grade "high" is not a number >= 0');
    expect(() => parseQueriesFile('q.jsonl', '{"query":"a"}\n{oops\n')).toThrow(/q.jsonl, line 2: not valid JSON/);
    expect(() => parseQueriesFile('q.jsonl', '{"document":"a.png"}\n')).toThrow('q.jsonl, line 1: missing "query" text');
    expect(() => parseQueriesFile('q.csv', 'a,b,1,extra\n')).toThrow('q.csv, line 1: expected at most 3 fields');
    expect(() => parseQueriesFile('q.csv', 'ok,a.png\n"unclosed,b\n')).toThrow('q.csv, line 2: a quoted field is not closed');
    expect(() => parseQueriesFile('q.txt', 'red')).toThrow(QueriesFileError);
    expect(() => parseQueriesFile('q.csv', '\n\n')).toThrow(/no queries found/);
  });

  it('CSV: a quoted query may span lines; later errors still name the line they are on', () => {
    const r = parseQueriesFile('q.csv', 'query,document\n"red\nat the top",a.png\n\nblue,b.png,lots\n'.replace('blue,b.png,lots\n', 'blue,b.png\n'));
    expect(r.queries.map((q) => q.text)).toEqual(['red\nat the top', 'blue']);
    // Line 1 header, lines 2-3 the two-line query, line 4 blank, line 5 the bad grade.
    expect(() => parseQueriesFile('q.csv', 'query,document\n"red\nat the top",a.png\n\nblue,b.png,lots\n')).toThrow('q.csv, line 5: grade "lots" is not a number >= 0');
  });

  it('typed queries: one per line, duplicates and blanks dropped', () => {
    expect(parseTypedQueries('red\n\n red \nblue').queries.map((q) => q.text)).toEqual(['red', 'blue']);
  });
});
