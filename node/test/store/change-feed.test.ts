import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../src/store/change-feed.ts';

/** The one change feed: keys and gaps reach every listener, whatever another listener does. */

describe('change feed', () => {
  it('tells every listener of a change and of a gap, even when one of them throws', () => {
    const feed = new ChangeFeed();
    const heard: string[] = [];
    feed.listen({
      changed: () => {
        throw new Error('listener bug');
      },
      gap: () => {
        throw new Error('listener bug');
      },
    });
    feed.listen({ changed: (k) => heard.push(`changed ${k}`), gap: () => heard.push('gap') });
    feed.subscribe((k) => heard.push(`key ${k}`));
    // The announcer learns of the failure, but no listener missed the news.
    expect(() => feed.announce('88.100.5/x')).toThrow('listener bug');
    expect(() => feed.gap()).toThrow('listener bug');
    expect(heard).toEqual(['changed 88.100.5/x', 'key 88.100.5/x', 'gap']);
  });

  it('stops telling a listener once it unsubscribed', () => {
    const feed = new ChangeFeed();
    const heard: string[] = [];
    const stop = feed.listen({ changed: (k) => heard.push(k), gap: () => heard.push('gap') });
    feed.announce('a');
    stop();
    feed.announce('b');
    feed.gap();
    expect(heard).toEqual(['a']);
  });
});
