// QR codes of pairing URLs with the `qrcode` package: SVG and PNG for the desktop UI, text for a terminal.
import QRCode from 'qrcode';

export interface QrImages {
  svg: string;
  /** data:image/png;base64,... */
  png: string;
}

// 'M' survives a phone camera at an angle on a glossy screen; the URL is short enough for it to stay small.
const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export async function qrImages(text: string): Promise<QrImages> {
  const [svg, png] = await Promise.all([
    QRCode.toString(text, { ...QR_OPTIONS, type: 'svg' }),
    QRCode.toDataURL(text, { ...QR_OPTIONS, type: 'image/png', scale: 6 }),
  ]);
  return { svg, png };
}

/** The QR as block characters for a terminal (`npm run pair` on a headless bridge). */
export function qrForTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { ...QR_OPTIONS, type: 'terminal', small: true });
}
