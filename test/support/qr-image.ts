// Reading the QR codes PlaceVoice serves back into modules, to hold them against the encoder's
// matrix for the text they should carry: the SVG path qrcode draws, and a PNG read with zlib.
import { inflateSync } from "node:zlib";
import QRCode from "qrcode";

/** The quiet zone PlaceVoice draws round a QR code (src/champions/qr.ts), in modules. */
export const MARGIN = 2;

/** The dark modules of a QR code as qrcode's SVG path draws them ("M x y.5 h n m dx 0 …"), row by row. */
export function svgModules(svg: string): boolean[][] {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)![1]) - 2 * MARGIN;
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  const d = /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg)![1]!;
  let x = 0;
  let y = 0;
  for (const [, command, a, b] of d.matchAll(/([MmHh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    if (command === "M") [x, y] = [Number(a), Number(b)];
    else if (command === "m") x += Number(a);
    else for (let i = 0; i < Number(a); i++) grid[Math.floor(y) - MARGIN]![x++ - MARGIN] = true;
  }
  return grid;
}

/** The pixels of an 8-bit PNG (any filter), read with nothing but zlib. */
export function decodePng(png: Buffer): { width: number; height: number; dark: (x: number, y: number) => boolean } {
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const length = png.readUInt32BE(pos);
    const type = png.toString("ascii", pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + length);
    if (type === "IHDR") [width, height, colorType] = [data.readUInt32BE(0), data.readUInt32BE(4), data[9]!];
    if (type === "IDAT") idat.push(data);
    pos += 12 + length;
  }
  const bpp = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType]!;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[y * stride + x - bpp]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const v = raw[y * (stride + 1) + 1 + x]!;
      out[y * stride + x] = (v + [0, a, b, (a + b) >> 1, paeth][filter]!) & 255;
    }
  }
  return { width, height, dark: (x, y) => out[y * stride + x * bpp]! < 128 };
}

/** The modules a QR code of `text` has (the encoder's own matrix), to hold the images against. */
export function modulesOf(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  return Array.from({ length: modules.size }, (_, r) =>
    Array.from({ length: modules.size }, (_, c) => Boolean(modules.get(r, c))),
  );
}
