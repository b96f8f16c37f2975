// A file that disappears between the pick and its reading (moved, deleted, synced away): that file says why,
// and the files read with it in the same reading of the browser still load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_TIMEOUT_MS, useHarness, generateSet, pickFiles, waitReady, status, fileErrors } from './harness.mjs';

const h = useHarness();

test('a picked file deleted before it is read: it fails with its reason, the rest load', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-gone-'));
  try {
    const gen = generateSet(path.join(dir, 'gen'), 600, 6);
    // One reading worker, whose code is held back until the file is gone: the page asks the six files'
    // sizes as they are picked (a snapshot the browser later checks), hands the worker the first, then the
    // second, then the rest; the worker reads the first alone and the other five in one reading of the
    // browser, which fails as a whole because of the fourth.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const s = await h.openPage({
      contextOptions: { serviceWorkers: 'block' },
      beforeLoad: async (context, page) => {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: 1 });
        await context.route(/\/worker_bg\.wasm$/, async (route) => {
          await held;
          await route.continue();
        });
      },
    });
    const { page } = s;
    await pickFiles(page, gen.files);
    const gone = gen.files[3];
    rmSync(gone);
    release();
    await waitReady(page);
    const st = await status(page);
    const errors = await fileErrors(page);
    assert.equal(st.filesOk, 5, `${JSON.stringify(st)} ${JSON.stringify(errors)}`);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].file, path.basename(gone));
    assert.equal(errors[0].kind, 'error');
    assert.match(errors[0].text, /moved or deleted/);
    assert.equal(st.filesFailed, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
