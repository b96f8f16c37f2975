// Look and access (issue #5): what a person meets at 200 % zoom, from the keyboard, with a screen reader's
// names and roles, and in the dark theme. 200 % zoom on a 1280x800 window is a 640x400 CSS-pixel viewport
// drawn at two device pixels per CSS pixel, which is how these tests open the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT_MS, WAIT_MS, useHarness, status, assertCleanSession } from './harness.mjs';

const h = useHarness();

const ZOOM_200 = { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

// A page in a window of the size and colour scheme given, with the sample loaded: `body` runs on it, then
// the session is checked clean and the window closed.
async function withSample(options, body) {
  const s = await h.openWithSample({ contextOptions: options });
  try {
    await s.page.locator('[data-testid=event-row]').first().waitFor();
    await body(s);
    assertCleanSession(s);
  } finally {
    await s.context.close();
  }
}

// The whole page never scrolls sideways: only the table's own viewport may.
async function assertNoPageScroll(page, where) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  assert.ok(scrollWidth <= innerWidth + 1, `${where}: the page is ${scrollWidth} CSS px wide in a ${innerWidth} px window, so it scrolls sideways`);
}

async function box(page, selector) {
  const b = await page.locator(selector).first().boundingBox();
  assert.ok(b && b.width > 0 && b.height > 0, `${selector} should be visible; its box is ${JSON.stringify(b)}`);
  return b;
}

function overlap(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

// What the focused element shows: its own ring, or for a file picker (a 1 px input inside its label) the
// label's. Returns a description for messages and whether the ring is visible.
async function focusRing(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const rect = el.getBoundingClientRect();
    const wearer = rect.width < 4 || rect.height < 4 ? el.closest('label') ?? el : el;
    const cs = getComputedStyle(wearer);
    const worn = wearer.getBoundingClientRect();
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1 && !/rgba\(.*,\s*0\)$|transparent/.test(cs.outlineColor);
    const shadow = cs.boxShadow !== 'none';
    const name = `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : ''}` +
      ` "${(el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40)}"`;
    return {
      name,
      focusVisible: el.matches(':focus-visible'),
      visible: (outline || shadow) && worn.width >= 4 && worn.height >= 4,
      style: `outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}; box-shadow ${cs.boxShadow}; box ${Math.round(worn.width)}x${Math.round(worn.height)}`,
    };
  });
}

// Presses Tab `n` times; every element reached must show a focus ring. Returns the names reached.
async function tabThrough(page, n) {
  const reached = [];
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    const ring = await focusRing(page);
    if (!ring) continue;
    assert.ok(ring.focusVisible, `${ring.name} was reached with Tab but does not match :focus-visible`);
    assert.ok(ring.visible, `${ring.name} shows no visible focus indicator (${ring.style})`);
    reached.push(ring.name);
  }
  return reached;
}

test('at 200 % zoom the page never scrolls sideways and search, facets and table sit apart', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withSample(ZOOM_200, async ({ page }) => {
    await assertNoPageScroll(page, 'events');
    const search = await box(page, '[data-testid=search]');
    const table = await box(page, '[role=table]');
    const facets = await box(page, 'aside:has([data-testid=facet-value])');
    const width = await page.evaluate(() => window.innerWidth);
    for (const [name, b] of [['search box', search], ['table', table], ['facets', facets]]) {
      assert.ok(b.x >= 0 && b.x + b.width <= width + 1, `the ${name} runs out of the window: ${JSON.stringify(b)}`);
    }
    assert.ok(!overlap(search, table), `the search box and the table overlap: ${JSON.stringify({ search, table })}`);
    assert.ok(!overlap(search, facets), `the search box and the facets overlap: ${JSON.stringify({ search, facets })}`);
    assert.ok(!overlap(facets, table), `the facets and the table overlap: ${JSON.stringify({ facets, table })}`);
    // Readable, not squeezed: the search box and the table keep most of the window's width.
    assert.ok(search.width >= width / 3, `the search box is squeezed to ${search.width} px`);
    assert.ok(table.width >= width * 0.8, `the table is squeezed to ${table.width} px of ${width}`);
    // The search box has its row, with its help beside it; the tools wrap below rather than squeeze it.
    assert.ok(search.width >= width * 0.75, `the search box is ${search.width} px of a ${width} px window`);
    const help = await box(page, '[data-testid=search-help] summary');
    assert.ok(help.y < search.y + search.height && search.y < help.y + help.height, `the help is not beside the box: ${JSON.stringify({ search, help })}`);
    // Opened, the help lies over the page: the table does not move, and the text stays in the window.
    await page.locator('[data-testid=search-help] summary').click();
    const text = await box(page, '[data-testid=search-help] p');
    assert.ok(text.x >= 0 && text.x + text.width <= width + 1, `the help runs out of the window: ${JSON.stringify(text)}`);
    assert.deepEqual(await box(page, '[role=table]'), table, 'opening the help moved the table');
    await page.locator('[data-testid=search-help] summary').click();

    // The detail panel comes below the table, still within the window.
    await page.locator('[data-testid=event-row]').nth(1).click();
    const detail = await box(page, '[data-testid=event-detail]');
    const tableNow = await box(page, '[role=table]');
    assert.ok(!overlap(detail, tableNow), `the detail panel and the table overlap: ${JSON.stringify({ detail, tableNow })}`);
    assert.ok(detail.x + detail.width <= width + 1, `the detail panel runs out of the window: ${JSON.stringify(detail)}`);
    await assertNoPageScroll(page, 'events with the detail panel');

    // The jobs view with a job open and one of its events shown.
    await page.locator('[data-testid=jobs-tab]').click();
    const job = page.locator('[data-testid=job]').first();
    await job.locator('button').first().click();
    await job.locator('[data-testid=job-event] button').first().click();
    await page.locator('[data-testid=event-detail]').waitFor();
    await assertNoPageScroll(page, 'jobs with a job open');
    // Its name shows whole inside its row, not squeezed away or cut.
    const named = await job.evaluate((li) => {
      const head = li.querySelector('button');
      const h = head.getBoundingClientRect();
      const part = [...head.children].find((c) => c.textContent === li.getAttribute('data-job-name'));
      const r = part?.getBoundingClientRect();
      return { found: !!part, inside: !!r && r.width > 0 && r.left >= h.left - 1 && r.right <= h.right + 1, whole: !!part && part.scrollWidth <= part.clientWidth + 1 };
    });
    assert.deepEqual(named, { found: true, inside: true, whole: true }, "the job's name shows whole inside its row");
  });
});

test('in a narrow window, where the detail stands below the table, a clicked row brings its detail into view', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withSample({ viewport: { width: 700, height: 800 }, deviceScaleFactor: 1 }, async ({ page }) => {
    const row = page.locator('[data-testid=event-row]').nth(2);
    const id = await row.getAttribute('data-event-id');
    const before = await page.evaluate(() => window.scrollY);
    await row.click();
    const detail = page.locator('[data-testid=event-detail]');
    await detail.waitFor();
    await page.waitForFunction(() => {
      const r = document.querySelector('[data-testid=event-detail]').getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight - 100;
    }, null, { timeout: WAIT_MS });
    // The page moved to it: it had opened below the window.
    assert.ok(await page.evaluate(() => window.scrollY) > before);
    assert.match(await detail.innerText(), new RegExp(`"eventID": "${id}"`));
  });
});

test('every control reached with Tab shows a focus ring, at 200 % zoom and on a desktop window', { timeout: TEST_TIMEOUT_MS }, async () => {
  for (const options of [ZOOM_200, DESKTOP]) {
    await withSample(options, async ({ page }) => {
      await page.locator('body').click({ position: { x: 2, y: 2 } });
      const reached = await tabThrough(page, 40);
      assert.ok(reached.length >= 30, `Tab reached only ${reached.length} controls: ${reached.join(', ')}`);
      for (const wanted of ['load-sample', 'search', 'timeline', 'events-tab', 'facet-value']) {
        assert.ok(reached.some((name) => name.includes(`[data-testid=${wanted}]`)), `Tab never reached ${wanted}: ${reached.join(', ')}`);
      }
      // On from the table's column menu: the sortable headers and their resize grips, each with a ring.
      await page.locator('[data-testid=columns-menu]').focus();
      const grips = await tabThrough(page, 4);
      assert.ok(grips.every((name) => /column-(resize|header)/.test(name)), `after Columns come the headers and their grips: ${grips.join(', ')}`);
      assert.ok(grips.some((name) => name.includes('column-resize')), `the grips are reached: ${grips.join(', ')}`);
      // The jobs view: job heads and, in an open job, its events.
      await page.locator('[data-testid=jobs-tab]').click();
      await page.locator('[data-testid=job]').first().locator('button').first().click();
      await page.locator('[data-testid=job-event]').first().waitFor();
      const inJobs = await tabThrough(page, 4);
      assert.ok(inJobs.some((name) => name.startsWith('button') && /:\d\d:\d\dZ/.test(name)), `Tab should reach the open job's events: ${inJobs.join(', ')}`);
    });
  }
});

test('the table, facets, timeline and jobs carry roles and names', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withSample(DESKTOP, async ({ page }) => {
    const table = await page.evaluate(() => {
      const t = document.querySelector('[role=table]');
      const rows = [...t.querySelectorAll('[data-testid=event-row]')];
      const head = t.querySelector('[role=row]:not([data-testid=event-row])');
      return {
        label: t.getAttribute('aria-label'),
        rows: rows.length,
        rowRoles: [...new Set(rows.map((r) => r.getAttribute('role')))],
        cellRoles: [...new Set(rows.flatMap((r) => [...r.children].map((c) => c.getAttribute('role'))))],
        cellsPerRow: [...new Set(rows.map((r) => r.children.length))],
        headRole: head?.getAttribute('role'),
        headers: head ? [...head.children].map((c) => c.getAttribute('role')) : [],
      };
    });
    assert.ok(table.label && table.label.trim().length > 0, 'the table has an aria-label');
    assert.ok(table.rows > 0);
    assert.deepEqual(table.rowRoles, ['row']);
    assert.deepEqual(table.cellRoles, ['cell']);
    assert.equal(table.headRole, 'row');
    assert.ok(table.headers.length > 0 && table.headers.every((r) => r === 'columnheader'), `header cells: ${table.headers}`);
    assert.deepEqual(table.cellsPerRow, [table.headers.length], 'as many cells in a row as column headers');

    // Each facet list is named by its heading; each value says what pressing it does.
    const facets = await page.evaluate(() => [...document.querySelectorAll('ul:has(> li > [data-testid=facet-value])')].map((ul) => {
      const ids = (ul.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
      const button = ul.querySelector('[data-testid=facet-value]');
      const described = (button?.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      return {
        name: ids.map((id) => document.getElementById(id)?.textContent.trim()).join(' '),
        heading: ul.closest('section')?.querySelector('h2, h3, h4')?.textContent.trim(),
        help: described.map((id) => document.getElementById(id)?.textContent.trim()).join(' '),
      };
    }));
    assert.ok(facets.length >= 3, 'facet lists are shown');
    for (const f of facets) {
      assert.ok(f.name && f.name === f.heading, `a facet list is named by its heading: ${JSON.stringify(f)}`);
      assert.match(f.help, /include|adds/i);
      assert.match(f.help, /exclude/i);
    }

    // The timeline is an image with a name that says what it shows and how to brush it.
    const timeline = await page.locator('[data-testid=timeline]').evaluate((svg) => ({
      role: svg.getAttribute('role'),
      label: svg.getAttribute('aria-label'),
      help: (svg.getAttribute('aria-describedby') || '').split(/\s+/).map((id) => document.getElementById(id)?.textContent).join(' '),
      tabindex: svg.getAttribute('tabindex'),
    }));
    const { eventsShown } = await status(page);
    assert.equal(timeline.role, 'img');
    assert.ok(timeline.label.includes(`${eventsShown} events`), `the timeline's name says how many events it shows: ${timeline.label}`);
    assert.match(timeline.help, /drag/i);
    assert.match(timeline.help, /arrow/i);
    assert.equal(timeline.tabindex, '0');

    // Job rows are buttons that say whether they are open, and point at what they open.
    await page.locator('[data-testid=jobs-tab]').click();
    const head = page.locator('[data-testid=job]').first().locator('button').first();
    assert.equal(await head.getAttribute('aria-expanded'), 'false');
    await head.click();
    await page.locator('[data-testid=job-event]').first().waitFor();
    assert.equal(await head.getAttribute('aria-expanded'), 'true');
    const controls = await head.getAttribute('aria-controls');
    assert.ok(controls, 'an open job head says which list it opened');
    assert.equal(await page.locator(`[id="${controls}"] [data-testid=job-event]`).count() > 0, true);
  });
});

test('from the keyboard: the timeline brushes a range, a facet value is included or excluded, a job opens', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withSample(DESKTOP, async ({ page }) => {
    const { eventsKept } = await status(page);
    // Timeline: focus, pick the first ten bars, apply.
    await page.locator('[data-testid=timeline]').focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 9; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.waitForFunction(() => /Enter shows them/.test(document.querySelector('section:has([data-testid=timeline]) [aria-live]')?.textContent ?? ''));
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=clear-range]').waitFor();
    const ranged = await status(page);
    assert.ok(ranged.eventsShown > 0 && ranged.eventsShown < eventsKept, `the range shows some events: ${JSON.stringify(ranged)}`);
    await page.locator('[data-testid=clear-range]').focus();
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid=status][data-events-shown="${eventsKept}"]`).waitFor();

    // Facets: Enter includes a value, the minus key excludes one.
    const value = page.locator('[data-testid=facet-value][data-facet=event]').first();
    const name = await value.getAttribute('data-value');
    const count = Number(await value.getAttribute('data-count'));
    await value.focus();
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid=status][data-events-shown="${count}"]`).waitFor();
    assert.equal(await page.locator('[data-testid=search]').inputValue(), `event:${name}`);
    await page.locator('[data-testid=search]').fill('');
    await page.locator(`[data-testid=status][data-events-shown="${eventsKept}"]`).waitFor();
    await page.locator('[data-testid=facet-value][data-facet=event]').first().focus();
    await page.keyboard.press('-');
    await page.locator(`[data-testid=status][data-events-shown="${eventsKept - count}"]`).waitFor();
    assert.equal(await page.locator('[data-testid=search]').inputValue(), `-event:${name}`);

    // Jobs: Enter opens a job, Tab reaches its first event, Enter shows that event's record.
    await page.locator('[data-testid=jobs-tab]').focus();
    await page.keyboard.press('Enter');
    const job = page.locator('[data-testid=job]').first();
    await job.locator('button').first().focus();
    await page.keyboard.press('Enter');
    await job.locator('[data-testid=job-event]').first().waitFor();
    const first = await job.locator('[data-testid=job-event]').first().getAttribute('data-event-name');
    await job.locator('[data-testid=job-event] button').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=event-detail]').waitFor();
    assert.ok((await page.locator('[data-testid=event-detail] h2').innerText()).startsWith(first));
  });
});

test('the dark theme follows the system: another background, text still readable', { timeout: TEST_TIMEOUT_MS }, async () => {
  const colours = {};
  for (const colorScheme of ['light', 'dark']) {
    const s = await h.openPage({ contextOptions: { ...DESKTOP, colorScheme } });
    try {
      colours[colorScheme] = await s.page.evaluate(() => {
        const lum = (c) => {
          const [r, g, b] = c.match(/[\d.]+/g).map(Number).map((v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const ratio = (a, b) => {
          const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
          return (x + 0.05) / (y + 0.05);
        };
        const probe = document.createElement('span');
        document.body.append(probe);
        const colour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
        // Through the CSSOM, which the page's Content-Security-Policy allows.
        const resolve = (css) => {
          probe.style.color = css;
          return getComputedStyle(probe).color;
        };
        const out = { background: getComputedStyle(document.body).backgroundColor, contrast: {} };
        for (const fg of ['--fg', '--muted', '--accent', '--error', '--ok']) {
          for (const bg of ['--bg', '--panel']) out.contrast[`${fg} on ${bg}`] = ratio(resolve(colour(fg)), resolve(colour(bg)));
        }
        probe.remove();
        return out;
      });
      assertCleanSession(s);
    } finally {
      await s.context.close();
    }
  }
  assert.notEqual(colours.dark.background, colours.light.background, 'the dark theme has its own background');
  for (const [scheme, { contrast }] of Object.entries(colours)) {
    for (const [pair, ratio] of Object.entries(contrast)) {
      assert.ok(ratio >= 4.5, `${scheme}: ${pair} has a contrast of ${ratio.toFixed(2)}, under 4.5:1`);
    }
  }
});

test('sortable headers sort from the keyboard, the tabs move with the arrows, and rows say where they stand', { timeout: 180_000 }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const header = page.locator('[data-testid=column-header][data-column=event]');
  await header.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=column-header][data-column=event]')?.getAttribute('aria-sort') === 'ascending');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('[data-testid=column-header][data-column=event]')?.getAttribute('aria-sort') === 'descending');

  const table = page.locator('[role=table]');
  const count = Number(await table.getAttribute('aria-rowcount'));
  const shown = Number(await page.locator('[data-testid=status]').getAttribute('data-events-shown'));
  assert.equal(count, shown + 1, 'the row count includes the header row');
  assert.equal(await page.locator('[data-testid=event-row]').first().getAttribute('aria-rowindex'), '2');
  const now = await page.locator('[data-testid=column-resize][data-column=event]').getAttribute('aria-valuenow');
  assert.ok(Number(now) > 40, `a grip says its column's width: ${now}`);

  await page.locator('[data-testid=events-tab]').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('[data-testid=jobs-tab]')?.getAttribute('aria-selected') === 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'jobs-tab');
  assert.equal(await page.locator('[role=tabpanel]').getAttribute('aria-labelledby'), 'tab-jobs');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('[data-testid=events-tab]')?.getAttribute('aria-selected') === 'true');
});
