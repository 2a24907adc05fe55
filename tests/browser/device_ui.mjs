#!/usr/bin/env node
// device_ui.mjs: drives sipreg-device's web interface in headless Chromium the
// way Algo's SIP registration guide tells an installer to fix a rejected page
// extension: log in, Basic Settings → SIP, reveal the password, type the right
// one, Save, then watch the Status tab until the extension reads "Successful".
//
// Environment:
//   DEVICE_URL       e.g. http://127.0.0.1:8080/           (required)
//   DEVICE_PASSWORD  the [web] password (user "admin")     (required)
//   RIGHT_PASSWORD   the SIP password to enter for [page]  (required)
//   EXTENSION_ID     Status row to wait for (default "page")
//   SCREENSHOT       where to save a full-page PNG at the end (optional; also on failure)
//   CHROMIUM         browser binary (default /usr/bin/chromium)
//   STATUS_TIMEOUT_MS  how long to wait for "Successful" (default 20000)
//
// Exit status: 0 when the row shows Successful, 1 on any failure (with the
// reason and the row's text on stderr), 2 on a usage error.
// Setup: `npm ci --prefix tests/browser` (scripts/install-deps.sh does it).
import { chromium } from 'playwright-core';

const env = process.env;
const url = env.DEVICE_URL;
const devicePassword = env.DEVICE_PASSWORD;
const rightPassword = env.RIGHT_PASSWORD;
const extensionId = env.EXTENSION_ID || 'page';
const screenshot = env.SCREENSHOT || '';
const executablePath = env.CHROMIUM || '/usr/bin/chromium';
const statusTimeout = Number(env.STATUS_TIMEOUT_MS || 20000);

const missing = ['DEVICE_URL', 'DEVICE_PASSWORD', 'RIGHT_PASSWORD'].filter((k) => !env[k]);
if (missing.length) {
  console.error(`device_ui: set ${missing.join(', ')} (see the comment at the top of device_ui.mjs)`);
  process.exit(2);
}

class Failure extends Error {}
const step = (text) => console.log(`device_ui: ${text}`);

// The visible text of the Status row for `id`, cells separated by " | ".
async function rowText(page, id) {
  return page.evaluate((rowId) => {
    const row = Array.from(document.querySelectorAll('#status-rows tr')).find((r) => r.dataset.id === rowId);
    if (!row) return null;
    return Array.from(row.cells).map((c) => c.textContent.trim()).join(' | ');
  }, id);
}

async function run(page) {
  step(`open ${url}`);
  const response = await page.goto(url);
  if (!response || !response.ok()) throw new Failure(`GET ${url}: HTTP ${response ? response.status() : 'no response'}`);

  step('log in as admin');
  await page.locator('input[name="password"]').fill(devicePassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForLoadState('domcontentloaded');
  const loginError = page.locator('.login-form .error');
  if (await loginError.count() && (await loginError.textContent()).trim()) {
    throw new Failure(`login refused: ${(await loginError.textContent()).trim()}`);
  }
  await page.getByRole('tab', { name: 'Status', exact: true }).waitFor();
  await page.locator('body[data-config="loaded"]').waitFor();

  step('open Basic Settings → SIP');
  await page.getByRole('tab', { name: 'Basic Settings', exact: true }).click();
  await page.getByRole('tab', { name: 'SIP', exact: true }).click();
  const panel = page.getByRole('tabpanel', { name: 'SIP', exact: true });
  await panel.waitFor();

  const password = panel.getByLabel('Password', { exact: true });
  step('reveal the password');
  await panel.getByRole('button', { name: 'Reveal password' }).click();
  if ((await password.getAttribute('type')) !== 'text') throw new Failure('the reveal toggle did not show the password');
  step(`the password field held ${(await password.inputValue()).length} characters; entering the right one`);
  await password.fill(rightPassword);

  step('Save');
  await panel.getByRole('button', { name: 'Save' }).click();
  const message = panel.locator('.save-msg');
  await page.waitForFunction((el) => el.textContent === 'Saved' || el.classList.contains('bad'),
    await message.elementHandle(), { timeout: 10000 });
  const saved = (await message.textContent()).trim();
  if (saved !== 'Saved') throw new Failure(`Save failed: ${saved}`);

  step(`open Status; waiting up to ${statusTimeout / 1000} s for "${extensionId}" to read Successful`);
  await page.getByRole('tab', { name: 'Status', exact: true }).click();
  try {
    await page.waitForFunction((id) => {
      const row = Array.from(document.querySelectorAll('#status-rows tr')).find((r) => r.dataset.id === id);
      const cell = row && row.querySelector('td.status');
      return Boolean(cell) && cell.textContent === 'Successful';
    }, extensionId, { timeout: statusTimeout, polling: 250 });
  } catch (e) {
    const text = await rowText(page, extensionId);
    throw new Failure(text === null
      ? `no Status row for "${extensionId}" after ${statusTimeout / 1000} s`
      : `"${extensionId}" did not become Successful in ${statusTimeout / 1000} s; row: ${text}`);
  }
  step(`Successful: ${await rowText(page, extensionId)}`);
}

let browser;
let page;
let status = 0;
try {
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('pageerror', (e) => console.error(`device_ui: page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') console.error(`device_ui: console: ${m.text()}`); });
  await run(page);
} catch (e) {
  status = 1;
  console.error(`device_ui: FAILED: ${e instanceof Failure ? e.message : (e && e.stack) || e}`);
} finally {
  if (page && screenshot) {
    try {
      await page.screenshot({ path: screenshot, fullPage: true });
      console.log(`device_ui: screenshot ${screenshot}`);
    } catch (e) {
      console.error(`device_ui: no screenshot: ${e.message}`);
      if (status === 0) status = 1;
    }
  }
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
