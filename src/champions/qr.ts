// The QR code of a share link, as an SVG document and as a PNG image: one drawing for the CLI's
// files and the operator's downloads. Node only (PNG through pngjs); the Worker's bundle leaves
// the `qrcode` package out, so nothing on the Worker's path imports this file.
import QRCode from "qrcode";

const OPTIONS = { errorCorrectionLevel: "M", margin: 2 } as const;

export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...OPTIONS, type: "svg" });
}

/** 600 px square: sharp on an A4 poster. */
export async function qrPng(text: string): Promise<Uint8Array> {
  return new Uint8Array(await QRCode.toBuffer(text, { ...OPTIONS, type: "png", width: 600 }));
}
