// Debian's Chromium driven by playwright-core (never a downloaded browser), started as this machine needs it: headless,
// no sandbox (root), no GPU, and none of Chromium's background connections (this machine's closed network refuses
// them, many at a time). Optionally with a fake camera playing a y4m file.
import { chromium } from 'playwright-core';

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Chromium's command-line flags.
 * @param {string} [video] a y4m file the fake camera plays (looped); without it, no camera flags.
 * @returns {string[]}
 */
export function chromiumArgs(video) {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (video) {
    args.push(
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    );
  }
  return args;
}

/**
 * Starts headless Chromium (a fresh, empty profile).
 * @param {{ video?: string }} [options] `video`: the fake camera's y4m clip.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launchChromium(options = {}) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs(options.video) });
}
