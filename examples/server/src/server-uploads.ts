/**
 * Reading uploaded images: multipart/form-data (`curl -F image=@photo.jpg`) or a raw body (`Content-Type: image/jpeg`
 * or `application/octet-stream`). Images stay in memory from socket to worker thread: nothing is written to disk
 * (multipart files are read into Buffers, never saved) and their bytes never reach a log line. Two limits: the file size
 * (413 `UPLOAD_TOO_LARGE`, enforced while streaming) and the pixel count read from the image header before any decoding
 * (413 `IMAGE_TOO_LARGE`), so a small file that decodes to gigapixels is refused cheaply.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import sharp from 'sharp';
import { ImageTooLargeError } from 'eolgul';
import { ServiceError } from './server-errors.js';

/** One uploaded image. */
export interface Upload {
  /** The form field it came in (`'body'` for a raw body). */
  field: string;
  /** Its bytes. */
  bytes: Buffer;
}

/** What a request carried: its images and its text fields. */
export interface UploadedForm {
  files: Upload[];
  fields: Record<string, string>;
}

/** Limits of {@link readForm}. */
export interface UploadLimits {
  maxUploadBytes: number;
  maxPixels: number;
  maxFiles: number;
}

/**
 * Checks width × height against `maxPixels`, as the decoder (sharp) reads them from the header, no pixel decoded: the
 * decoder's own view, not a separate parser's (a GIF whose screen size says 10×10 holds a 16000×16000 frame that
 * libvips decodes; a header-only parser believed the 10×10). An image whose header cannot be read is left to the
 * decoder, which refuses it with `IMAGE_DECODE` if it really is not an image.
 * @throws {ImageTooLargeError} more pixels than allowed.
 */
export async function checkPixels(upload: Upload, maxPixels: number): Promise<void> {
  let size: { width?: number; height?: number; pages?: number };
  try {
    size = await sharp(upload.bytes, { limitInputPixels: false }).metadata();
  } catch {
    return;
  }
  const pixels = (size.width ?? 0) * (size.height ?? 0);
  if (pixels > maxPixels) throw new ImageTooLargeError(`upload "${upload.field}"`, pixels, maxPixels);
}

/**
 * Reads every file and field of a multipart request, or a raw image body, into memory.
 * @throws {ServiceError} 413 `UPLOAD_TOO_LARGE` (a file over the limit), 400 `BAD_REQUEST` (too many files or fields),
 *   415 `UNSUPPORTED_MEDIA_TYPE`. @throws {ImageTooLargeError} too many pixels.
 */
export async function readForm(request: FastifyRequest, limits: UploadLimits): Promise<UploadedForm> {
  const form: UploadedForm = { files: [], fields: {} };
  if (Buffer.isBuffer(request.body)) {
    form.files.push({ field: 'body', bytes: request.body });
  } else if (request.isMultipart()) {
    await readParts(request, limits, form).catch((err: unknown) => {
      // @fastify/multipart's own errors (limits) carry a status; busboy's parse errors ("Boundary not found", "Part
      // terminated early") do not: they are the client's malformed body, a 400, not a 500.
      if (err instanceof ServiceError || (err as { statusCode?: number }).statusCode !== undefined) throw err;
      throw new ServiceError(400, 'BAD_REQUEST', `malformed multipart body (${(err as Error).message})`);
    });
  } else {
    throw new ServiceError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'send the image as multipart/form-data (curl -F image=@photo.jpg) or as a raw image/* body',
    );
  }
  for (const f of form.files) {
    if (f.bytes.length === 0) throw new ServiceError(400, 'IMAGE_MISSING', `the upload "${f.field}" is empty`);
    await checkPixels(f, limits.maxPixels);
  }
  return form;
}

/** The one image in `field` (or the raw body). @throws {ServiceError} 400 `IMAGE_MISSING` when absent or repeated. */
export function oneImage(form: UploadedForm, field: string): Upload {
  const files = form.files.filter((f) => f.field === field || f.field === 'body');
  if (files.length !== 1) {
    throw new ServiceError(
      400,
      'IMAGE_MISSING',
      files.length
        ? `send one image in "${field}", got ${files.length}`
        : `no image: send one in the form field "${field}"`,
    );
  }
  return files[0];
}

/** Reads the parts of a multipart body into `form`, within the limits. */
async function readParts(request: FastifyRequest, limits: UploadLimits, form: UploadedForm): Promise<void> {
  for await (const part of request.parts({
    limits: {
      fileSize: limits.maxUploadBytes,
      files: limits.maxFiles,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: limits.maxFiles + 20,
    },
  })) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      form.files.push({ field: part.fieldname, bytes });
    } else if (typeof part.value === 'string') {
      form.fields[part.fieldname] = part.value;
    }
  }
}
