import { boundedMemo } from './boundedMemo';

describe('boundedMemo', () => {
  it('computes each key once while it is remembered, undefined included', () => {
    const memo = boundedMemo<string | undefined>(4);
    const compute = jest.fn((key: string) => (key === 'b' ? undefined : key));
    expect(memo('a', () => compute('a'))).toBe('a');
    expect(memo('a', () => compute('a'))).toBe('a');
    expect(memo('b', () => compute('b'))).toBeUndefined();
    expect(memo('b', () => compute('b'))).toBeUndefined();
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('keeps at most `limit` results, forgetting the oldest first', () => {
    const memo = boundedMemo<string>(2);
    const computed: string[] = [];
    const get = (key: string) =>
      memo(key, () => {
        computed.push(key);
        return key.toUpperCase();
      });
    get('a');
    get('b');
    get('a');
    expect(computed).toEqual(['a', 'b']);
    get('c'); // forgets a, the oldest
    get('b');
    get('c');
    expect(computed).toEqual(['a', 'b', 'c']);
    expect(get('a')).toBe('A');
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
    // a came back in place of b, now the oldest
    get('c');
    get('b');
    expect(computed).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('does not remember a computation that threw', () => {
    const memo = boundedMemo<string>(2);
    let calls = 0;
    const failing = () => {
      calls++;
      throw new Error(`refused ${calls}`);
    };
    expect(() => memo('x', failing)).toThrow('refused 1');
    expect(() => memo('x', failing)).toThrow('refused 2');
    expect(memo('x', () => 'now')).toBe('now');
  });
});
