import { eventsText, parseEventsText, restoreEvents } from '../../lib/store/events-text.js';
import type { StoredEvent } from '../../lib/store/records.js';

const committedAt = '2026-03-04T05:06:07.890Z';
const event = (extra: Partial<StoredEvent> = {}): StoredEvent => ({ eventId: 'e1', type: 'user.registered', data: { name: 'Ann' }, occurredAt: committedAt, ...extra });

/** What a reader gets back, compared as text too: the same values and the same key order as what was stored. */
function roundTrip(events: readonly StoredEvent[], at = committedAt): StoredEvent[] {
  const back = parseEventsText(eventsText(events, at), at)!;
  expect(back).toEqual(events);
  expect(JSON.stringify(back)).toBe(JSON.stringify(events));
  return back;
}

describe('stored events text', () => {
  it("leaves out an occurredAt equal to the changeset's committedAt, and restores it", () => {
    const events = [event(), event({ eventId: 'e2', correlationId: 'c', causationId: 'k' })];
    expect(JSON.parse(eventsText(events, committedAt))).toEqual([
      { eventId: 'e1', type: 'user.registered', data: { name: 'Ann' } },
      { eventId: 'e2', type: 'user.registered', data: { name: 'Ann' }, correlationId: 'c', causationId: 'k' },
    ]);
    roundTrip(events);
  });

  it('stores another canonical occurredAt as milliseconds after committedAt', () => {
    const before = event({ occurredAt: '2026-03-04T05:06:07.885Z' });
    const after = event({ eventId: 'e2', occurredAt: '2026-03-05T05:06:07.890Z' });
    expect(JSON.parse(eventsText([before, after], committedAt)).map((e: { occurredAt: unknown }) => e.occurredAt)).toEqual([-5, 86_400_000]);
    roundTrip([before, after]);
  });

  it('keeps as they are events it could not restore exactly', () => {
    const odd = [
      event({ occurredAt: '2026-03-04' }), // not the canonical form of its time
      { occurredAt: committedAt, eventId: 'e2', type: 't', data: 1 }, // another key order
      { ...event({ eventId: 'e3' }), extra: true } as StoredEvent, // a key the serializer does not write
      event({ eventId: 'e4', data: undefined }), // no data in JSON
    ];
    const stored = JSON.parse(eventsText(odd, committedAt)) as Array<{ occurredAt?: unknown }>;
    expect(stored.map((e) => e.occurredAt)).toEqual(['2026-03-04', committedAt, committedAt, committedAt]);
    expect(parseEventsText(eventsText(odd, committedAt), committedAt)).toEqual(odd);
    // A committedAt that is not canonical: only an equal occurredAt is left out.
    roundTrip([event({ occurredAt: 'yesterday' }), event({ eventId: 'e2', occurredAt: '2026-03-04T05:06:07.890Z' })], 'yesterday');
  });

  it('reads events stored in full before the short form existed, unchanged', () => {
    const full = [event({ occurredAt: '2020-01-01T00:00:00.000Z', correlationId: 'c' })];
    const back = parseEventsText(JSON.stringify(full), committedAt)!;
    expect(JSON.stringify(back)).toBe(JSON.stringify(full));
  });

  it('writes the text it parsed again without changes, also after parsing', () => {
    const text = eventsText([event(), event({ eventId: 'e2', occurredAt: '2026-03-04T05:06:07.000Z' })], committedAt);
    const parsed = parseEventsText(text, committedAt)!;
    expect(eventsText(parsed, committedAt)).toBe(text);
    // The stored form depends on committedAt: another one gives another text, restored exactly too.
    const later = '2026-03-04T05:06:08.000Z';
    expect(parseEventsText(eventsText(parsed, later), later)).toEqual(parsed);
  });

  it('parses the same events without keeping the text, and writes them again to the same text', () => {
    const text = eventsText([event(), event({ eventId: 'e2', occurredAt: '2026-03-04T05:06:07.000Z' }), event({ eventId: 'e3', correlationId: 'c' })], committedAt);
    const kept = parseEventsText(text, committedAt)!;
    const replayed = parseEventsText(text, committedAt, false)!;
    expect(replayed).toEqual(kept);
    expect(JSON.stringify(replayed)).toBe(JSON.stringify(kept));
    expect(eventsText(replayed, committedAt)).toBe(text);
  });

  it('keeps the exact stored text only when asked to', () => {
    // Spaces are not what JSON.stringify writes: only the kept text gives them back.
    const spaced = '[ {"eventId":"e1","type":"user.registered","data":{"name":"Ann"}} ]';
    expect(eventsText(parseEventsText(spaced, committedAt)!, committedAt)).toBe(spaced);
    expect(eventsText(parseEventsText(spaced, committedAt, false)!, committedAt)).toBe(spaced.replace(/ /g, ''));
  });

  it('refuses what is not an array of events', () => {
    for (const value of [{}, null, [1], [null], [{ type: 'x', data: 1 }], [{ eventId: 'e', type: 7, data: 1 }], [{ eventId: 'e', type: 'x' }]]) {
      expect(restoreEvents(value, committedAt)).toBeUndefined();
    }
    for (const occurredAt of [1.5, '1' as unknown as number, Number.MAX_SAFE_INTEGER, true as unknown as number]) {
      const value = [{ eventId: 'e', type: 'x', data: 1, occurredAt }];
      if (typeof occurredAt === 'string') expect(restoreEvents(value, committedAt)).toEqual(value);
      else expect(restoreEvents(value, committedAt)).toBeUndefined();
    }
    // A time offset needs a canonical committedAt to count from.
    expect(restoreEvents([{ eventId: 'e', type: 'x', data: 1, occurredAt: 5 }], 'yesterday')).toBeUndefined();
    expect(() => parseEventsText('[', committedAt)).toThrow(SyntaxError);
  });
});
