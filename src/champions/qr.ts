// The QR code of a share link, as an SVG document and as a PNG image: one drawing for the CLI's
// files, the champion's page and the operator's downloads. SVG is plain JavaScript and runs on both
// runtimes; PNG goes through pngjs on Node's streams, so only Node passes qrPng on (the Worker
// bundles qrcode's browser build, which has no toBuffer).
import QRCode from "qrcode";

const OPTIONS = { errorCorrectionLevel: "M", margin: 2 } as const;

export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...OPTIONS, type: "svg" });
}

/** 600 px square: sharp on an A4 poster. */
export async function qrPng(text: string): Promise<Uint8Array> {
  return new Uint8Array(await QRCode.toBuffer(text, { ...OPTIONS, type: "png", width: 600 }));
}
