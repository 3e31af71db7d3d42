// Worker thread that turns PDF bytes into positioned text items. It is plain JavaScript on
// purpose: a worker does not inherit the main thread's TypeScript loader (tsx, vitest), and the
// only thing that must run here is the part that can hang or blow up (pdf.js parsing and
// decompression). The layout analysis runs in the caller, on the items this returns.
//
// Protocol: says { ready: true } once pdf.js is loaded (or { ready: false, reason }); receives
// { id, bytes: Uint8Array, maxPages, maxInflatedBytes } and answers
// { id, ok: true, pages: [{ width, height, items: [{ str, x, y, w, h }] }] } or
// { id, ok: false, reason }.
import { parentPort } from 'node:worker_threads';
import { inflateSync, constants as zlibConstants } from 'node:zlib';

let unpdfModule;

function loadUnpdf() {
  unpdfModule ??= import('unpdf');
  return unpdfModule;
}

/**
 * pdf.js decompresses streams into ArrayBuffers, which a worker's heap limit does not count;
 * a few hundred kilobytes of Flate can hold gigabytes. Inflate every Flate-looking stream first
 * with a cap on the total output, so a bomb is refused before pdf.js ever touches it.
 */
function checkInflatedSize(bytes, maxInflatedBytes) {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const streamStart = /(?<!end)stream\r?\n/g;
  let remaining = maxInflatedBytes;
  let match;
  while ((match = streamStart.exec(text)) !== null) {
    const start = match.index + match[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    const data = bytes.subarray(start, end);
    // A zlib stream starts with 0x78 (deflate, 32K window); anything else is another filter.
    if (data[0] !== 0x78) continue;
    try {
      const out = inflateSync(data, {
        maxOutputLength: Math.max(1, remaining),
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      });
      remaining -= out.byteLength;
    } catch (error) {
      if (error && error.code === 'ERR_BUFFER_TOO_LARGE') {
        return `a compressed stream expands beyond ${maxInflatedBytes} bytes (a decompression bomb?)`;
      }
      // A broken stream is pdf.js's to judge (it often recovers); only size matters here.
    }
    if (remaining <= 0) {
      return `its compressed streams expand beyond ${maxInflatedBytes} bytes (a decompression bomb?)`;
    }
    streamStart.lastIndex = end;
  }
  return undefined;
}

function describeFailure(error) {
  const name = error && typeof error === 'object' ? error.name : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') return 'the PDF is encrypted (password-protected)';
  if (name === 'InvalidPDFException') return `not a readable PDF: ${message}`;
  return `the PDF could not be read: ${message}`;
}

async function extract(bytes, maxPages, maxInflatedBytes) {
  const bomb = checkInflatedSize(bytes, maxInflatedBytes);
  if (bomb) return { ok: false, reason: `the PDF was refused: ${bomb}` };
  const { getDocumentProxy } = await loadUnpdf();
  // verbosity 0: pdf.js otherwise prints font warnings to stdout for ordinary Word PDFs.
  // useSystemFonts false: only text is wanted, and looking fonts up on the system triples the
  // time per page.
  const document = await getDocumentProxy(bytes, {
    verbosity: 0,
    isEvalSupported: false,
    useSystemFonts: false,
  });
  try {
    if (document.numPages > maxPages) {
      return {
        ok: false,
        reason: `the PDF has ${document.numPages} pages; at most ${maxPages} are read`,
      };
    }
    const pages = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const viewport = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      const items = [];
      for (const item of content.items) {
        if (!('str' in item) || item.str.trim() === '') continue;
        const [a, b, , d, x, y] = item.transform;
        items.push({
          str: item.str,
          x,
          y,
          w: item.width,
          // Font size from the matrix: item.height is 0 for some generators.
          h: item.height || Math.hypot(a, b) || Math.abs(d) || 10,
        });
      }
      pages.push({ width: viewport.width, height: viewport.height, items });
      page.cleanup();
    }
    return { ok: true, pages };
  } finally {
    await document.destroy();
  }
}

// pdf.js loads when the worker starts, not within the first PDF's time budget (a cold start
// under load can take seconds): the extractor starts a job's clock when this says ready.
loadUnpdf().then(
  () => parentPort.postMessage({ ready: true }),
  (error) => parentPort.postMessage({ ready: false, reason: describeFailure(error) }),
);

parentPort.on('message', (job) => {
  extract(job.bytes, job.maxPages, job.maxInflatedBytes)
    .then((result) => parentPort.postMessage({ id: job.id, ...result }))
    .catch((error) =>
      parentPort.postMessage({ id: job.id, ok: false, reason: describeFailure(error) }),
    );
});
