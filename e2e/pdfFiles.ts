/** PDFs written for the browser tests: pages made with pdf-lib, and raw objects for what pdf-lib will not write. */
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';

/** Pages with one large shape each, in the teaching model's colours, plus a line of text. */
export async function shapesPdf(colours: [string, [number, number, number]][]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const [word, [r, g, b]] of colours) {
    const page = doc.addPage([600, 800]);
    page.drawRectangle({ x: 60, y: 300, width: 480, height: 440, color: rgb(r, g, b) });
    page.drawText(`A ${word} page`, { x: 60, y: 120, size: 40, font, color: rgb(0, 0, 0) });
  }
  return Buffer.from(await doc.save());
}

/** A PDF of raw objects (no compression), with an xref table; `objects[i]` is object i + 1. */
export function rawPdf(objects: string[], trailer = ''): Buffer {
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailer} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A stream object: its dictionary entries and its (uncompressed) data. */
export const stream = (dict: string, data: string) => `<< ${dict} /Length ${data.length} >>\nstream\n${data}\nendstream`;
