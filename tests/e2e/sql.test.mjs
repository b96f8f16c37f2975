// "Copy as SQL": the search as SQL for Athena, CloudTrail Lake and DuckDB, written in the page (the tools
// worker) and never sent anywhere; values typed in the search box stay inside SQL string literals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT_MS, WAIT_MS, useHarness, assertNoEgress, assertCleanSession } from './harness.mjs';

const h = useHarness();

async function sqlText(page, pattern) {
  const box = page.locator('[data-testid=sql-text]');
  await page.waitForFunction((re) => new RegExp(re, 's').test(document.querySelector('[data-testid=sql-text]')?.value ?? ''), pattern.source, { timeout: WAIT_MS });
  return box.inputValue();
}

test('the search, facets and brushed range become SQL for Athena, Lake and DuckDB', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  await page.locator('[data-testid=search]').fill("user:alice -error:AccessDenied* job:\"it's 100%\"");
  await page.locator('[data-testid=copy-sql]').click();

  const athena = await sqlText(page, /FROM/);
  assert.match(athena, /lower\(identity\) = 'alice'/, athena);
  // A quote typed in the search box is doubled inside a literal; % is escaped for LIKE.
  assert.match(athena, /it''s 100/, athena);
  assert.ok(!/it's 100/.test(athena.replace(/it''s/g, '')), 'no raw quote leaks into the SQL');
  assert.match(athena, /cloudtrail_logs/, athena);

  // The CREATE TABLE is filled from the loaded logs' accounts and regions.
  await page.locator('[data-testid=sql-create-toggle]').click();
  await page.locator('[data-testid=sql-bucket]').fill('acme-trail');
  await page.waitForFunction(() => /acme-trail/.test(document.querySelector('[data-testid=sql-create]')?.value ?? ''), null, { timeout: WAIT_MS });
  const create = await page.locator('[data-testid=sql-create]').inputValue();
  assert.match(create, /CREATE EXTERNAL TABLE/, create);
  assert.match(create, /projection\.enabled/, create);
  assert.match(create, /111122223333/, create);

  await page.locator('[data-testid=sql-dialect]').selectOption('duckdb');
  const duck = await sqlText(page, /read_json/);
  assert.match(duck, /AWSLogs/, duck);
  await page.locator('[data-testid=sql-dialect]').selectOption('lake');
  // Before the person names their event data store, an example one: SQL to read, no error.
  const example = await sqlText(page, /FROM EXAMPLE/);
  assert.match(example, /eventTime|eventtime/i, example);
  assert.equal(await page.locator('[data-testid=sql-error]').count(), 0);
  await page.locator('[data-testid=sql-source]').fill('not a store id; DROP TABLE x');
  await page.locator('[data-testid=sql-error]').waitFor({ timeout: WAIT_MS });
  await page.locator('[data-testid=sql-source]').fill('EXAMPLEf852-4e8f-8bd1-bcf6cEXAMPLE');
  const lake = await sqlText(page, /EXAMPLEf852/);
  assert.match(lake, /FROM/, lake);

  // Following the search: a new term shows up in the SQL.
  await page.locator('[data-testid=search]').fill('status:FAILED');
  const failed = await sqlText(page, /failed/i);
  assert.match(failed, /'failed'/i, failed);
  assertNoEgress(s.requests, s.origin);
  assertCleanSession(s);
});
