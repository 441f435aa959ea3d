import type { Box, RgbImage } from '@eolgul/core';

/** One label to draw. */
export interface Annotation {
  box: Box;
  label: string;
  /** Box colour, CSS. */
  color: string;
}

/** Escapes text for SVG; characters XML 1.0 forbids (NUL and other C0 controls, U+FFFE/U+FFFF) become U+FFFD. */
const esc = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Draws boxes and labels on an image and encodes it as JPEG (sharp compositing an SVG overlay; text uses the system's
 * fonts through librsvg).
 */
export async function annotateImage(image: RgbImage, annotations: readonly Annotation[]): Promise<Uint8Array> {
  const sharp = (await import('sharp')).default;
  const { width: W, height: H } = image;
  const fs = Math.max(11, Math.round(Math.min(W, H) / 22));
  const shapes = annotations.map((a) => {
    const [x, y, w, h] = a.box;
    const ty = y - 4 > fs ? y - 4 : y + h + fs;
    const tw = Math.min(W - x, a.label.length * fs * 0.6 + 6);
    return (
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${a.color}" stroke-width="${Math.max(2, fs / 6)}"/>` +
      `<rect x="${x}" y="${ty - fs}" width="${tw}" height="${fs + 4}" fill="${a.color}" opacity="0.8"/>` +
      `<text x="${x + 3}" y="${ty}" font-family="DejaVu Sans, sans-serif" font-size="${fs}" fill="#ffffff">${esc(a.label)}</text>`
    );
  });
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${shapes.join('')}</svg>`,
  );
  return sharp(image.data, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: svg, top: 0, left: 0 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}
