/** The page finds a WebGPU adapter in headless Chromium (SwiftShader) and shows it. */
import { describe, expect, it } from 'vitest';
import { expectBackendsRan, runAndWait, tableText } from './app-driver';
import { CHROMIUM_ARGS, launchBrowser, requireAdapter, screenshot, watchErrors, useServedApp } from './harness';

const app = useServedApp();

describe('adapter panel', () => {
  it('shows the adapter, its limits and features, and flags a software fallback', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(app.server.url);
    await requireAdapter(page);
    const info = page.locator('l2wd-adapter-panel [data-testid="adapter-info"]');
    await expect(info.locator('[data-field="vendor"]').innerText()).resolves.toMatch(/\w/);
    await expect(info.locator('[data-field="architecture"]').innerText()).resolves.toMatch(/\w/);
    // The limits that bound a run are shown with their real names next to readable values.
    for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup']) {
      await expect(info.locator(`[data-field="${k}"]`).innerText()).resolves.toMatch(new RegExp(`\\d.*${k}`));
    }
    const features = await page.locator('l2wd-adapter-panel [data-testid="features"] li').allInnerTexts();
    expect(features.length).toBeGreaterThan(0);
    // Which implementation, and which browsers were tested (issue 15.4).
    await expect(info.locator('[data-field="implementation"]').innerText()).resolves.toMatch(/the browser's .*Dawn.*wgpu.*WebKit/);
    const tested = await page.locator('l2wd-adapter-panel [data-testid="tested-browsers"]').innerText();
    expect(tested).toMatch(/Tested in Chromium/);
    expect(tested).toMatch(/Firefox uses wgpu/);
    expect(tested).toMatch(/Safari .* was not\s+tested/);

    const isFallback = await page.evaluate(async () => {
      const a = await navigator.gpu.requestAdapter();
      return Boolean((a?.info as GPUAdapterInfo & { isFallbackAdapter?: boolean })?.isFallbackAdapter);
    });
    const notice = page.locator('l2wd-adapter-panel [data-testid="fallback-notice"]');
    if (isFallback) {
      await expect(notice.innerText()).resolves.toContain('timings here are CPU emulation, not GPU performance');
    } else {
      expect(await notice.count()).toBe(0);
    }
    await screenshot(page, 'adapter');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('without WebGPU', () => {
  it('says what is missing and how to get it', async () => {
    // Same browser minus --enable-unsafe-webgpu: headless Linux Chromium then offers no adapter.
    const plain = await launchBrowser(CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'));
    try {
      const page = await plain.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(app.server.url);
      const missing = page.locator('l2wd-adapter-panel [data-testid="no-webgpu"]');
      await missing.waitFor({ timeout: 30_000 });
      await expect(missing.innerText()).resolves.toMatch(/No WebGPU here/);
      const help = await page.locator('l2wd-adapter-panel ul.help').innerText();
      expect(help).toMatch(/Chrome or Edge 113/);
      expect(help).toMatch(/enable-unsafe-webgpu/);
      // The CPU still runs: the GPU is skipped with a notice, the CPU rows arrive.
      await page.goto(`${app.server.url}/?layers=8,16,4&batch=8&steps=10&backend=gpu,cpu&baseline=0`);
      await missing.waitFor();
      expect(await runAndWait(page)).toMatch(/^Done/);
      await expect(page.locator('[data-testid="run-notice"]').innerText()).resolves.toMatch(/adapter.*GPU backend is skipped; the CPU backends still run/);
      await expectBackendsRan(page, ['cpu']);
      // GPU rows, if listed, say why they did not run.
      for (const row of (await tableText(page)).split('\n').filter((r) => /^\s*GPU\s/.test(r))) expect(row).toMatch(/skipped: .*adapter/);
      await screenshot(page, 'no-webgpu');
    } finally {
      await plain.close();
    }
  });
});
