// The timeline: dragging across it narrows the shown events to that time range; clearing brings them back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT_MS, WAIT_MS, useHarness, loadSample, waitReady, status, assertCleanSession } from './harness.mjs';

const h = useHarness();

test('brushing the timeline sets the time range; the table and counts follow', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const before = await status(page);
  assert.equal(before.eventsShown, before.eventsKept);

  const box = await page.locator('[data-testid=timeline]').boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=status]');
    return Number(el.getAttribute('data-events-shown')) < Number(el.getAttribute('data-events-kept'));
  }, null, { timeout: WAIT_MS });
  const narrowed = await status(page);
  assert.ok(narrowed.eventsShown > 0 && narrowed.eventsShown < narrowed.eventsKept, JSON.stringify(narrowed));
  // The bars are now those of the range.
  const label = await page.locator('[data-testid=timeline]').getAttribute('aria-label');
  assert.match(label, new RegExp(`: ${narrowed.eventsShown} events, `), label);
  const rows = await page.locator('[data-testid=event-row]').count();
  assert.ok(rows > 0, 'rows of the range are shown');

  // The range is part of the view in the address: a colleague opening the link and loading the same
  // data sees the same events, with the range to clear.
  await page.waitForFunction(() => /from=.*&to=/.test(location.hash), null, { timeout: WAIT_MS });
  const hash = await page.evaluate(() => location.hash);
  // In whole seconds, as CloudTrail writes its times, however finely the pointer moved.
  assert.match(hash, /from=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ&to=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
  const other = await h.openPage();
  await other.page.evaluate((hash) => { location.hash = hash; }, hash);
  await other.page.reload({ waitUntil: 'load' });
  await other.page.locator('[data-testid=status][data-state=idle]').waitFor({ timeout: WAIT_MS });
  await loadSample(other.page);
  await waitReady(other.page);
  await other.page.locator(`[data-testid=status][data-events-shown="${narrowed.eventsShown}"]`).waitFor({ timeout: WAIT_MS });
  assert.equal(await other.page.locator('[data-testid=timeline]').getAttribute('aria-label'), label);
  await other.page.locator('[data-testid=clear-range]').click();
  await other.page.locator(`[data-testid=status][data-events-shown="${before.eventsKept}"]`).waitFor({ timeout: WAIT_MS });
  await other.page.waitForFunction(() => !location.hash.includes('from='), null, { timeout: WAIT_MS });
  assertCleanSession(other);

  await page.locator('[data-testid=clear-range]').click();
  await page.locator(`[data-testid=status][data-events-shown="${before.eventsKept}"]`).waitFor({ timeout: WAIT_MS });
  assertCleanSession(s);
});

test('the timeline draws every shown event: the bars read under the pointer add up to the events shown', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const st = await status(page);
  const chart = page.locator('[data-testid=timeline]');
  // The chart's name says its totals: "Events over time, FROM to TO: N events, E with an error".
  const label = await chart.getAttribute('aria-label');
  const [, total, withError] = label.match(/: (\d+) events?, (\d+) with an error$/) ?? [];
  assert.equal(Number(total), st.eventsShown, label);

  // Across the chart a few pixels at a time (at most 120 bars; here each is about 10 px wide): each bar once.
  const box = await chart.boundingBox();
  const y = box.y + box.height / 2;
  const bars = new Map();
  const hover = page.locator('[data-testid=timeline-hover]');
  await page.mouse.move(box.x + 1, y);
  await page.locator('[data-testid=timeline-hover]:not(:empty)').waitFor({ timeout: WAIT_MS });
  for (let x = box.x + 1; x < box.x + box.width - 1; x += 3) {
    await page.mouse.move(x, y);
    const text = await hover.textContent();
    const [, at, events, errors] = text.match(/^(\S+): (\d+) events, (\d+) errors$/) ?? [];
    assert.ok(at, `a bar under the pointer at ${(x - box.x).toFixed(0)} px: "${text}"`);
    const seen = bars.get(at);
    if (seen) assert.deepEqual(seen, [Number(events), Number(errors)], `the bar at ${at} reads the same each time`);
    bars.set(at, [Number(events), Number(errors)]);
  }
  const sum = (k) => [...bars.values()].reduce((n, bar) => n + bar[k], 0);
  assert.ok(bars.size > 10, `${bars.size} bars`);
  assert.equal(sum(0), st.eventsShown, 'the bars hold every shown event once');
  assert.equal(sum(1), Number(withError), 'and every error once');
  // The bars go on in time order.
  const times = [...bars.keys()];
  assert.deepEqual([...times].sort(), times);

  // Each bar drawn is as tall as its events against the tallest, and is the bar read under it.
  const d = await chart.locator('path.bar').getAttribute('d');
  const drawn = [...d.matchAll(/M([\d.]+) ([\d.]+)h([\d.]+)V64H[\d.]+Z/g)].map((m) => m.slice(1).map(Number));
  assert.equal(drawn.length, [...bars.values()].filter(([n]) => n > 0).length, `one bar drawn per time with events: ${d.slice(0, 200)}`);
  const most = Math.max(...[...bars.values()].map(([n]) => n));
  for (const [x, top, width] of drawn) {
    await page.mouse.move(box.x + ((x + width / 2) / 1000) * box.width, y);
    const [, events] = (await hover.textContent()).match(/: (\d+) events/) ?? [];
    assert.ok(Math.abs((64 - top) - (Number(events) / most) * 64) <= 0.01, `the bar at ${x} is ${64 - top} tall and reads ${events} events of at most ${most}`);
  }

  // Right at each drawn bar's edges, where the drawing puts them on the screen (the chart's border is not
  // part of the drawing), the bar read is still that one.
  const ctm = await chart.evaluate((svg) => { const m = svg.getScreenCTM(); return { a: m.a, e: m.e }; });
  for (const [x, , width] of drawn) {
    const [left, right] = [ctm.a * x + ctm.e, ctm.a * (x + width) + ctm.e];
    await page.mouse.move(box.x + ((x + width / 2) / 1000) * box.width, y);
    const centre = await hover.textContent();
    for (const edge of [Math.floor(left) + 1, Math.ceil(right) - 1]) {
      await page.mouse.move(edge, y);
      assert.equal(await hover.textContent(), centre, `the pixel at ${edge} lies in the bar drawn from ${left} to ${right}`);
    }
  }

  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 40);
  await page.locator('[data-testid=timeline-hover]:empty').waitFor({ state: 'attached', timeout: WAIT_MS });
  assertCleanSession(s);
});

test('on a touch screen a tap reads out the bar under the finger, and keeps it once the finger lifts', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage({ contextOptions: { hasTouch: true } });
  const { page } = s;
  await loadSample(page);
  await waitReady(page);
  const before = await status(page);
  const chart = page.locator('[data-testid=timeline]');
  const box = await chart.boundingBox();
  const hover = page.locator('[data-testid=timeline-hover]');
  const d = await chart.locator('path.bar').getAttribute('d');
  const drawn = [...d.matchAll(/M([\d.]+) ([\d.]+)h([\d.]+)V64H[\d.]+Z/g)].map((m) => m.slice(1).map(Number));
  const ctm = await chart.evaluate((svg) => { const m = svg.getScreenCTM(); return { a: m.a, e: m.e }; });
  // The first bar drawn, the tallest, the last.
  const tallest = drawn.reduce((best, bar) => (bar[1] < best[1] ? bar : best));
  const taps = [drawn[0], tallest, drawn[drawn.length - 1]];
  const reads = [];
  for (const [x, , width] of taps) {
    await page.touchscreen.tap(ctm.a * (x + width / 2) + ctm.e, box.y + box.height / 2);
    // Until the read-out changes (or a second passes: two taps may hit bars that read the same).
    const since = Date.now();
    await page.waitForFunction(([prev, since]) => {
      const text = document.querySelector('[data-testid=timeline-hover]').textContent;
      return text !== '' && (text !== prev || Date.now() > since + 1000);
    }, [reads[reads.length - 1] ?? '', since], { timeout: WAIT_MS, polling: 50 });
    const text = await hover.textContent();
    assert.match(text, /^\S+: \d+ events, \d+ errors$/, 'the tapped bar is read out');
    reads.push(text);
    await page.waitForTimeout(300);
    assert.equal(await hover.textContent(), text, 'still read out after the finger lifted');
  }
  // The bars read are the ones tapped: each is as tall as its events against the tallest's.
  const events = reads.map((text) => Number(text.match(/: (\d+) events/)[1]));
  taps.forEach(([x, top], k) => {
    assert.ok(Math.abs((64 - top) - (events[k] / events[1]) * 64) <= 0.01, `the bar tapped at ${x} is ${64 - top} tall and reads ${events[k]} events, the tallest ${events[1]}`);
  });
  assert.ok(reads[0].split(': ')[0] < reads[2].split(': ')[0], `the first bar's time before the last's: ${reads.join(' / ')}`);
  // A tap is not a brush: every event is still shown.
  assert.equal((await status(page)).eventsShown, before.eventsShown);
  assertCleanSession(s);
});
